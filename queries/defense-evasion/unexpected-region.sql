-- id: unexpected-region
-- title: Activity in a region you do not use
-- severity: medium
-- kind: threshold
-- description: >
--   Calls in a region outside expected_regions (set it in the config; empty turns this off), one finding per principal and region. Attackers mine and hide where nobody looks. Global services, which log in us-east-1 whatever the caller's region, are left out.
-- mitre: {tactics: [TA0005], techniques: [T1535]}
-- references: [https://attack.mitre.org/techniques/T1535/]
-- false_positives: [A team starting to work in a new region]
SELECT min(e.event_time) AS event_time, min(e.account_id) AS account_id, e.aws_region AS region, e.principal,
       CASE WHEN count(DISTINCT e.source_ip_address) = 1 THEN min(e.source_ip_address) END AS source_ip_address,
       array_agg(e.event_id) AS event_ids,
       count(*) || ' call(s) in ' || e.aws_region || ' (' || string_agg(DISTINCT e.event_source, ', ') || '), not an expected region' AS reason
FROM hunt_events e CROSS JOIN hunt_params p
WHERE cardinality(p.expected_regions) > 0
  AND e.aws_region IS NOT NULL
  AND NOT array_has(p.expected_regions, e.aws_region)
  AND e.event_source NOT IN ('iam.amazonaws.com', 'organizations.amazonaws.com', 'route53.amazonaws.com', 'cloudfront.amazonaws.com',
                             'globalaccelerator.amazonaws.com', 'support.amazonaws.com', 'health.amazonaws.com', 'budgets.amazonaws.com',
                             'ce.amazonaws.com', 'signin.amazonaws.com', 'account.amazonaws.com', 'billingconsole.amazonaws.com')
  AND NOT (e.event_source = 'sts.amazonaws.com' AND e.aws_region = 'us-east-1')
GROUP BY e.principal, e.aws_region
