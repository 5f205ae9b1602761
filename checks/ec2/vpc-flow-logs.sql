-- id: ec2-vpc-flow-logs
-- title: Every VPC has an active flow log
-- severity: medium
-- description: >
--   Flow logs record the traffic of a VPC's interfaces: without them there is no record of
--   what reached or left an instance. The CIS audit (v7.0 4.7): for each VPC, a flow log
--   exists whose status is Active. Its traffic type is reported (CIS remediates with Reject,
--   any type records the VPC). A flow log whose delivery fails is not counted. One row per
--   VPC, default VPCs included.
-- remediation: aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type REJECT --log-destination-type cloud-watch-logs --log-group-name NAME --deliver-logs-permission-arn ROLE_ARN
-- frameworks: { cis-aws-5.0: ["3.7"], cis-aws-6.0: ["4.7"], cis-aws-7.0: ["4.7"] }
-- tables: [ec2_vpcs, ec2_flow_logs]
-- requires: [DescribeVpcs, DescribeFlowLogs]
WITH logs AS (
  SELECT account_id, region, resource_id,
         string_agg(CASE WHEN delivering THEN flow_log_id || ' (' || coalesce(traffic_type, '?') || ')' END, ', ' ORDER BY flow_log_id) AS active,
         string_agg(CASE WHEN NOT delivering THEN flow_log_id || ' (' || coalesce(status, '?') || ', delivery ' || coalesce(deliver_logs_status, '?') || ')' END, ', ' ORDER BY flow_log_id) AS inactive
  FROM (
    SELECT *, status = 'ACTIVE' AND coalesce(deliver_logs_status, 'SUCCESS') <> 'FAILED' AS delivering
    FROM ec2_flow_logs
  ) f
  GROUP BY account_id, region, resource_id
)
SELECT
  'arn:aws:ec2:' || v.region || ':' || v.account_id || ':vpc/' || v.vpc_id AS resource_id,
  v.account_id,
  v.region,
  CASE WHEN l.active IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN l.active IS NOT NULL THEN 'active flow log(s): ' || l.active
       WHEN l.inactive IS NOT NULL THEN 'no flow log that records: ' || l.inactive
       ELSE 'no flow log' || CASE WHEN v.is_default THEN ' (default VPC)' ELSE '' END END AS reason
FROM ec2_vpcs v
LEFT JOIN logs l ON l.account_id = v.account_id AND l.region = v.region AND l.resource_id = v.vpc_id
