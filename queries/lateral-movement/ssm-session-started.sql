-- id: ssm-session-started
-- title: An interactive SSM Session Manager session started on an instance
-- severity: low
-- kind: event
-- description: >
--   StartSession opens a shell on an instance (or a port forward through it) from the control plane: no SSH key, no open port, only ssm:StartSession. An attacker with cloud credentials moves onto instances this way.
-- mitre: {tactics: [TA0008, TA0002], techniques: [T1021.007, T1651]}
-- references: [https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html, https://stratus-red-team.cloud/attack-techniques/AWS/aws.execution.ssm-start-session/]
-- false_positives: [Administrators who use Session Manager instead of SSH]
-- remediation: >
--   Check the session's log (Session Manager logging to S3 or CloudWatch Logs) and whether the principal should reach that instance.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'session on ' || coalesce(json_get_str(request_parameters, 'target'), 'an instance')
    || coalesce(' (' || json_get_str(request_parameters, 'documentName') || ')', '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ssm.amazonaws.com' AND event_name = 'StartSession'
