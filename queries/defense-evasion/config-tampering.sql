-- id: config-tampering
-- title: AWS Config recorder or delivery channel stopped or deleted
-- severity: high
-- kind: event
-- description: >
--   Without its recorder AWS Config stops recording configuration changes, and without its delivery channel nothing reaches the bucket: changes made afterwards leave no configuration history.
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html]
-- false_positives: [Decommissioning a region or account]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'config.amazonaws.com'
  AND event_name IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel')
