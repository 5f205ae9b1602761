-- id: cloudshell-environment-created
-- title: A principal started using CloudShell
-- severity: low
-- kind: event
-- description: >
--   CloudShell gives a console session a shell with the session's credentials and network access, with tools preinstalled: attackers who got into the console use it to run their tooling from inside AWS. The environment is created once per principal and region, so this fires on first use.
-- mitre: {tactics: [TA0002], techniques: [T1059.009]}
-- references: [https://docs.aws.amazon.com/cloudshell/latest/userguide/welcome.html]
-- false_positives: [Engineers trying CloudShell]
-- remediation: >
--   Check with the principal's owner; deny cloudshell:* to roles that do not need it.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'CloudShell environment created in ' || aws_region || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'cloudshell.amazonaws.com' AND event_name = 'CreateEnvironment'
