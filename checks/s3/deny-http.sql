-- id: s3-deny-http
-- title: Bucket policies deny requests over plain HTTP
-- severity: medium
-- description: >
--   Without a Deny on aws:SecureTransport = false, data can be read and written without TLS.
--   A bucket passes when its policy has a Deny statement conditioned on aws:SecureTransport
--   being false.
-- remediation: 'Add a Deny statement for "s3:*" with the condition {"Bool": {"aws:SecureTransport": "false"}}.'
-- frameworks: { cis-aws-5.0: ["2.1.1"] }
-- tables: [s3_buckets]
-- requires: [ListBuckets, GetBucketLocation, GetBucketPolicy]
WITH deny_http AS (
  SELECT DISTINCT arn FROM (SELECT arn, unnest(policy_statements(policy)) AS s FROM s3_buckets WHERE policy IS NOT NULL)
  WHERE s['effect'] = 'Deny'
    AND json_get_str(s['condition'], 'Bool', 'aws:SecureTransport') = 'false'
)
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN d.arn IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN b.policy IS NULL THEN 'no bucket policy'
    WHEN d.arn IS NULL THEN 'the policy does not deny aws:SecureTransport = false'
    ELSE 'the policy denies requests without TLS'
  END AS reason
FROM s3_buckets b
LEFT JOIN deny_http d ON d.arn = b.arn
