-- id: bedrock-guardrail-or-logging-removed
-- title: Bedrock model invocation logging or a guardrail removed
-- severity: medium
-- kind: event
-- description: >
--   Model invocation logging is the only record of what prompts a Bedrock account ran; LLM-jacking campaigns delete it (DeleteModelInvocationLoggingConfiguration) before they resell access, and deleting a guardrail removes the content filter an application depends on.
-- mitre: {tactics: [TA0005], techniques: [T1562.008, T1562.001]}
-- references: [https://permiso.io/blog/exploiting-hosted-models, https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html]
-- false_positives: ["Reconfiguring logging to a new destination, retiring an application's guardrail"]
-- remediation: >
--   Turn invocation logging back on and check the account's Bedrock usage and the principal's keys.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || coalesce(' ' || json_get_str(request_parameters, 'guardrailIdentifier'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'bedrock.amazonaws.com' AND event_name IN ('DeleteModelInvocationLoggingConfiguration', 'DeleteGuardrail')
