-- id: rds-storage-encrypted
-- title: RDS DB instances are encrypted at rest
-- severity: medium
-- description: >
--   Encryption at rest covers the instance's storage, its automated backups, read replicas
--   and snapshots, and can only be chosen when the instance is created. The CIS audit (v7.0
--   3.2.1): DescribeDBInstances shows StorageEncrypted true for each instance. One row per
--   DB instance that is not being deleted.
-- remediation: Snapshot the instance, copy the snapshot with --kms-key-id, restore an encrypted instance from it, and move the clients over.
-- frameworks: { cis-aws-5.0: ["2.2.1"], cis-aws-6.0: ["3.2.1"], cis-aws-7.0: ["3.2.1"] }
-- tables: [rds_db_instances]
-- requires: [DescribeDBInstances]
SELECT
  coalesce(arn, 'arn:aws:rds:' || region || ':' || account_id || ':db:' || db_instance_identifier) AS resource_id,
  account_id,
  region,
  CASE WHEN storage_encrypted THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN storage_encrypted THEN 'encrypted with ' || coalesce(kms_key_id, 'a KMS key')
       ELSE 'storage is not encrypted' END AS reason
FROM rds_db_instances
WHERE coalesce(status, 'available') <> 'deleting'
