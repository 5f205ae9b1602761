-- id: access-key-created-then-used-elsewhere
-- title: An access key created, then used from another address
-- severity: high
-- kind: sequence
-- description: >
--   CreateAccessKey, then calls signed with the new key from a source address other than the creator's within sequence_hours: the key was handed to (or created by) someone elsewhere.
-- mitre: {tactics: [TA0003], techniques: [T1098.001]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-backdoor-user/]
-- false_positives: [A key created on a workstation for a server or CI system]
WITH created AS (
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address,
         json_get_str(response_elements, 'accessKey', 'accessKeyId') AS key_id,
         json_get_str(request_parameters, 'userName') AS user_name
  FROM hunt_events
  WHERE event_source = 'iam.amazonaws.com' AND event_name = 'CreateAccessKey' AND error_code IS NULL
)
SELECT c.event_time, c.account_id, c.aws_region AS region, c.principal, min(u.source_ip_address) AS source_ip_address,
       array_concat(make_array(c.event_id), array_agg(u.event_id)) AS event_ids,
       'key ' || c.key_id || ' of ' || coalesce(c.user_name, 'the caller') || ' created from ' || c.source_ip_address
         || ', then used ' || count(*) || ' time(s) from ' || string_agg(DISTINCT u.source_ip_address, ', ') AS reason
FROM created c CROSS JOIN hunt_params p
JOIN hunt_events u
  ON u.user_identity['access_key_id'] = c.key_id
 AND u.event_time > c.event_time
 AND date_part('epoch', u.event_time) <= date_part('epoch', c.event_time) + p.sequence_hours * 3600
 AND u.source_ip_address IS DISTINCT FROM c.source_ip_address
GROUP BY c.event_id, c.event_time, c.account_id, c.aws_region, c.principal, c.source_ip_address, c.key_id, c.user_name
