-- id: iam-password-min-length
-- title: The password policy requires at least 14 characters
-- severity: medium
-- description: Short console passwords are guessed and cracked quickly.
-- remediation: Set the account password policy's minimum length to 14 or more.
-- frameworks: { cis-aws-5.0: ["1.7"], cis-aws-6.0: ["2.7"], cis-aws-7.0: ["2.8"] }
-- tables: [iam_password_policy]
-- requires: [GetAccountPasswordPolicy]
SELECT
  'account/' || account_id AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN policy_exists AND minimum_password_length >= 14 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN NOT policy_exists THEN 'no password policy is set'
    ELSE 'minimum password length is ' || CAST(minimum_password_length AS VARCHAR)
  END AS reason
FROM iam_password_policy
