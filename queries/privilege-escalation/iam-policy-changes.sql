-- id: iam-policy-changes
-- title: IAM policy changed
-- severity: low
-- kind: event
-- description: >
--   Every change to IAM policies (the event list of CIS AWS 4.4's metric filter): inline policies put or deleted, managed policies created, versioned or deleted, and policies attached or detached. An audit trail of permission changes; attaching AdministratorAccess is called out in the reason.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1098]}
-- references: [https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html]
-- false_positives: ["Every legitimate permission change (review, do not page)"]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || coalesce(' ' || json_get_str(request_parameters, 'policyArn'), ' ' || json_get_str(request_parameters, 'policyName'), '')
    || coalesce(' on ' || coalesce(json_get_str(request_parameters, 'userName'), json_get_str(request_parameters, 'roleName'), json_get_str(request_parameters, 'groupName')), '')
    || CASE WHEN json_get_str(request_parameters, 'policyArn') = 'arn:aws:iam::aws:policy/AdministratorAccess' THEN ' (ADMINISTRATOR ACCESS)' ELSE '' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND error_code IS NULL
  AND event_name IN ('DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
                     'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
                     'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy')
