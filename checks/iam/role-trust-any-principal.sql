-- id: iam-role-trust-any-principal
-- title: No role can be assumed by any AWS principal
-- severity: critical
-- description: >
--   A trust policy that allows Principal "*" (or {"AWS": "*"}) without a condition lets any
--   AWS account in the world assume the role.
-- remediation: Name the accounts or roles that may assume the role, or add a condition such as aws:PrincipalOrgID.
-- frameworks: { cis-aws-7.0: ["2.21"] }
-- tables: [iam_roles]
-- requires: [GetAccountAuthorizationDetails]
WITH open_trust AS (
  SELECT DISTINCT arn FROM (SELECT arn, unnest(policy_statements(assume_role_policy)) AS s FROM iam_roles)
  WHERE s['effect'] = 'Allow'
    -- "*", {"AWS": "*"}, or {"AWS": [..., "*", ...]}
    AND (s['principal'] = '"*"' OR json_get_str(s['principal'], 'AWS') = '*' OR s['principal'] LIKE '%"AWS":[%"*"%]%')
    AND s['condition'] IS NULL
)
SELECT
  r.arn AS resource_id,
  r.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN o.arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.arn IS NULL THEN 'the trust policy names who may assume the role' ELSE 'any AWS principal may assume the role' END AS reason
FROM iam_roles r
LEFT JOIN open_trust o ON o.arn = r.arn
