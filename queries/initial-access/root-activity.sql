-- id: root-activity
-- title: The root user was used
-- severity: high
-- kind: event
-- description: >
--   The root user cannot be limited by IAM policies or SCPs; it should sign in only for the few tasks that need it. Each call made as root is reported (AWS services acting on the account's behalf are not).
-- mitre: {tactics: [TA0001, TA0004], techniques: [T1078.004]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html]
-- false_positives: [The root-only tasks, e.g. changing the support plan or closing the account]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'root called ' || event_source || ':' || event_name
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE user_identity['type'] = 'Root'
  AND user_identity['invoked_by'] IS NULL
  AND coalesce(event_type, '') <> 'AwsServiceEvent'
