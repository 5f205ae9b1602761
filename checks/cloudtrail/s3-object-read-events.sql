-- id: cloudtrail-s3-object-read-events
-- title: Object-level read events of every S3 bucket are logged by a multi-region trail
-- severity: medium
-- description: >
--   Without S3 data events, read access to objects leaves no audit record. The CIS audit
--   (v7.0 4.9): a multi-region trail whose data events log S3 objects of all current and
--   future buckets for reads. Each selector is judged on its own: a basic selector counts
--   when its ReadWriteType is All or ReadOnly and its AWS::S3::Object values name every
--   bucket (arn:aws:s3); an advanced one when it selects Data events of AWS::S3::Object with
--   readOnly absent or true, and nothing that narrows it to some buckets or events. An
--   account passes when a logging multi-region trail it sees has such a selector.
-- remediation: 'Add to a multi-region trail a data event selector for S3 objects of all buckets ("Log all events"; basic selectors: AWS::S3::Object with the value arn:aws:s3, ReadWriteType All).'
-- frameworks: { cis-aws-5.0: ["3.9"], cis-aws-6.0: ["4.9"], cis-aws-7.0: ["4.9"] }
-- tables: [cloudtrail_trails, collection_parts]
-- requires: [DescribeTrails, GetTrailStatus, GetEventSelectors]
WITH good AS (
  SELECT DISTINCT account_id FROM cloudtrail_trails
  WHERE is_multi_region AND is_logging
    AND trail_records(event_selectors, advanced_event_selectors, 's3_object_read')
)
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN g.account_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN g.account_id IS NULL THEN 'no logging multi-region trail records S3 object read events of every bucket' ELSE 'S3 object read events of every bucket are logged' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'cloudtrail') a
LEFT JOIN good g ON g.account_id = a.account_id
