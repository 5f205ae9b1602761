-- id: cloudtrail-log-file-validation
-- title: Trails validate their log files
-- severity: medium
-- description: Digest files let you prove that delivered logs were not changed or deleted.
-- remediation: aws cloudtrail update-trail --name TRAIL --enable-log-file-validation
-- frameworks: { cis-aws-5.0: ["3.2"], cis-aws-6.0: ["4.2"], cis-aws-7.0: ["4.2"] }
-- tables: [cloudtrail_trails]
-- requires: [DescribeTrails]
SELECT
  arn AS resource_id,
  account_id,
  home_region AS region,
  CASE WHEN log_file_validation_enabled THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN log_file_validation_enabled THEN 'log file validation is on' ELSE 'log file validation is off' END AS reason
FROM cloudtrail_trails
WHERE NOT is_shadow
