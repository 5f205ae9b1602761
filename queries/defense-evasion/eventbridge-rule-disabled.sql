-- id: eventbridge-rule-disabled
-- title: An EventBridge rule disabled or deleted
-- severity: low
-- kind: event
-- description: >
--   EventBridge rules drive security automation: forwarding GuardDuty and Security Hub findings, auto-remediation, alerts on root use. Disabling or deleting one (or removing its targets) silently stops that response.
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DisableRule.html]
-- false_positives: [Application teams changing their own rules; deployments replacing rules]
-- remediation: >
--   Check what the rule did (DescribeRule, ListTargetsByRule) and re-enable it if it was security automation; protect those rules with an SCP on their names.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'rule'), '?')
    || coalesce(' on bus ' || json_get_str(request_parameters, 'eventBusName'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'events.amazonaws.com' AND event_name IN ('DisableRule', 'DeleteRule', 'RemoveTargets')
