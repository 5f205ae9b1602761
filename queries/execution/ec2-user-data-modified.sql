-- id: ec2-user-data-modified
-- title: An instance's user data changed
-- severity: high
-- kind: event
-- description: >
--   User data runs as root when a stopped instance starts again: replacing it (ModifyInstanceAttribute with userData) is code execution on the instance at its next start, and a way to keep it. The stop and start around it are the usual tell.
-- mitre: {tactics: [TA0002, TA0003], techniques: [T1059.009, T1037]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.execution.ec2-user-data/]
-- false_positives: [Rebuilding an instance's bootstrap by hand (most teams replace instances instead)]
-- remediation: >
--   Read the new user data (DescribeInstanceAttribute userData) and the instance's console output; restore it and find how the principal got ec2:ModifyInstanceAttribute.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'user data of ' || coalesce(json_get_str(request_parameters, 'instanceId'), 'an instance') || ' replaced'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'ModifyInstanceAttribute'
  AND (json_get(request_parameters, 'userData') IS NOT NULL
       OR json_get_str(request_parameters, 'attribute') = 'userData')
