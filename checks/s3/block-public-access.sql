-- id: s3-block-public-access
-- title: Every bucket is covered by all four Block Public Access settings
-- severity: high
-- description: >
--   Block Public Access overrides public policies and ACLs. A bucket passes when all four
--   settings are on, at the bucket or at the account level.
-- remediation: Turn on all four Block Public Access settings for the account, or for the bucket.
-- frameworks: { cis-aws-5.0: ["2.1.4"], cis-aws-6.0: ["3.1.4"], cis-aws-7.0: ["3.1.4"] }
-- tables: [s3_buckets, s3_account_public_access_block]
-- requires: [ListBuckets, GetBucketLocation, GetPublicAccessBlock]
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN bucket_all OR COALESCE(account_all, false) THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN bucket_all THEN 'all four settings on at the bucket'
    WHEN COALESCE(account_all, false) THEN 'all four settings on at the account'
    ELSE 'not all four settings are on, at the bucket or the account'
  END AS reason
FROM (
  SELECT *, block_public_acls AND ignore_public_acls AND block_public_policy AND restrict_public_buckets AS bucket_all FROM s3_buckets
) b
LEFT JOIN (
  SELECT account_id, block_public_acls AND ignore_public_acls AND block_public_policy AND restrict_public_buckets AS account_all
  FROM s3_account_public_access_block
) a ON a.account_id = b.account_id
