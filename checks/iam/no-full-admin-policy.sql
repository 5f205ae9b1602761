-- id: iam-no-full-admin-policy
-- title: No attached managed policy allows "*" on "*"
-- severity: high
-- description: >
--   A policy granting every action on every resource makes least privilege impossible to
--   review. The CIS audit (v7.0 2.14) reads every attached managed policy
--   (list-policies --only-attached), AWS managed ones included: AdministratorAccess
--   attached to anyone is the commonest violation. A policy fails when a statement has
--   Effect Allow, Action "*" (or "*:*") and Resource "*". Inline policies are outside the
--   benchmark's audit; iam-admin-users judges what principals can do with all their
--   policies.
-- remediation: Detach the policy from its users, groups and roles (aws iam list-entities-for-policy shows them) and grant the actions and resources they need instead.
-- frameworks: { cis-aws-5.0: ["1.15"], cis-aws-6.0: ["2.15"], cis-aws-7.0: ["2.14"] }
-- tables: [iam_policies]
-- requires: [GetAccountAuthorizationDetails, GetPolicy, GetPolicyVersion]
WITH statements AS (
  SELECT account_id, arn, unnest(policy_statements(document)) AS s
  FROM iam_policies WHERE attachment_count > 0
), admin AS (
  SELECT DISTINCT account_id, arn FROM statements
  WHERE s['effect'] = 'Allow'
    AND (array_has(s['actions'], '*') OR array_has(s['actions'], '*:*'))
    AND array_has(s['resources'], '*')
)
SELECT
  p.arn AS resource_id,
  p.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN a.arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN a.arn IS NULL THEN 'no statement allows *:*'
    WHEN p.aws_managed THEN 'AWS managed, attached ' || CAST(p.attachment_count AS VARCHAR) || ' time(s): a statement allows "*" on "*"'
    ELSE 'attached ' || CAST(p.attachment_count AS VARCHAR) || ' time(s): a statement allows "*" on "*"'
  END AS reason
FROM iam_policies p
LEFT JOIN admin a ON a.arn = p.arn AND a.account_id = p.account_id
WHERE p.attachment_count > 0
