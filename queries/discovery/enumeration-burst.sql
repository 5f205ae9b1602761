-- id: enumeration-burst
-- title: One principal enumerating many APIs in a short time
-- severity: medium
-- kind: threshold
-- description: >
--   At least enumeration_distinct_calls distinct List, Describe or Get APIs called by one principal within burst_minutes: the discovery that follows stolen credentials (tools such as Pacu, ScoutSuite or enumerate-iam do exactly this).
-- mitre: {tactics: [TA0007], techniques: [T1580, T1087.004]}
-- references: [https://github.com/andresriancho/enumerate-iam]
-- false_positives: [Security scanners and inventory tools (govscan collect included)]
WITH reads AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_name LIKE 'List%' OR event_name LIKE 'Describe%' OR event_name LIKE 'Get%'
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(DISTINCT event_source || ':' || event_name) || ' distinct read APIs in ' || count(DISTINCT event_source) || ' services, '
         || count(error_code) || ' of ' || count(*) || ' calls failed' AS reason
FROM reads
GROUP BY principal, bucket
HAVING count(DISTINCT event_source || ':' || event_name) >= (SELECT enumeration_distinct_calls FROM hunt_params)
