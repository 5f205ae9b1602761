-- id: iam-root-access-key
-- title: The root user has no access key
-- severity: critical
-- description: >
--   Access keys of the root user give unrestricted, unattributable programmatic access to
--   the account and cannot be limited by IAM or SCPs.
-- remediation: Sign in as the root user and delete its access keys (Security credentials).
-- frameworks: { cis-aws-5.0: ["1.3"], cis-aws-6.0: ["2.3"], cis-aws-7.0: ["2.4"] }
-- tables: [iam_account_summary]
-- requires: [GetAccountSummary]
SELECT
  'arn:aws:iam::' || account_id || ':root' AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN value > 0 THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN value > 0 THEN 'the root user has an access key' ELSE 'the root user has no access key' END AS reason
FROM iam_account_summary
WHERE name = 'AccountAccessKeysPresent'
