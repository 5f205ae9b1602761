-- id: lambda-code-changed
-- title: A Lambda function's code or layers changed, or a layer was published
-- severity: low
-- kind: event
-- description: >
--   New code in a function runs with its execution role at the next invocation: overwriting the code, adding a layer (which can wrap the runtime) or publishing a layer version is how a backdoor is put into a function that already runs with privileges. Deployments do the same, so the reason names the function for a review against the deployment pipeline's principal.
-- mitre: {tactics: [TA0003, TA0002], techniques: [T1648, T1525]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.lambda-overwrite-code/, https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.lambda-layer-extension/]
-- false_positives: [Deployments by CI/CD (mute their principal), developers updating their functions]
-- remediation: >
--   Compare the function's code hash with the last deployment; limit lambda:UpdateFunctionCode and lambda:PublishLayerVersion to the deployment role.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name LIKE 'UpdateFunctionCode%' THEN 'code of function ' || coalesce(json_get_str(request_parameters, 'functionName'), '?') || ' replaced'
       WHEN event_name LIKE 'PublishLayerVersion%' THEN 'layer ' || coalesce(json_get_str(request_parameters, 'layerName'), '?') || ' published'
       ELSE 'layers of function ' || coalesce(json_get_str(request_parameters, 'functionName'), '?') || ' set to ' || json_get_json(request_parameters, 'layers') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'lambda.amazonaws.com'
  AND (event_name LIKE 'UpdateFunctionCode%' OR event_name LIKE 'PublishLayerVersion%'
       OR (event_name LIKE 'UpdateFunctionConfiguration%' AND json_get(request_parameters, 'layers') IS NOT NULL))
