-- id: ec2-peering-routes-least-access
-- title: Routes through VPC peering connections name only the ranges they need
-- severity: low
-- description: >
--   A route through a peering connection decides what of the peer is reachable; CIS v7.0
--   6.6 (manual) asks that each be as narrow as its purpose. How narrow is a judgement, so
--   this is evidence: one row per route whose target is a peering connection (pcx-), with
--   its destination. A default route (0.0.0.0/0 or ::/0) through a peering fails: it sends
--   everything without a more specific route to the peer. Every other route passes, and the
--   reason names it for review.
-- remediation: Replace wide routes through the peering with routes to the peer subnets that need to be reached (aws ec2 replace-route / delete-route).
-- frameworks: { cis-aws-5.0: ["5.6"], cis-aws-6.0: ["6.6"], cis-aws-7.0: ["6.6"] }
-- tables: [ec2_routes]
-- requires: [DescribeRouteTables]
SELECT
  'arn:aws:ec2:' || region || ':' || account_id || ':route-table/' || route_table_id || '/' || destination AS resource_id,
  account_id,
  region,
  CASE WHEN destination IN ('0.0.0.0/0', '::/0') THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN destination IN ('0.0.0.0/0', '::/0') THEN 'default route through peering ' || target
       ELSE destination || ' through peering ' || target || ' (review that it is no wider than needed)' END AS reason
FROM ec2_routes
WHERE target LIKE 'pcx-%'
