-- id: iam-permissions-via-groups
-- title: IAM users receive permissions only through groups
-- severity: low
-- description: Policies attached to individual users are hard to review and drift apart.
-- remediation: Move the user's attached and inline policies to a group and add the user to it.
-- frameworks: { cis-aws-5.0: ["1.14"], cis-aws-6.0: ["2.14"], cis-aws-7.0: ["2.13"] }
-- tables: [iam_users, iam_policy_attachments, iam_inline_policies]
-- requires: [GetAccountAuthorizationDetails]
WITH direct AS (
  SELECT account_id, principal_name, COUNT(*) AS n FROM (
    SELECT account_id, principal_name FROM iam_policy_attachments WHERE principal_type = 'user'
    UNION ALL
    SELECT account_id, principal_name FROM iam_inline_policies WHERE principal_type = 'user'
  ) GROUP BY account_id, principal_name
)
SELECT
  u.arn AS resource_id,
  u.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN d.n IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN d.n IS NULL THEN 'no policy on the user itself' ELSE CAST(d.n AS VARCHAR) || ' policy(ies) attached to the user directly' END AS reason
FROM iam_users u
LEFT JOIN direct d ON d.account_id = u.account_id AND d.principal_name = u.user_name
