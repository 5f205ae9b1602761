-- id: cloudwatch-logs-deleted
-- title: CloudWatch Logs log groups or streams deleted
-- severity: medium
-- kind: event
-- description: >
--   Log groups hold what applications, VPC flow logs, Lambda functions and CloudTrail itself sent to CloudWatch Logs; deleting a group or stream destroys that record at once (retention changes only age it out).
-- mitre: {tactics: [TA0005], techniques: [T1562.008, T1070]}
-- references: [https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogGroup.html]
-- false_positives: [Removing a retired application's logs, infrastructure-as-code tearing down a stack]
-- remediation: >
--   Check what the group held and who deleted it; protect the groups that matter with a deny on logs:DeleteLogGroup (an SCP) and export them to S3.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'DeleteLogGroup' THEN 'log group deleted: ' ELSE 'log stream deleted in ' END
    || coalesce(json_get_str(request_parameters, 'logGroupName'), '?')
    || coalesce(' / ' || json_get_str(request_parameters, 'logStreamName'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'logs.amazonaws.com' AND event_name IN ('DeleteLogGroup', 'DeleteLogStream')
