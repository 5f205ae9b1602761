-- id: role-assumed-then-iam-writes
-- title: A role assumed, then used to change IAM
-- severity: medium
-- kind: sequence
-- description: >
--   AssumeRole, then IAM write calls signed with the session's credentials within sequence_hours: privilege escalation through a role is usually followed by IAM changes that make it stick. The finding holds the AssumeRole and the IAM writes.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1548, T1098]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use.html]
-- false_positives: [Administrators who work through a role, deployment pipelines]
WITH assumed AS (
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address,
         json_get_str(response_elements, 'credentials', 'accessKeyId') AS key_id,
         json_get_str(request_parameters, 'roleArn') AS role_arn
  FROM hunt_events
  WHERE event_source = 'sts.amazonaws.com' AND event_name = 'AssumeRole' AND error_code IS NULL
)
SELECT min(w.event_time) AS event_time, a.account_id, a.aws_region AS region, a.principal, a.source_ip_address,
       array_concat(make_array(a.event_id), array_agg(w.event_id)) AS event_ids,
       a.principal || ' assumed ' || a.role_arn || ', then ' || count(*) || ' IAM write(s): ' || string_agg(DISTINCT w.event_name, ', ') AS reason
FROM assumed a CROSS JOIN hunt_params p
JOIN hunt_events w
  ON w.user_identity['access_key_id'] = a.key_id
 AND w.event_source = 'iam.amazonaws.com' AND w.read_only = false AND w.error_code IS NULL
 AND w.event_time >= a.event_time
 AND date_part('epoch', w.event_time) <= date_part('epoch', a.event_time) + p.sequence_hours * 3600
GROUP BY a.event_id, a.event_time, a.account_id, a.aws_region, a.principal, a.source_ip_address, a.role_arn
