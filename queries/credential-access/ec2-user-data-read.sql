-- id: ec2-user-data-read
-- title: EC2 instance user data read
-- severity: low
-- kind: event
-- description: >
--   User data often holds bootstrap secrets; reading it (DescribeInstanceAttribute for userData) is a known credential-access step. Attempts are reported once per principal and hour.
-- mitre: {tactics: [TA0006], techniques: [T1552.005]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.discovery.ec2-download-user-data/]
-- false_positives: [Operators inspecting an instance in the console]
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       'user data of ' || count(DISTINCT json_get_str(request_parameters, 'instanceId')) || ' instance(s) read, ' || count(error_code) || ' attempt(s) failed' AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'DescribeInstanceAttribute'
  AND json_get_str(request_parameters, 'attribute') = 'userData'
GROUP BY principal, date_trunc('hour', event_time)
