-- id: s3-public-bucket
-- title: No bucket is readable or writable by anyone
-- severity: critical
-- description: >
--   A bucket is public when AWS says its policy is public, when its ACL grants AllUsers or
--   AuthenticatedUsers, or when its policy allows Principal "*" without a condition. Block
--   Public Access at the bucket or account level makes it private again.
-- remediation: Remove the public grant, or turn on Block Public Access.
-- tables: [s3_buckets, s3_account_public_access_block]
-- requires: [ListBuckets, GetBucketLocation, GetBucketPolicy, GetBucketAcl, GetPublicAccessBlock]
WITH open_policy AS (
  SELECT DISTINCT arn FROM (SELECT arn, unnest(policy_statements(policy)) AS s FROM s3_buckets WHERE policy IS NOT NULL)
  WHERE s['effect'] = 'Allow'
    AND (s['principal'] = '"*"' OR json_get_str(s['principal'], 'AWS') = '*')
    AND s['condition'] IS NULL
), blocked AS (
  SELECT b.arn,
    (b.block_public_policy AND b.restrict_public_buckets) OR COALESCE(a.block_public_policy AND a.restrict_public_buckets, false) AS policy_blocked,
    (b.block_public_acls AND b.ignore_public_acls) OR COALESCE(a.block_public_acls AND a.ignore_public_acls, false) AS acl_blocked
  FROM s3_buckets b LEFT JOIN s3_account_public_access_block a ON a.account_id = b.account_id
)
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN public_by_policy OR public_by_acl THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN public_by_policy THEN 'the bucket policy grants access to anyone'
    WHEN public_by_acl THEN 'the ACL grants access to all (authenticated) users'
    ELSE 'not public'
  END AS reason
FROM (
  SELECT b.*,
    (COALESCE(b.policy_is_public, false) OR o.arn IS NOT NULL) AND NOT k.policy_blocked AS public_by_policy,
    COALESCE(b.acl_is_public, false) AND NOT k.acl_blocked AS public_by_acl
  FROM s3_buckets b
  LEFT JOIN open_policy o ON o.arn = b.arn
  JOIN blocked k ON k.arn = b.arn
) b
