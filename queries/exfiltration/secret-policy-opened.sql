-- id: secret-policy-opened
-- title: A Secrets Manager secret's resource policy lets any principal read it
-- severity: high
-- kind: event
-- description: >
--   PutResourcePolicy with principal * and no condition naming the organization or accounts lets any AWS account call GetSecretValue on the secret (it still needs the key's permission when a customer key encrypts it): a credential published for whoever knows its ARN.
-- mitre: {tactics: [TA0010, TA0003], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html]
-- false_positives: [Secrets shared with an organization through conditions this detection does not recognise]
-- remediation: >
--   Replace the policy (or DeleteResourcePolicy), turn on BlockPublicPolicy for PutResourcePolicy, and rotate the secret.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'resource policy of secret ' || coalesce(json_get_str(request_parameters, 'secretId'), '?') || ' opened to any principal'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'secretsmanager.amazonaws.com' AND event_name = 'PutResourcePolicy'
  AND regexp_like(coalesce(json_get_str(request_parameters, 'resourcePolicy'), ''), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"')
  AND NOT regexp_like(coalesce(json_get_str(request_parameters, 'resourcePolicy'), ''), '(aws:PrincipalOrgID|aws:PrincipalAccount|aws:SourceAccount|aws:PrincipalOrgPaths)')
