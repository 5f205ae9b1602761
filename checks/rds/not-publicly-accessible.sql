-- id: rds-not-publicly-accessible
-- title: No RDS DB instance is reachable from the internet
-- severity: high
-- description: >
--   A publicly accessible instance has an endpoint that resolves to a public address; it is
--   reachable from the internet when its subnets route there through an internet gateway.
--   The CIS audit (v7.0 3.2.3) checks both: PubliclyAccessible in DescribeDBInstances, then
--   the route tables of the subnets of its subnet group (DescribeRouteTables) for a route
--   to an igw-. An instance with the flag whose subnets route nowhere public passes, and
--   the reason says the flag is set. A subnet without a table of its own uses its VPC's main
--   table. One row per DB instance that is not being deleted.
-- remediation: aws rds modify-db-instance --db-instance-identifier ID --no-publicly-accessible --apply-immediately (and keep database subnets without a route to an internet gateway).
-- frameworks: { cis-aws-5.0: ["2.2.3"], cis-aws-6.0: ["3.2.3"], cis-aws-7.0: ["3.2.3"] }
-- tables: [rds_db_instances, ec2_routes]
-- requires: [DescribeDBInstances, DescribeRouteTables]
WITH instances AS (
  SELECT *,
         coalesce(arn, 'arn:aws:rds:' || region || ':' || account_id || ':db:' || db_instance_identifier) AS resource_id
  FROM rds_db_instances
  WHERE coalesce(status, 'available') <> 'deleting'
), db_subnets AS (
  SELECT resource_id, account_id, region, vpc_id, unnest(subnet_ids) AS subnet_id FROM instances
), explicit AS (
  SELECT DISTINCT account_id, region, route_table_id, unnest(subnet_ids) AS subnet_id FROM ec2_routes
), main AS (
  SELECT DISTINCT account_id, region, vpc_id, route_table_id FROM ec2_routes WHERE is_main
), subnet_tables AS (
  SELECT d.resource_id, d.account_id, d.region, d.subnet_id,
         coalesce(e.route_table_id, m.route_table_id) AS route_table_id
  FROM db_subnets d
  LEFT JOIN explicit e ON e.account_id = d.account_id AND e.region = d.region AND e.subnet_id = d.subnet_id
  LEFT JOIN main m ON m.account_id = d.account_id AND m.region = d.region AND m.vpc_id = d.vpc_id
), internet AS (
  SELECT resource_id, string_agg(hop, ', ' ORDER BY hop) AS via FROM (
    SELECT DISTINCT t.resource_id, t.subnet_id || ' routes ' || r.destination || ' to ' || r.target AS hop
    FROM subnet_tables t
    JOIN ec2_routes r ON r.account_id = t.account_id AND r.region = t.region AND r.route_table_id = t.route_table_id
    WHERE r.destination IN ('0.0.0.0/0', '::/0') AND r.target LIKE 'igw-%'
      AND coalesce(r.state, 'active') = 'active'
  ) hops GROUP BY resource_id
)
SELECT
  i.resource_id,
  i.account_id,
  i.region,
  CASE WHEN i.publicly_accessible AND n.via IS NOT NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN NOT coalesce(i.publicly_accessible, false) THEN 'not publicly accessible'
    WHEN n.via IS NOT NULL THEN 'publicly accessible, and ' || n.via
    ELSE 'publicly accessible is set, but no subnet of its subnet group routes to an internet gateway'
  END AS reason
FROM instances i
LEFT JOIN internet n ON n.resource_id = i.resource_id
