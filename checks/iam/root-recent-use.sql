-- id: iam-root-recent-use
-- title: The root user was not used in the 90 days before collection
-- severity: high
-- description: >
--   The root user cannot be restricted by any policy; daily or administrative work done as
--   root is work no one can limit or tell apart. The CIS audit (v7.0 2.7, v5.0 1.6) reads the
--   root row of the credential report: password_last_used, access_key_1_last_used_date and
--   access_key_2_last_used_date. The benchmark leaves the window to the reviewer; govscan
--   fails a root user used in the 90 days before the snapshot was collected and names the
--   dates, so a rare task that needs root (see "Tasks that require root user credentials")
--   can be muted with its reason.
-- remediation: Do the work through IAM roles; keep the root user for the tasks that require it, with MFA, and remove its access keys.
-- frameworks: { cis-aws-5.0: ["1.6"], cis-aws-6.0: ["2.6"], cis-aws-7.0: ["2.7"] }
-- tables: [iam_credential_report, snapshot_info]
-- requires: [GenerateCredentialReport, GetCredentialReport]
WITH root AS (
  SELECT r.arn, r.account_id, i.collected_at,
         greatest(r.password_last_used, r.access_key_1_last_used_date, r.access_key_2_last_used_date) AS last_used,
         r.password_last_used, r.access_key_1_last_used_date, r.access_key_2_last_used_date
  FROM iam_credential_report r CROSS JOIN snapshot_info i
  WHERE r."user" = '<root_account>'
)
SELECT
  arn AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN last_used >= collected_at - INTERVAL '90 days' THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN last_used IS NULL THEN 'no use of the root user is recorded'
    ELSE concat_ws(', ',
      'password last used ' || CAST(password_last_used AS VARCHAR),
      'access key 1 last used ' || CAST(access_key_1_last_used_date AS VARCHAR),
      'access key 2 last used ' || CAST(access_key_2_last_used_date AS VARCHAR))
  END AS reason
FROM root
