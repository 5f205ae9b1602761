-- id: ec2-default-sg-restricts-all
-- title: The default security group of every VPC has no rules
-- severity: medium
-- description: >
--   An instance launched without a security group lands in its VPC's default group, which
--   by default allows all outbound traffic and all traffic between its members. The CIS
--   audit (v7.0 6.5): every default group has no inbound and no outbound rule. One row per
--   default group.
-- remediation: Remove every inbound and outbound rule of the default security group, and move the resources in it to least-privilege groups.
-- frameworks: { cis-aws-5.0: ["5.5"], cis-aws-6.0: ["6.5"], cis-aws-7.0: ["6.5"] }
-- tables: [ec2_security_groups]
-- requires: [DescribeSecurityGroups]
SELECT
  'arn:aws:ec2:' || region || ':' || account_id || ':security-group/' || group_id AS resource_id,
  account_id,
  region,
  CASE WHEN ingress_rules = 0 AND egress_rules = 0 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN ingress_rules = 0 AND egress_rules = 0 THEN 'no rules'
       ELSE CAST(ingress_rules AS VARCHAR) || ' inbound and ' || CAST(egress_rules AS VARCHAR) || ' outbound rule(s) in ' || coalesce(vpc_id, 'the default VPC') END AS reason
FROM ec2_security_groups
WHERE is_default
