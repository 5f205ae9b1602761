-- id: ec2-vpc-endpoints-used
-- title: VPCs reach AWS services through VPC endpoints
-- severity: low
-- description: >
--   Through a VPC endpoint, traffic to an AWS service stays on the AWS network and an
--   endpoint policy can limit what it may do; CIS v7.0 6.8 (manual) asks that they be used.
--   Which VPCs and services need them is a judgement, so this is evidence: one row per VPC,
--   listing the AWS services it has available endpoints for; a VPC without any fails, for
--   review.
-- remediation: aws ec2 create-vpc-endpoint --vpc-id VPC --service-name com.amazonaws.REGION.SERVICE (gateway endpoints for S3 and DynamoDB cost nothing).
-- frameworks: { cis-aws-7.0: ["6.8"] }
-- tables: [ec2_vpcs, ec2_vpc_endpoints]
-- requires: [DescribeVpcs, DescribeVpcEndpoints]
WITH endpoints AS (
  SELECT account_id, region, vpc_id, string_agg(service_name, ', ' ORDER BY service_name) AS services
  FROM ec2_vpc_endpoints
  WHERE coalesce(state, 'available') IN ('available', 'Available')
  GROUP BY account_id, region, vpc_id
)
SELECT
  'arn:aws:ec2:' || v.region || ':' || v.account_id || ':vpc/' || v.vpc_id AS resource_id,
  v.account_id,
  v.region,
  CASE WHEN e.services IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN e.services IS NOT NULL THEN 'endpoints for ' || e.services
       ELSE 'no VPC endpoint (review whether it calls AWS services)' END AS reason
FROM ec2_vpcs v
LEFT JOIN endpoints e ON e.account_id = v.account_id AND e.region = v.region AND e.vpc_id = v.vpc_id
