-- id: ssm-document-created
-- title: An SSM Command or Automation document created or changed
-- severity: low
-- kind: event
-- description: >
--   A Command or Automation document is a script that Run Command, State Manager or Automation runs on instances or against the account, often with broad roles; a new or changed one is code staged to run fleet-wide, and a quiet place to keep it.
-- mitre: {tactics: [TA0002, TA0003], techniques: [T1651]}
-- references: [https://docs.aws.amazon.com/systems-manager/latest/userguide/documents.html]
-- false_positives: [Operations teams publishing runbooks]
-- remediation: >
--   Read the document's content with its owner; delete versions that are not theirs and check where it was run (SendCommand, StartAutomationExecution).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), '?') || coalesce(' (' || json_get_str(request_parameters, 'documentType') || ')', '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ssm.amazonaws.com'
  AND ((event_name = 'CreateDocument' AND coalesce(json_get_str(request_parameters, 'documentType'), 'Command') IN ('Command', 'Automation'))
       OR event_name = 'UpdateDocument')
