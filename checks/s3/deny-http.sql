-- id: s3-deny-http
-- title: Bucket policies deny requests over plain HTTP
-- severity: medium
-- description: >
--   Without a Deny of requests made without TLS, data can be read and written in the clear.
--   The CIS audit (v7.0 3.1.1): the bucket policy has a Deny statement for every principal
--   ("*") covering s3:* (or *) with the condition Bool aws:SecureTransport false, or
--   NumericLessThan s3:TlsVersion with a site-chosen version (1.2 or higher counts). Condition
--   operators and keys are matched case-insensitively and a value may be a list, as AWS
--   reads them. An Allow conditioned on aws:SecureTransport true does not deny HTTP.
-- remediation: 'Add a statement {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}.'
-- frameworks: { cis-aws-5.0: ["2.1.1"], cis-aws-6.0: ["3.1.1"], cis-aws-7.0: ["3.1.1"] }
-- tables: [s3_buckets]
-- requires: [ListBuckets, GetBucketLocation, GetBucketPolicy]
WITH statements AS (
  SELECT arn, unnest(policy_statements(policy)) AS s FROM s3_buckets WHERE policy IS NOT NULL
), deny_http AS (
  SELECT DISTINCT arn FROM statements
  WHERE s['effect'] = 'Deny'
    -- Every principal: "*" or {"AWS": "*"} (as one value or in a list).
    AND (s['principal'] = '"*"' OR json_get_str(s['principal'], 'AWS') = '*' OR json_get_str(s['principal'], 'AWS', 0) = '*')
    -- s3:* or *, in any case.
    AND (',' || lower(array_to_string(s['actions'], ',')) || ',' LIKE '%,s3:*,%'
         OR ',' || array_to_string(s['actions'], ',') || ',' LIKE '%,*,%')
    AND (
      array_has(condition_values(s['condition'], 'Bool', 'aws:SecureTransport'), 'false')
      OR TRY_CAST(array_element(condition_values(s['condition'], 'NumericLessThan', 's3:TlsVersion'), 1) AS DOUBLE) >= 1.2
    )
)
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN d.arn IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN b.policy IS NULL THEN 'no bucket policy'
    WHEN d.arn IS NULL THEN 'no statement denies s3:* to every principal without TLS (aws:SecureTransport false or s3:TlsVersion below 1.2)'
    ELSE 'the policy denies requests without TLS'
  END AS reason
FROM s3_buckets b
LEFT JOIN deny_http d ON d.arn = b.arn
