-- id: cloudtrail-multi-region-logging
-- title: A multi-region trail is logging all management events
-- severity: high
-- description: >
--   Without a logging multi-region trail that records read and write management events,
--   activity in some regions leaves no audit record. The CIS audit (v7.0 4.1): a trail with
--   IsMultiRegionTrail, IsLogging, and management events of every read/write type. With
--   basic selectors, any selector (not only the first) including management events with
--   ReadWriteType All counts; with advanced selectors, a Management selector without a
--   readOnly field. An account passes when it sees such a trail, its own or an
--   organization trail.
-- remediation: Create a multi-region trail (or an organization trail) that logs all management events, reads and writes, and start logging.
-- frameworks: { cis-aws-5.0: ["3.1"], cis-aws-6.0: ["4.1"], cis-aws-7.0: ["4.1"] }
-- tables: [cloudtrail_trails, collection_parts]
-- requires: [DescribeTrails, GetTrailStatus, GetEventSelectors]
WITH good AS (
  SELECT DISTINCT account_id FROM cloudtrail_trails
  WHERE is_multi_region AND is_logging
    AND trail_records(event_selectors, advanced_event_selectors, 'management')
)
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN g.account_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN g.account_id IS NULL THEN 'no logging multi-region trail records all management events' ELSE 'a logging multi-region trail records all management events' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'cloudtrail') a
LEFT JOIN good g ON g.account_id = a.account_id
