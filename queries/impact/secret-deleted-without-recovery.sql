-- id: secret-deleted-without-recovery
-- title: "A secret deleted at once, without a recovery window"
-- severity: medium
-- kind: event
-- description: >
--   DeleteSecret with forceDeleteWithoutRecovery destroys the secret and every version immediately (the default keeps it recoverable for 7 to 30 days): the applications that use it break and the credential inside cannot be recovered.
-- mitre: {tactics: [TA0040], techniques: [T1485]}
-- references: [https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html]
-- false_positives: [Test tear-downs and infrastructure-as-code that recreate secrets under the same name]
-- remediation: >
--   Recreate the secret from its source and rotate what it held; deny secretsmanager:DeleteSecret with secretsmanager:ForceDeleteWithoutRecovery true outside automation.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'secret ' || coalesce(json_get_str(request_parameters, 'secretId'), '?') || ' deleted without recovery' || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'secretsmanager.amazonaws.com' AND event_name = 'DeleteSecret'
  AND json_get_bool(request_parameters, 'forceDeleteWithoutRecovery')
