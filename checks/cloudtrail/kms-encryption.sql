-- id: cloudtrail-kms-encryption
-- title: Trails encrypt log files with a KMS key
-- severity: medium
-- description: SSE-KMS adds a key policy between the logs and anyone who can read the bucket.
-- remediation: aws cloudtrail update-trail --name TRAIL --kms-key-id KEY
-- frameworks: { cis-aws-5.0: ["3.5"], cis-aws-6.0: ["4.5"], cis-aws-7.0: ["4.5"] }
-- tables: [cloudtrail_trails]
-- requires: [DescribeTrails]
SELECT
  arn AS resource_id,
  account_id,
  home_region AS region,
  CASE WHEN kms_key_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN kms_key_id IS NULL THEN 'log files are not encrypted with KMS' ELSE 'encrypted with ' || kms_key_id END AS reason
FROM cloudtrail_trails
WHERE NOT is_shadow
