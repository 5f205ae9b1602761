-- id: principal-new-context
-- title: A principal acting from a new address, user agent or region
-- severity: low
-- kind: first-seen
-- description: >
--   For principals with history before the window: the first call within the history window from a source address (trusted_cidrs excepted), with a user agent family (the text before the first '/' or space), or in a region. One finding per principal and new value; AWS services acting for the principal are left out.
-- mitre: {tactics: [TA0001], techniques: [T1078]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html]
-- false_positives: [Travel, new tooling, expansion to a new region]
WITH facets AS (
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address AS ip, 'address' AS facet, source_ip_address AS value
  FROM hunt_history WHERE cidr_contains('0.0.0.0/0', source_ip_address) IS NOT NULL AND user_identity['invoked_by'] IS NULL
  UNION ALL
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address AS ip, 'user agent',
         split_part(split_part(user_agent, '/', 1), ' ', 1)
  FROM hunt_history WHERE user_agent IS NOT NULL AND user_agent NOT LIKE '%.amazonaws.com' AND user_agent <> 'AWS Internal' AND user_identity['invoked_by'] IS NULL
  UNION ALL
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address AS ip, 'region', aws_region AS value
  FROM hunt_history WHERE aws_region IS NOT NULL AND user_identity['invoked_by'] IS NULL
), firsts AS (
  SELECT principal, facet, value, min(event_time) AS first_time
  FROM facets WHERE principal IS NOT NULL
  GROUP BY 1, 2, 3
), known_principals AS (
  SELECT DISTINCT h.principal FROM hunt_history h CROSS JOIN hunt_params p WHERE h.event_time < p.new_after
), trusted AS (
  SELECT unnest(trusted_cidrs) AS cidr FROM hunt_params
), news AS (
  SELECT f.* FROM firsts f CROSS JOIN hunt_params p
  JOIN known_principals k ON k.principal = f.principal
  LEFT JOIN trusted t ON f.facet = 'address' AND cidr_contains(t.cidr, f.value)
  WHERE f.first_time >= p.new_after AND t.cidr IS NULL
)
SELECT min(x.event_time) AS event_time, min(x.account_id) AS account_id, min(x.aws_region) AS region, n.principal,
       min(x.ip) AS source_ip_address, array_agg(x.event_id) AS event_ids,
       'new ' || n.facet || ' ' || n.value AS reason
FROM news n
JOIN facets x ON x.principal = n.principal AND x.facet = n.facet AND x.value = n.value AND x.event_time = n.first_time
GROUP BY n.principal, n.facet, n.value
