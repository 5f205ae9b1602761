-- id: cloudtrail-s3-object-read-events
-- title: Object-level read events of S3 are logged
-- severity: medium
-- description: >
--   Without S3 data events, read access to objects leaves no audit record. An account passes
--   when a logging trail it sees records S3 object events (ReadOnly or All), by basic or by
--   advanced event selectors.
-- remediation: Add an S3 data event selector (AWS::S3::Object) to a multi-region trail.
-- frameworks: { cis-aws-5.0: ["3.9"] }
-- tables: [cloudtrail_trails, collection_parts]
-- requires: [DescribeTrails, GetEventSelectors]
WITH good AS (
  SELECT DISTINCT account_id FROM cloudtrail_trails
  WHERE is_logging AND (
    (event_selectors LIKE '%AWS::S3::Object%' AND json_get_str(event_selectors, 0, 'read_write_type') IN ('All', 'ReadOnly'))
    OR advanced_event_selectors LIKE '%AWS::S3::Object%'
  )
)
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN g.account_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN g.account_id IS NULL THEN 'no logging trail records S3 object read events' ELSE 'S3 object read events are logged' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'cloudtrail') a
LEFT JOIN good g ON g.account_id = a.account_id
