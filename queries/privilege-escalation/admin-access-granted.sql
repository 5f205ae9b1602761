-- id: admin-access-granted
-- title: Administrator access granted to a user, group or role
-- severity: high
-- kind: event
-- description: >
--   AdministratorAccess attached, or an inline policy allowing every action on every resource put, on a user, group or role: the last step of most privilege escalations. iam-policy-changes reports every policy change; this is the one that grants everything.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1098.003, T1098]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.privilege-escalation.iam-update-user-login-profile/, https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html]
-- false_positives: [Break-glass roles set up by the cloud team]
-- remediation: >
--   Check the grant against a change request; detach it and review what the principal did since (hunt by principal).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' on ' || coalesce(json_get_str(request_parameters, 'userName'), json_get_str(request_parameters, 'roleName'), json_get_str(request_parameters, 'groupName'), '?')
    || ': ' || coalesce(json_get_str(request_parameters, 'policyArn'), 'inline ' || coalesce(json_get_str(request_parameters, 'policyName'), 'policy') || ' allowing *')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com'
  AND ((event_name IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy')
        AND json_get_str(request_parameters, 'policyArn') LIKE 'arn:aws%:iam::aws:policy/AdministratorAccess')
       OR (event_name IN ('PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy')
           AND regexp_like(coalesce(json_get_str(request_parameters, 'policyDocument'), ''), '"Action"\s*:\s*(\[\s*)?"\*"')
           AND regexp_like(coalesce(json_get_str(request_parameters, 'policyDocument'), ''), '"Resource"\s*:\s*(\[\s*)?"\*"')
           AND regexp_like(coalesce(json_get_str(request_parameters, 'policyDocument'), ''), '"Effect"\s*:\s*"Allow"')))
