-- id: ec2-sg-admin-ports-ipv4
-- title: No security group allows SSH or RDP from 0.0.0.0/0
-- severity: high
-- description: >
--   Remote administration ports open to the whole IPv4 internet invite brute force and
--   exploits. The CIS audit (v7.0 6.3): no inbound rule of any security group with a
--   port range that includes 22 or 3389, with TCP, UDP or all protocols (-1, every port), from
--   0.0.0.0/0. A range such as 0-3389 includes 22; a group that no instance uses still counts
--   (the benchmark audits every security group). One row per security group.
-- remediation: Replace the 0.0.0.0/0 source of the rule with your administration network, or reach the instances through Session Manager or a bastion.
-- frameworks: { cis-aws-5.0: ["5.3"], cis-aws-6.0: ["6.3"], cis-aws-7.0: ["6.3"] }
-- tables: [ec2_security_groups, ec2_security_group_rules]
-- requires: [DescribeSecurityGroups]
WITH open_rules AS (
  SELECT account_id, region, group_id,
         string_agg(DISTINCT protocol || ' ' || coalesce(CAST(from_port AS VARCHAR) || '-' || CAST(to_port AS VARCHAR), 'all ports') || ' from ' || cidr, ', ') AS rules
  FROM ec2_security_group_rules
  WHERE direction = 'ingress' AND cidr IN ('0.0.0.0/0')
    AND (rule_admits_port(protocol, from_port, to_port, 22) OR rule_admits_port(protocol, from_port, to_port, 3389))
  GROUP BY account_id, region, group_id
)
SELECT
  'arn:aws:ec2:' || g.region || ':' || g.account_id || ':security-group/' || g.group_id AS resource_id,
  g.account_id,
  g.region,
  CASE WHEN o.group_id IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.group_id IS NULL THEN 'no inbound rule opens port 22 or 3389 to 0.0.0.0/0'
       ELSE 'open to the world: ' || o.rules END AS reason
FROM ec2_security_groups g
LEFT JOIN open_rules o ON o.account_id = g.account_id AND o.region = g.region AND o.group_id = g.group_id
