-- id: lambda-made-public
-- title: A Lambda function, layer or function URL opened to anyone
-- severity: high
-- kind: event
-- description: >
--   A resource policy statement with principal * lets any AWS account invoke the function (AddPermission) or use the layer (AddLayerVersionPermission), and a function URL with auth type NONE lets anyone on the internet call it: a backdoor that needs no credentials, or code shared out of the account.
-- mitre: {tactics: [TA0003, TA0001], techniques: [T1546, T1190]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.lambda-backdoor-function/, https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html]
-- false_positives: [Public webhooks behind a function URL that checks its own authentication]
-- remediation: >
--   Remove the statement (RemovePermission, RemoveLayerVersionPermission) or set the URL's auth type to AWS_IAM; add a source account or ARN condition where a service must invoke it.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name LIKE 'AddLayerVersionPermission%' THEN 'layer ' || coalesce(json_get_str(request_parameters, 'layerName'), '?') || ' shared with anyone'
       WHEN event_name LIKE 'AddPermission%' THEN 'function ' || coalesce(json_get_str(request_parameters, 'functionName'), '?') || ' invocable by anyone (' || coalesce(json_get_str(request_parameters, 'action'), '?') || ')'
       ELSE 'function URL without authentication on ' || coalesce(json_get_str(request_parameters, 'functionName'), '?') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'lambda.amazonaws.com'
  AND (((event_name LIKE 'AddPermission%' OR event_name LIKE 'AddLayerVersionPermission%')
        AND json_get_str(request_parameters, 'principal') = '*'
        AND json_get(request_parameters, 'sourceArn') IS NULL AND json_get(request_parameters, 'sourceAccount') IS NULL
        AND json_get(request_parameters, 'principalOrgID') IS NULL AND json_get(request_parameters, 'organizationId') IS NULL)
       OR ((event_name LIKE 'CreateFunctionUrlConfig%' OR event_name LIKE 'UpdateFunctionUrlConfig%')
           AND json_get_str(request_parameters, 'authType') = 'NONE'))
