-- id: ec2-nacl-admin-ports
-- title: No network ACL lets SSH or RDP in from 0.0.0.0/0
-- severity: medium
-- description: >
--   Network ACLs filter subnet traffic statelessly; an entry allowing remote administration
--   ports from the whole internet opens every instance of the subnet to them. The CIS audit
--   (v7.0 6.2): no inbound entry with a port range including 22 or 3389, protocol TCP (6),
--   UDP (17) or all (-1), source 0.0.0.0/0, and ALLOW. AWS evaluates entries in rule_number
--   order and the first match decides, so an allow behind an earlier deny of the same port
--   from 0.0.0.0/0 admits nothing; a VPC's default ACL, which allows all inbound traffic,
--   fails. One row per network ACL.
-- remediation: Add an inbound deny for ports 22 and 3389 from 0.0.0.0/0 before the allow (a lower rule number), or narrow the allow's source.
-- frameworks: { cis-aws-5.0: ["5.2"], cis-aws-6.0: ["6.2"], cis-aws-7.0: ["6.2"] }
-- tables: [ec2_network_acl_entries]
-- requires: [DescribeNetworkAcls]
WITH ports(port) AS (VALUES (22), (3389)),
deciding AS (
  -- For each ACL and port, the first inbound entry from 0.0.0.0/0 that covers the port.
  SELECT account_id, region, network_acl_id, port, rule_action, rule_number,
         row_number() OVER (PARTITION BY account_id, region, network_acl_id, port ORDER BY rule_number) AS n
  FROM ec2_network_acl_entries CROSS JOIN ports
  WHERE NOT egress AND cidr = '0.0.0.0/0'
    AND rule_admits_port(protocol, from_port, to_port, port)
), open_ports AS (
  SELECT account_id, region, network_acl_id,
         string_agg(CAST(port AS VARCHAR) || ' (rule ' || CAST(rule_number AS VARCHAR) || ')', ', ') AS ports
  FROM deciding WHERE n = 1 AND rule_action = 'allow'
  GROUP BY account_id, region, network_acl_id
), acls AS (
  SELECT DISTINCT account_id, region, network_acl_id FROM ec2_network_acl_entries
)
SELECT
  'arn:aws:ec2:' || a.region || ':' || a.account_id || ':network-acl/' || a.network_acl_id AS resource_id,
  a.account_id,
  a.region,
  CASE WHEN o.network_acl_id IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.network_acl_id IS NULL THEN 'no inbound entry admits port 22 or 3389 from 0.0.0.0/0'
       ELSE 'admits from 0.0.0.0/0: port ' || o.ports END AS reason
FROM acls a
LEFT JOIN open_ports o ON o.account_id = a.account_id AND o.region = a.region AND o.network_acl_id = a.network_acl_id
