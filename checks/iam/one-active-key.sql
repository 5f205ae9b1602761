-- id: iam-one-active-key
-- title: No IAM user has more than one active access key
-- severity: medium
-- description: A second active key doubles what can leak and is rarely needed outside a rotation.
-- remediation: Deactivate and delete the access key that is not in use.
-- frameworks: { cis-aws-5.0: ["1.12"], cis-aws-6.0: ["2.12"] }
-- tables: [iam_users, iam_access_keys]
-- requires: [ListUsers, ListAccessKeys]
SELECT
  u.arn AS resource_id,
  u.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN COALESCE(k.active, 0) > 1 THEN 'FAIL' ELSE 'PASS' END AS status,
  CAST(COALESCE(k.active, 0) AS VARCHAR) || ' active access key(s)' AS reason
FROM iam_users u
LEFT JOIN (
  SELECT account_id, user_name, COUNT(*) AS active FROM iam_access_keys WHERE status = 'Active' GROUP BY account_id, user_name
) k ON k.account_id = u.account_id AND k.user_name = u.user_name
