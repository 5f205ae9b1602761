-- id: guardduty-disabled
-- title: GuardDuty detector deleted, disabled or detached
-- severity: high
-- kind: event
-- description: >
--   Deleting or disabling a GuardDuty detector, or detaching the account from its GuardDuty administrator, blinds threat detection for the account and region.
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_suspend-disable.html]
-- false_positives: [Planned changes of the GuardDuty administrator account]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'guardduty.amazonaws.com'
  AND (event_name IN ('DeleteDetector', 'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'StopMonitoringMembers', 'DeleteMembers')
       OR (event_name = 'UpdateDetector' AND json_get_bool(request_parameters, 'enable') = false))
