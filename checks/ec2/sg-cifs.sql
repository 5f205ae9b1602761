-- id: ec2-sg-cifs
-- title: No security group allows CIFS (445) from the internet
-- severity: high
-- description: >
--   CIFS/SMB on port 445 open to the internet exposes file shares to anyone. The CIS audit
--   (v7.0 6.1.2): no inbound rule of any security group with a
--   port range that includes 445, with TCP, UDP or all protocols (-1, every port), from
--   0.0.0.0/0 or ::/0. A range such as 0-3389 includes 22; a group that no instance uses still counts
--   (the benchmark audits every security group). One row per security group.
-- remediation: Restrict the rule allowing port 445 to the trusted networks that need it.
-- frameworks: { cis-aws-5.0: ["5.1.2"], cis-aws-6.0: ["6.1.2"], cis-aws-7.0: ["6.1.2"] }
-- tables: [ec2_security_groups, ec2_security_group_rules]
-- requires: [DescribeSecurityGroups]
WITH open_rules AS (
  SELECT account_id, region, group_id,
         string_agg(DISTINCT protocol || ' ' || coalesce(CAST(from_port AS VARCHAR) || '-' || CAST(to_port AS VARCHAR), 'all ports') || ' from ' || cidr, ', ') AS rules
  FROM ec2_security_group_rules
  WHERE direction = 'ingress' AND cidr IN ('0.0.0.0/0', '::/0')
    AND rule_admits_port(protocol, from_port, to_port, 445)
  GROUP BY account_id, region, group_id
)
SELECT
  'arn:aws:ec2:' || g.region || ':' || g.account_id || ':security-group/' || g.group_id AS resource_id,
  g.account_id,
  g.region,
  CASE WHEN o.group_id IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.group_id IS NULL THEN 'no inbound rule opens port 445 to 0.0.0.0/0 or ::/0'
       ELSE 'open to the world: ' || o.rules END AS reason
FROM ec2_security_groups g
LEFT JOIN open_rules o ON o.account_id = g.account_id AND o.region = g.region AND o.group_id = g.group_id
