-- id: ec2-serial-console-enabled
-- title: EC2 serial console access turned on for the account
-- severity: medium
-- kind: event
-- description: >
--   The serial console reaches an instance's console without its network, security groups or SSH daemon; it is off by default, and turning it on (an account-wide setting per region) opens a path to every Nitro instance for whoever can then push a serial-console key.
-- mitre: {tactics: [TA0008, TA0005], techniques: [T1021, T1562.007]}
-- references: [https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configure-access-to-serial-console.html]
-- false_positives: [An operator turning it on to repair an instance that no longer boots]
-- remediation: >
--   Turn it off again (disable-serial-console-access) unless a repair is under way; deny ec2:EnableSerialConsoleAccess outside break-glass roles.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'serial console access turned on in ' || aws_region || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'EnableSerialConsoleAccess'
