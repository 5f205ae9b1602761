-- id: s3-mfa-delete
-- title: Buckets have MFA delete enabled
-- severity: low
-- description: MFA delete stops a stolen key from permanently deleting object versions or suspending versioning.
-- remediation: As the root user, enable versioning with MFA delete (aws s3api put-bucket-versioning --mfa ...).
-- frameworks: { cis-aws-5.0: ["2.1.2"], cis-aws-6.0: ["3.1.2"], cis-aws-7.0: ["3.1.2"] }
-- tables: [s3_buckets]
-- requires: [ListBuckets, GetBucketLocation, GetBucketVersioning]
SELECT
  arn AS resource_id,
  account_id,
  region,
  CASE WHEN mfa_delete = 'Enabled' THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN mfa_delete = 'Enabled' THEN 'MFA delete is enabled' ELSE 'MFA delete is not enabled (versioning: ' || COALESCE(versioning_status, 'never enabled') || ')' END AS reason
FROM s3_buckets
