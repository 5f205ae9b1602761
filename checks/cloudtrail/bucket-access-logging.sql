-- id: cloudtrail-bucket-access-logging
-- title: The bucket receiving CloudTrail logs has server access logging
-- severity: low
-- description: Access logs of the trail bucket show who read or deleted the audit trail. Trails whose bucket is in an account that was not collected are not listed.
-- remediation: Enable server access logging on the trail's S3 bucket, to another bucket.
-- frameworks: { cis-aws-5.0: ["3.4"], cis-aws-6.0: ["4.4"], cis-aws-7.0: ["4.4"] }
-- tables: [cloudtrail_trails, s3_buckets]
-- requires: [DescribeTrails, GetBucketLogging]
SELECT DISTINCT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN b.logging_target_bucket IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN b.logging_target_bucket IS NULL THEN 'receives logs of trail ' || t.name || ' but has no access logging' ELSE 'access logs go to ' || b.logging_target_bucket END AS reason
FROM cloudtrail_trails t
JOIN s3_buckets b ON b.bucket_name = t.s3_bucket_name
WHERE NOT t.is_shadow
