-- id: kms-key-disabled-or-deleted
-- title: A KMS key disabled or scheduled for deletion
-- severity: high
-- kind: event
-- description: >
--   Data encrypted under a deleted key is lost for good; disabling a key is the reversible first step (and a ransom lever).
-- mitre: {tactics: [TA0040], techniques: [T1485, T1486]}
-- references: [https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html]
-- false_positives: [Retiring keys after a migration]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'keyId'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'kms.amazonaws.com' AND event_name IN ('DisableKey', 'ScheduleKeyDeletion')
