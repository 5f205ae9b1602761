-- id: efs-encrypted
-- title: EFS file systems are encrypted at rest
-- severity: medium
-- description: >
--   Encryption at rest of an EFS file system can only be chosen when it is created. The CIS
--   audit (v7.0 3.3.1): DescribeFileSystems shows Encrypted true for each file system. One
--   row per file system that is not being deleted.
-- remediation: Create an encrypted file system (aws efs create-file-system --encrypted), copy the data over (AWS DataSync), and delete the unencrypted one.
-- frameworks: { cis-aws-5.0: ["2.3.1"], cis-aws-6.0: ["3.3.1"], cis-aws-7.0: ["3.3.1"] }
-- tables: [efs_file_systems]
-- requires: [DescribeFileSystems]
SELECT
  coalesce(arn, 'arn:aws:elasticfilesystem:' || region || ':' || account_id || ':file-system/' || file_system_id) AS resource_id,
  account_id,
  region,
  CASE WHEN encrypted THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN encrypted THEN 'encrypted with ' || coalesce(kms_key_id, 'the AWS managed key')
       ELSE 'not encrypted at rest' END AS reason
FROM efs_file_systems
WHERE coalesce(life_cycle_state, 'available') NOT IN ('deleting', 'deleted')
