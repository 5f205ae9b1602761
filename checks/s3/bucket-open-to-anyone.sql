-- id: s3-bucket-open-to-anyone
-- title: No bucket policy lets anyone read or write
-- severity: critical
-- description: >
--   The policy engine asks the bucket policy (and the RCPs of the bucket's account) whether
--   an anonymous principal may get, put or delete objects, list the bucket, read its ACL or
--   change its policy, and counts Block Public Access (the bucket's or the account's
--   RestrictPublicBuckets) where it stops that. Read from the computed table
--   s3_bucket_exposure.
-- remediation: Remove the grant to Principal "*" (or make it conditional on your organization or VPC endpoint), and turn on Block Public Access for the bucket and the account.
-- frameworks: { cis-aws-7.0: ["2.21"] }
-- tables: [s3_buckets, s3_account_public_access_block]
-- requires: [GetBucketPolicy]
WITH open_to_anyone AS (
  SELECT bucket_name, array_to_string(actions, ', ') AS actions
  FROM s3_bucket_exposure
  WHERE exposure = 'public' AND NOT blocked_by_public_access_block
)
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN o.bucket_name IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.bucket_name IS NULL THEN 'no anonymous access through the bucket policy'
       ELSE 'anyone may ' || o.actions END AS reason
FROM s3_buckets b
LEFT JOIN open_to_anyone o ON o.bucket_name = b.bucket_name
