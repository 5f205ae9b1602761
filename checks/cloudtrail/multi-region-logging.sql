-- id: cloudtrail-multi-region-logging
-- title: A multi-region trail is logging management events
-- severity: high
-- description: >
--   Without a logging multi-region trail that records read and write management events,
--   activity in some regions leaves no audit record. An account passes when it sees such a
--   trail, its own or an organization trail.
-- remediation: Create a multi-region trail (or an organization trail) that logs all management events, and start logging.
-- frameworks: { cis-aws-5.0: ["3.1"] }
-- tables: [cloudtrail_trails, collection_parts]
-- requires: [DescribeTrails, GetTrailStatus, GetEventSelectors]
WITH good AS (
  SELECT DISTINCT account_id FROM cloudtrail_trails
  WHERE is_multi_region AND is_logging
    AND (
      (json_get_bool(event_selectors, 0, 'include_management_events') AND json_get_str(event_selectors, 0, 'read_write_type') = 'All')
      OR advanced_event_selectors LIKE '%"Management"%'
    )
)
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN g.account_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN g.account_id IS NULL THEN 'no logging multi-region trail records all management events' ELSE 'a logging multi-region trail records all management events' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'cloudtrail') a
LEFT JOIN good g ON g.account_id = a.account_id
