-- id: bedrock-model-access-requested
-- title: Access to Bedrock foundation models requested or granted
-- severity: medium
-- kind: event
-- description: >
--   Before stolen credentials can run third-party models (LLM-jacking), model access is asked for: the use-case form (PutUseCaseForModelAccess), a model agreement (CreateFoundationModelAgreement), an entitlement (PutFoundationModelEntitlement). In an account that does not use Bedrock, these are the preparation.
-- mitre: {tactics: [TA0040, TA0042], techniques: [T1496.004]}
-- references: [https://permiso.io/blog/exploiting-hosted-models, https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html]
-- false_positives: [A team enabling models it will use]
-- remediation: >
--   Check the requester with its owner; deny bedrock:* in accounts that do not use it (an SCP).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || coalesce(' for ' || json_get_str(request_parameters, 'modelId'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'bedrock.amazonaws.com'
  AND event_name IN ('PutUseCaseForModelAccess', 'CreateFoundationModelAgreement', 'PutFoundationModelEntitlement')
