-- id: rds-auto-minor-version-upgrade
-- title: RDS DB instances take minor engine upgrades automatically
-- severity: low
-- description: >
--   Minor engine versions carry security fixes; with automatic minor version upgrades they
--   are applied in the maintenance window. The CIS audit (v7.0 3.2.2): DescribeDBInstances
--   shows AutoMinorVersionUpgrade true for each instance. One row per DB instance that is
--   not being deleted.
-- remediation: aws rds modify-db-instance --db-instance-identifier ID --auto-minor-version-upgrade --apply-immediately
-- frameworks: { cis-aws-5.0: ["2.2.2"], cis-aws-6.0: ["3.2.2"], cis-aws-7.0: ["3.2.2"] }
-- tables: [rds_db_instances]
-- requires: [DescribeDBInstances]
SELECT
  coalesce(arn, 'arn:aws:rds:' || region || ':' || account_id || ':db:' || db_instance_identifier) AS resource_id,
  account_id,
  region,
  CASE WHEN auto_minor_version_upgrade THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN auto_minor_version_upgrade THEN 'minor versions are applied automatically'
       ELSE 'automatic minor version upgrade is off' END AS reason
FROM rds_db_instances
WHERE coalesce(status, 'available') <> 'deleting'
