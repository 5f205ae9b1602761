-- id: iam-no-keys-at-setup
-- title: Console users have no unused access keys created with them
-- severity: low
-- description: >
--   An access key made when the user was set up, "in case", is a long-term credential
--   nobody asked for. The CIS audit (v5.0 1.10, v6.0 2.10; dropped in v7.0) reads the
--   credential report, which has no key creation date: a user with a console password and
--   an active access key that was never used (access_key_N_last_used_date N/A) fails.
-- remediation: Delete the unused access key (aws iam delete-access-key); let users create keys themselves when they need them.
-- frameworks: { cis-aws-5.0: ["1.10"], cis-aws-6.0: ["2.10"] }
-- tables: [iam_credential_report]
-- requires: [GenerateCredentialReport, GetCredentialReport]
WITH users AS (
  SELECT arn, account_id,
         COALESCE(access_key_1_active, false) AND access_key_1_last_used_date IS NULL AS key1_unused,
         COALESCE(access_key_2_active, false) AND access_key_2_last_used_date IS NULL AS key2_unused
  FROM iam_credential_report
  WHERE "user" <> '<root_account>' AND COALESCE(password_enabled, false)
)
SELECT
  arn AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN key1_unused OR key2_unused THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN key1_unused OR key2_unused
    THEN concat_ws(', ',
      CASE WHEN key1_unused THEN 'access key 1 is active and was never used' END,
      CASE WHEN key2_unused THEN 'access key 2 is active and was never used' END)
    ELSE 'no active access key that was never used'
  END AS reason
FROM users
