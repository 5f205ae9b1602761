-- id: iam-root-mfa
-- title: The root user has MFA, or no password to sign in with
-- severity: critical
-- description: >
--   Without MFA, the root user's password alone opens the whole account. The CIS audit
--   (v7.0 2.5): AccountMFAEnabled is 1, or AccountPasswordPresent is 0: a root user without
--   a password (removed by centralized root access, for example) cannot sign in to the
--   console, and needs no MFA device. An account whose summary does not report the password
--   is judged on MFA alone.
-- remediation: Sign in as the root user and assign an MFA device (Security credentials), or remove the member account's root password with centralized root access.
-- frameworks: { cis-aws-5.0: ["1.4"], cis-aws-6.0: ["2.4"], cis-aws-7.0: ["2.5"] }
-- tables: [iam_account_summary]
-- requires: [GetAccountSummary]
WITH summary AS (
  SELECT account_id,
         max(CASE WHEN name = 'AccountMFAEnabled' THEN value END) AS mfa,
         max(CASE WHEN name = 'AccountPasswordPresent' THEN value END) AS password
  FROM iam_account_summary GROUP BY account_id
)
SELECT
  'arn:aws:iam::' || account_id || ':root' AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN mfa = 1 OR password = 0 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN mfa = 1 THEN 'the root user has MFA'
    WHEN password = 0 THEN 'the root user has no password (no console sign-in), so needs no MFA'
    ELSE 'the root user has a password and no MFA device'
  END AS reason
FROM summary
WHERE mfa IS NOT NULL OR password IS NOT NULL
