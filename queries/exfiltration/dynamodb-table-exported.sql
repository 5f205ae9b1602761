-- id: dynamodb-table-exported
-- title: A DynamoDB table exported to S3
-- severity: medium
-- kind: event
-- description: >
--   ExportTableToPointInTime writes a whole table to an S3 bucket, which can belong to another account (s3BucketOwner): the table's data leaves in one call, without a single read logged per item.
-- mitre: {tactics: [TA0010, TA0009], techniques: [T1537, T1530]}
-- references: [https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html]
-- false_positives: [Analytics pipelines that export tables on a schedule]
-- remediation: >
--   Check the bucket and its owner; delete the export if it was not planned and restrict dynamodb:ExportTableToPointInTime.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'table ' || coalesce(json_get_str(request_parameters, 'tableArn'), '?') || ' exported to ' || coalesce(json_get_str(request_parameters, 's3Bucket'), '?')
    || CASE WHEN json_get_str(request_parameters, 's3BucketOwner') <> account_id THEN ' of account ' || json_get_str(request_parameters, 's3BucketOwner') ELSE '' END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'dynamodb.amazonaws.com' AND event_name = 'ExportTableToPointInTime'
