-- id: ec2-instance-connect-key-pushed
-- title: An SSH key pushed to an instance through EC2 Instance Connect or the serial console
-- severity: medium
-- kind: event
-- description: >
--   SendSSHPublicKey installs a key for 60 seconds for an OS user, and SendSerialConsoleSSHPublicKey opens the instance's serial console, which works even when the network and sshd do not: both give a shell to whoever has the API permission.
-- mitre: {tactics: [TA0008, TA0003], techniques: [T1098.004, T1021.004]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.lateral-movement.ec2-instance-connect/, https://stratus-red-team.cloud/attack-techniques/AWS/aws.lateral-movement.ec2-serial-console-send-ssh-public-key/]
-- false_positives: [Administrators who connect with EC2 Instance Connect from the console]
-- remediation: >
--   Check the instance's auth log for the login; limit ec2-instance-connect:SendSSHPublicKey by instance tag and OS user.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'SendSerialConsoleSSHPublicKey' THEN 'serial console key for '
       ELSE 'SSH key for ' || coalesce(json_get_str(request_parameters, 'instanceOSUser'), 'a user') || ' on ' END
    || coalesce(json_get_str(request_parameters, 'instanceId'), 'an instance')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2-instance-connect.amazonaws.com'
  AND event_name IN ('SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey')
