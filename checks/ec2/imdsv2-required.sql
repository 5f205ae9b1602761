-- id: ec2-imdsv2-required
-- title: The instance metadata service of every instance answers IMDSv2 only
-- severity: high
-- description: >
--   IMDSv1 answers any plain GET from the instance, so a server-side request forgery in an
--   application hands out the instance role's credentials; IMDSv2 needs a session token
--   obtained with a PUT. The CIS audit (v7.0 6.7): HttpTokens is required. An instance whose
--   metadata service is disabled (HttpEndpoint disabled) answers neither version and passes.
--   One row per instance that is not terminated.
-- remediation: aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required --http-endpoint enabled (and set the account default for new instances).
-- frameworks: { cis-aws-5.0: ["5.7"], cis-aws-6.0: ["6.7"], cis-aws-7.0: ["6.7"] }
-- tables: [ec2_instances]
-- requires: [DescribeInstances]
SELECT
  'arn:aws:ec2:' || region || ':' || account_id || ':instance/' || instance_id AS resource_id,
  account_id,
  region,
  CASE WHEN http_tokens = 'required' OR http_endpoint = 'disabled' THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN http_endpoint = 'disabled' THEN 'the metadata service is disabled'
    WHEN http_tokens = 'required' THEN 'IMDSv2 required'
    ELSE 'IMDSv1 answers too (HttpTokens ' || coalesce(http_tokens, 'not reported') || ')'
  END AS reason
FROM ec2_instances
