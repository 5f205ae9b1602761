-- id: iam-writes-with-instance-credentials
-- title: "IAM changed with an EC2 instance's role credentials"
-- severity: high
-- kind: event
-- description: >
--   Users, keys, roles and policies created or changed by a session named after an instance: software on an instance rarely manages IAM, so these are usually stolen instance credentials (SSRF, a compromised host) used to make a foothold that outlives the instance.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1078.004, T1098]}
-- references: [https://www.elastic.co/guide/en/security/current/aws-iam-create-user-via-assumed-role-on-ec2-instance.html]
-- false_positives: [CI runners and infrastructure-as-code on EC2 instances that manage IAM]
-- remediation: >
--   Check the instance and what the change made; revoke the role's sessions and remove what the session created if the instance is not an IAM automation host.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' by instance ' || split_part(user_identity['principal_id'], ':', 2)
    || coalesce(' on ' || coalesce(json_get_str(request_parameters, 'userName'), json_get_str(request_parameters, 'roleName'), json_get_str(request_parameters, 'policyArn')), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND NOT read_only
  AND user_identity['type'] = 'AssumedRole'
  AND regexp_like(user_identity['principal_id'], ':i-[0-9a-f]{8,17}$')
