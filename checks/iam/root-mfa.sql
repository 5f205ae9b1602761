-- id: iam-root-mfa
-- title: The root user has MFA
-- severity: critical
-- description: Without MFA, the root user's password alone opens the whole account.
-- remediation: Sign in as the root user and assign an MFA device (Security credentials).
-- frameworks: { cis-aws-5.0: ["1.4"] }
-- tables: [iam_account_summary]
-- requires: [GetAccountSummary]
SELECT
  'arn:aws:iam::' || account_id || ':root' AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN value = 1 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN value = 1 THEN 'the root user has MFA' ELSE 'the root user has no MFA device' END AS reason
FROM iam_account_summary
WHERE name = 'AccountMFAEnabled'
