-- id: cloudwatch-alarms-removed
-- title: "CloudWatch alarms deleted or their actions turned off, or metric filters deleted"
-- severity: medium
-- kind: event
-- description: >
--   Alarms and the metric filters that feed them (the CIS monitoring controls among them) are how a change gets noticed: deleting them, or DisableAlarmActions, which leaves an alarm in place but silent, lets later changes pass unseen.
-- mitre: {tactics: [TA0005], techniques: [T1562.001, T1562.008]}
-- references: [https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DisableAlarmActions.html, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteMetricFilter.html]
-- false_positives: ["Retiring a service with its alarms, infrastructure-as-code replacing alarms"]
-- remediation: >
--   Recreate the alarms or re-enable their actions (enable-alarm-actions); check what changed while they were off.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_json(request_parameters, 'alarmNames'), json_get_str(request_parameters, 'filterName'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'monitoring.amazonaws.com' AND event_name IN ('DeleteAlarms', 'DisableAlarmActions'))
   OR (event_source = 'logs.amazonaws.com' AND event_name = 'DeleteMetricFilter')
