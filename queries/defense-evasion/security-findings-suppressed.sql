-- id: security-findings-suppressed
-- title: "Security Hub, Access Analyzer, Inspector or Macie findings suppressed or archived by rule"
-- severity: medium
-- kind: event
-- description: >
--   Suppressing Security Hub findings (the SUPPRESSED workflow status, or an automation rule that sets it), an Access Analyzer archive rule, an Inspector suppression filter or a Macie archiving filter makes present and future findings disappear from the defenders' queues without fixing anything. GuardDuty has its own detection (guardduty-findings-suppressed).
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateArchiveRule.html, https://docs.aws.amazon.com/securityhub/latest/userguide/automation-rules.html]
-- false_positives: [Triage by the security team of accepted risks]
-- remediation: >
--   Check the rule or the findings suppressed with the security team; delete rules that are not theirs and look at what they hid.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE event_source WHEN 'securityhub.amazonaws.com' THEN 'Security Hub' WHEN 'access-analyzer.amazonaws.com' THEN 'Access Analyzer'
                    WHEN 'inspector2.amazonaws.com' THEN 'Inspector' ELSE 'Macie' END
    || ': ' || event_name || coalesce(' ' || json_get_str(request_parameters, 'ruleName'), ' ' || json_get_str(request_parameters, 'name'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'securityhub.amazonaws.com' AND event_name IN ('BatchUpdateFindings', 'CreateAutomationRule', 'BatchUpdateAutomationRules')
       AND strpos(coalesce(request_parameters, ''), 'SUPPRESSED') > 0)
   OR (event_source = 'access-analyzer.amazonaws.com' AND event_name IN ('CreateArchiveRule', 'UpdateArchiveRule'))
   OR (event_source = 'inspector2.amazonaws.com' AND event_name IN ('CreateFilter', 'UpdateFilter') AND json_get_str(request_parameters, 'action') = 'SUPPRESS')
   OR (event_source = 'macie2.amazonaws.com' AND event_name IN ('CreateFindingsFilter', 'UpdateFindingsFilter') AND json_get_str(request_parameters, 'action') = 'ARCHIVE')
