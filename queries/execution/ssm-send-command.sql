-- id: ssm-send-command
-- title: Commands sent to instances through SSM Run Command
-- severity: medium
-- kind: event
-- description: >
--   SendCommand runs a document (a shell or PowerShell script) as root or SYSTEM on the instances it names, without SSH or an open port: a way in from the control plane once a principal has ssm:SendCommand. Calls made by AWS services (State Manager, Patch Manager) are left out.
-- mitre: {tactics: [TA0002, TA0008], techniques: [T1651]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.execution.ssm-send-command/, https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command.html]
-- false_positives: [Administrators and automation running maintenance documents by hand]
-- remediation: >
--   Read the command's output (ListCommandInvocations) and the instances' logs; limit ssm:SendCommand to the documents and instances each role needs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'SendCommand ' || coalesce(json_get_str(request_parameters, 'documentName'), 'document')
    || ' to ' || coalesce(json_get_json(request_parameters, 'instanceIds'), json_get_json(request_parameters, 'targets'), 'instances')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ssm.amazonaws.com' AND event_name = 'SendCommand'
  AND coalesce(user_identity['type'], '') <> 'AWSService'
