-- id: ecr-repository-made-public
-- title: An ECR repository's policy lets anyone pull its images
-- severity: medium
-- kind: event
-- description: >
--   A repository policy granting principal * lets every AWS account pull the images (with their code, configuration and often secrets baked in), or push new ones when the actions allow it.
-- mitre: {tactics: [TA0010, TA0003], techniques: [T1537, T1525]}
-- references: [https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html]
-- false_positives: [Images published on purpose (ECR Public is the usual place)]
-- remediation: >
--   Restrict the policy to named accounts or aws:PrincipalOrgID, and check the repository's pull events.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'repository ' || coalesce(json_get_str(request_parameters, 'repositoryName'), '?') || ' open to anyone'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ecr.amazonaws.com' AND event_name = 'SetRepositoryPolicy'
  AND regexp_like(coalesce(json_get_str(request_parameters, 'policyText'), ''), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"')
  AND NOT regexp_like(coalesce(json_get_str(request_parameters, 'policyText'), ''), 'aws:(PrincipalOrgID|SourceAccount|PrincipalAccount)')
