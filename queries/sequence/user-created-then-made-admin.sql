-- id: user-created-then-made-admin
-- title: A new IAM user given administrator access
-- severity: high
-- kind: sequence
-- description: >
--   CreateUser, then within sequence_hours the same user gets AdministratorAccess (attached to the user, or through a group that has it by name), or an inline policy allowing every action: a fresh backdoor administrator.
-- mitre: {tactics: [TA0003, TA0004], techniques: [T1136.003, T1098]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-admin-user/]
-- false_positives: [Creating a break-glass administrator]
WITH users AS (
  SELECT event_id, event_time, account_id, principal, json_get_str(request_parameters, 'userName') AS user_name
  FROM hunt_events
  WHERE event_source = 'iam.amazonaws.com' AND event_name = 'CreateUser' AND error_code IS NULL
), grants AS (
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address, event_name,
         json_get_str(request_parameters, 'userName') AS user_name,
         coalesce(json_get_str(request_parameters, 'policyArn'), json_get_str(request_parameters, 'groupName'), json_get_str(request_parameters, 'policyName')) AS what
  FROM hunt_events
  WHERE event_source = 'iam.amazonaws.com' AND error_code IS NULL AND (
    (event_name = 'AttachUserPolicy' AND json_get_str(request_parameters, 'policyArn') = 'arn:aws:iam::aws:policy/AdministratorAccess')
    OR (event_name = 'AddUserToGroup' AND lower(json_get_str(request_parameters, 'groupName')) LIKE '%admin%')
    OR (event_name = 'PutUserPolicy' AND strpos(replace(json_get_str(request_parameters, 'policyDocument'), ' ', ''), '"Action":"*"') > 0))
)
SELECT g.event_time, g.account_id, g.aws_region AS region, g.principal, g.source_ip_address,
       make_array(u.event_id, g.event_id) AS event_ids,
       'user ' || u.user_name || ' created by ' || u.principal || ', then ' || g.event_name || ' ' || g.what AS reason
FROM users u CROSS JOIN hunt_params p
JOIN grants g
  ON g.account_id = u.account_id AND g.user_name = u.user_name
 AND g.event_time >= u.event_time
 AND date_part('epoch', g.event_time) <= date_part('epoch', u.event_time) + p.sequence_hours * 3600
