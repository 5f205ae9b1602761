-- id: mfa-device-deactivated
-- title: An IAM user's MFA device deactivated or deleted
-- severity: medium
-- kind: event
-- description: >
--   Removing a user's MFA (DeactivateMFADevice, DeleteVirtualMFADevice) lets a stolen password sign in alone, or lets the attacker enrol a device of their own: weakening authentication for a later login.
-- mitre: {tactics: [TA0005, TA0003], techniques: [T1556.006]}
-- references: [https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html]
-- false_positives: [A user replacing a lost or new phone (a new device is enabled soon after)]
-- remediation: >
--   Ask the user; if not theirs, reset the password and keys, re-enrol MFA and require it with a policy condition on aws:MultiFactorAuthPresent.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'DeactivateMFADevice' THEN 'MFA deactivated for ' || coalesce(json_get_str(request_parameters, 'userName'), '?')
       ELSE 'virtual MFA device deleted: ' || coalesce(json_get_str(request_parameters, 'serialNumber'), '?') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('DeactivateMFADevice', 'DeleteVirtualMFADevice')
