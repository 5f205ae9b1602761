-- id: iam-password-reuse
-- title: The password policy prevents reusing the last 24 passwords
-- severity: medium
-- description: Reused passwords undo rotation and revive leaked credentials.
-- remediation: Set the account password policy's reuse prevention to 24.
-- frameworks: { cis-aws-5.0: ["1.8"], cis-aws-6.0: ["2.8"], cis-aws-7.0: ["2.9"] }
-- tables: [iam_password_policy]
-- requires: [GetAccountPasswordPolicy]
SELECT
  'account/' || account_id AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN policy_exists AND password_reuse_prevention >= 24 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN NOT policy_exists THEN 'no password policy is set'
    WHEN password_reuse_prevention IS NULL THEN 'password reuse is not prevented'
    ELSE 'the last ' || CAST(password_reuse_prevention AS VARCHAR) || ' passwords cannot be reused'
  END AS reason
FROM iam_password_policy
