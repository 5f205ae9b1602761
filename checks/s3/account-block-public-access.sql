-- id: s3-account-block-public-access
-- title: The account has all four S3 Block Public Access settings on
-- severity: high
-- description: >
--   Account-level Block Public Access protects every bucket, including those created later.
--   It is not mapped to CIS 3.1.4: the benchmark accepts all four settings at the bucket
--   level or at the account level (s3-block-public-access judges each bucket that way), so
--   an account without them whose buckets each have them complies.
-- remediation: aws s3control put-public-access-block --account-id ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
-- tables: [s3_account_public_access_block]
-- requires: [GetPublicAccessBlock]
SELECT
  'account/' || account_id AS resource_id,
  account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN block_public_acls AND ignore_public_acls AND block_public_policy AND restrict_public_buckets THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN NOT configured THEN 'no account-level configuration' ELSE
    concat_ws(', ',
      'BlockPublicAcls=' || CAST(block_public_acls AS VARCHAR),
      'IgnorePublicAcls=' || CAST(ignore_public_acls AS VARCHAR),
      'BlockPublicPolicy=' || CAST(block_public_policy AS VARCHAR),
      'RestrictPublicBuckets=' || CAST(restrict_public_buckets AS VARCHAR))
  END AS reason
FROM s3_account_public_access_block
