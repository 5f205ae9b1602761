-- id: kms-cmk-rotation
-- title: Customer managed symmetric KMS keys rotate their key material
-- severity: medium
-- description: >
--   Rotation gives a key new material every period while keeping the old for decryption,
--   so a leaked copy of the material protects less and less new data. The CIS audit (v7.0
--   4.6): for each customer created symmetric key, GetKeyRotationStatus answers
--   KeyRotationEnabled true. One row per customer managed SYMMETRIC_DEFAULT key whose
--   material KMS generated (AWS rotates imported material and custom key stores never, so
--   those keys are left out rather than failed), pending deletion excepted; disabled keys
--   are kept, as enabling one brings back its rotation setting.
-- remediation: aws kms enable-key-rotation --key-id KEY_ID (optionally --rotation-period-in-days 90 to 2560).
-- frameworks: { cis-aws-5.0: ["3.6"], cis-aws-6.0: ["4.6"], cis-aws-7.0: ["4.6"] }
-- tables: [kms_keys]
-- requires: [ListKeys, DescribeKey, GetKeyRotationStatus]
SELECT
  arn AS resource_id,
  account_id,
  region,
  CASE WHEN rotation_enabled THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN rotation_enabled THEN 'rotates every ' || coalesce(CAST(rotation_period_days AS VARCHAR), '365') || ' days'
    WHEN rotation_enabled IS NULL THEN 'rotation status not reported'
    ELSE 'automatic rotation is off (' || key_state || ')'
  END AS reason
FROM kms_keys
WHERE key_manager = 'CUSTOMER'
  AND key_spec = 'SYMMETRIC_DEFAULT'
  AND origin = 'AWS_KMS'
  AND key_state NOT IN ('PendingDeletion', 'PendingReplicaDeletion')
