-- id: eventbridge-target-in-other-account
-- title: An EventBridge rule sends events to another account
-- severity: medium
-- kind: event
-- description: >
--   A rule target in another account (an event bus, a queue, a function) receives every event the rule matches: a pattern that matches CloudTrail API calls forwards the account's activity, secrets in request parameters included, to whoever owns the target.
-- mitre: {tactics: [TA0010, TA0003], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html]
-- false_positives: ["Central event buses of the organization's security or operations account"]
-- remediation: >
--   Check the target account against the organization's accounts; remove the target if it is not one of yours.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'rule ' || coalesce(json_get_str(request_parameters, 'rule'), '?') || ' targets account '
    || regexp_match(regexp_replace(json_get_json(request_parameters, 'targets'), ':' || account_id || ':', '::', 'g'), ':([0-9]{12}):')[1] || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'events.amazonaws.com' AND event_name = 'PutTargets'
  AND regexp_like(regexp_replace(json_get_json(request_parameters, 'targets'), ':' || account_id || ':', '::', 'g'), ':[0-9]{12}:')
