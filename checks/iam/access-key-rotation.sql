-- id: iam-access-key-rotation
-- title: Active access keys are rotated every 90 days
-- severity: medium
-- description: The older a key, the more places it has been copied to. Age is measured at collection time.
-- remediation: Create a new key, move its users to it, then deactivate and delete the old one.
-- frameworks: { cis-aws-5.0: ["1.13"], cis-aws-6.0: ["2.13"], cis-aws-7.0: ["2.12"] }
-- tables: [iam_access_keys, snapshot_info]
-- requires: [ListAccessKeys]
SELECT
  k.access_key_id AS resource_id,
  k.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN k.create_date < i.collected_at - INTERVAL '90 days' THEN 'FAIL' ELSE 'PASS' END AS status,
  'key of ' || k.user_name || ' created ' || CAST(CAST(k.create_date AS DATE) AS VARCHAR) AS reason
FROM iam_access_keys k CROSS JOIN snapshot_info i
WHERE k.status = 'Active'
