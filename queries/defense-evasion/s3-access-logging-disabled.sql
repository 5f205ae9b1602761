-- id: s3-access-logging-disabled
-- title: S3 server access logging turned off for a bucket
-- severity: low
-- kind: event
-- description: >
--   PutBucketLogging with an empty logging status stops the bucket's server access logs, the record of reads that CloudTrail keeps only when data events are on: taken away before data is read out.
-- mitre: {tactics: [TA0005], techniques: [T1562.008]}
-- references: [https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLogging.html]
-- false_positives: [Moving a bucket's logs to CloudTrail data events]
-- remediation: >
--   Turn logging back on (put-bucket-logging with a target bucket) and check the bucket's reads in CloudTrail data events if any.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'server access logging turned off for ' || coalesce(json_get_str(request_parameters, 'bucketName'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 's3.amazonaws.com' AND event_name = 'PutBucketLogging'
  AND json_get(request_parameters, 'BucketLoggingStatus', 'LoggingEnabled') IS NULL
