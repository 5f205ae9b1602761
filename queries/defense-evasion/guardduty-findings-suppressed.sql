-- id: guardduty-findings-suppressed
-- title: GuardDuty told to trust addresses or to archive findings
-- severity: medium
-- kind: event
-- description: >
--   A trusted IP list (CreateIPSet, UpdateIPSet, activated) makes GuardDuty ignore traffic from those addresses, and a filter with action ARCHIVE hides the findings it matches as they arrive: GuardDuty stays on while seeing less. guardduty-disabled reports turning it off.
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.guardduty-trusted-ip-list/, https://docs.aws.amazon.com/guardduty/latest/ug/findings_suppression-rule.html]
-- false_positives: [Suppression rules for known scanners, set up by the security team]
-- remediation: >
--   Review the list's addresses or the filter's criteria (GetIPSet, GetFilter) and remove what is not justified.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name LIKE '%IPSet' THEN event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'ipSetId'), '?') || ' (trusted addresses)'
       ELSE event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'filterName'), '?') || ' archives findings' END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'guardduty.amazonaws.com'
  AND (event_name IN ('CreateIPSet', 'UpdateIPSet')
       OR (event_name IN ('CreateFilter', 'UpdateFilter') AND upper(coalesce(json_get_str(request_parameters, 'action'), '')) = 'ARCHIVE'))
