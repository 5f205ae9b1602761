-- id: iam-no-full-admin-policy
-- title: No attached customer managed policy allows "*" on "*"
-- severity: high
-- description: A policy granting every action on every resource makes least privilege impossible to review.
-- remediation: Replace the statement with the actions and resources the principals need.
-- frameworks: { cis-aws-5.0: ["1.15"] }
-- tables: [iam_policies]
-- requires: [GetAccountAuthorizationDetails]
WITH statements AS (
  SELECT arn, unnest(policy_statements(document)) AS s
  FROM iam_policies WHERE NOT aws_managed AND attachment_count > 0
), admin AS (
  SELECT DISTINCT arn FROM statements
  WHERE s['effect'] = 'Allow' AND array_has(s['actions'], '*') AND array_has(s['resources'], '*')
)
SELECT
  p.arn AS resource_id,
  p.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN a.arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN a.arn IS NULL THEN 'no statement allows *:*' ELSE 'a statement allows "*" on "*"' END AS reason
FROM iam_policies p
LEFT JOIN admin a ON a.arn = p.arn
WHERE NOT p.aws_managed AND p.attachment_count > 0
