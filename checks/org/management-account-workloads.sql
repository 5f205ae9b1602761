-- id: org-management-account-workloads
-- title: The management account holds no workload buckets or IAM users
-- severity: medium
-- description: >
--   The management account cannot be restricted by SCPs; a workload there puts the
--   organization's most privileged account in its blast radius. CIS v7.0 2.1.3 is manual:
--   a reviewer decides what is governance and what is a workload. This check gives the
--   evidence from what govscan collects: each S3 bucket of the management account (PASS
--   when a trail or AWS Config delivers to it, which is governance; FAIL to review
--   otherwise) and each IAM user there (FAIL: people should reach the management account
--   through roles or IAM Identity Center). Compute, databases and other services are not
--   collected yet.
-- remediation: Move workloads and their data to member accounts; keep the management account for organization governance, billing and security tooling.
-- frameworks: { cis-aws-7.0: ["2.1.3"] }
-- tables: [org_organizations, s3_buckets, iam_users, cloudtrail_trails, config_delivery_channels]
-- requires: [DescribeOrganization, ListBuckets, GetAccountAuthorizationDetails]
WITH management AS (
  SELECT DISTINCT management_account_id AS account_id FROM org_organizations
), governance_buckets AS (
  SELECT s3_bucket_name AS bucket_name, 'a trail delivers to it' AS why FROM cloudtrail_trails WHERE s3_bucket_name IS NOT NULL
  UNION ALL
  SELECT s3_bucket_name, 'AWS Config delivers to it' FROM config_delivery_channels WHERE s3_bucket_name IS NOT NULL
), governance AS (
  SELECT bucket_name, min(why) AS why FROM governance_buckets GROUP BY bucket_name
)
SELECT
  b.arn AS resource_id,
  b.account_id,
  b.region,
  CASE WHEN g.bucket_name IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN g.bucket_name IS NULL THEN 'a bucket in the management account: review whether it is a workload'
       ELSE 'governance: ' || g.why END AS reason
FROM s3_buckets b
JOIN management m ON m.account_id = b.account_id
LEFT JOIN governance g ON g.bucket_name = b.bucket_name
UNION ALL
SELECT
  u.arn AS resource_id,
  u.account_id,
  CAST(NULL AS VARCHAR) AS region,
  'FAIL' AS status,
  'an IAM user in the management account: review who uses it and move them to roles' AS reason
FROM iam_users u
JOIN management m ON m.account_id = u.account_id
