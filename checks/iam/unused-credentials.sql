-- id: iam-unused-credentials
-- title: Credentials unused for 45 days are disabled
-- severity: medium
-- description: >
--   A password or active access key that nobody has used for 45 days is attack surface
--   without a purpose. Ages are measured from the snapshot's collection time; a credential
--   never used counts from its creation.
-- remediation: Remove the console password or deactivate the access key that is not used.
-- frameworks: { cis-aws-5.0: ["1.11"], cis-aws-6.0: ["2.11"], cis-aws-7.0: ["2.11"] }
-- tables: [iam_credential_report, snapshot_info]
-- requires: [GenerateCredentialReport, GetCredentialReport]
WITH ages AS (
  SELECT
    r.arn,
    r.account_id,
    COALESCE(r.password_enabled, false)
      AND COALESCE(r.password_last_used, r.password_last_changed, r.user_creation_time) < i.collected_at - INTERVAL '45 days' AS password_stale,
    COALESCE(r.access_key_1_active, false)
      AND COALESCE(r.access_key_1_last_used_date, r.access_key_1_last_rotated) < i.collected_at - INTERVAL '45 days' AS key1_stale,
    COALESCE(r.access_key_2_active, false)
      AND COALESCE(r.access_key_2_last_used_date, r.access_key_2_last_rotated) < i.collected_at - INTERVAL '45 days' AS key2_stale
  FROM iam_credential_report r CROSS JOIN snapshot_info i
  WHERE r."user" <> '<root_account>'
)
SELECT
  arn AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN password_stale OR key1_stale OR key2_stale THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN password_stale OR key1_stale OR key2_stale
    THEN concat_ws(', ',
      CASE WHEN password_stale THEN 'password unused for 45 days' END,
      CASE WHEN key1_stale THEN 'access key 1 unused for 45 days' END,
      CASE WHEN key2_stale THEN 'access key 2 unused for 45 days' END)
    ELSE 'no credential unused for 45 days'
  END AS reason
FROM ages
