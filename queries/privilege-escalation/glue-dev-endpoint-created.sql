-- id: glue-dev-endpoint-created
-- title: A Glue development endpoint created or given a new SSH key
-- severity: medium
-- kind: event
-- description: >
--   A Glue development endpoint runs with the IAM role passed to it and accepts SSH with the keys it is given: glue:CreateDevEndpoint with iam:PassRole, or glue:UpdateDevEndpoint on an existing endpoint, is a documented privilege escalation to that role's permissions.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1098.004, T1078.004]}
-- references: [https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/, https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDevEndpoint.html]
-- false_positives: [Data engineers using development endpoints (a legacy feature)]
-- remediation: >
--   Check the endpoint's role and keys with its owner; delete the endpoint if unknown and limit iam:PassRole for Glue roles.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'endpointName'), '?') || coalesce(' with role ' || json_get_str(request_parameters, 'roleArn'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'glue.amazonaws.com'
  AND (event_name = 'CreateDevEndpoint'
       OR (event_name = 'UpdateDevEndpoint'
           AND (json_get(request_parameters, 'publicKey') IS NOT NULL OR json_get(request_parameters, 'addPublicKeys') IS NOT NULL)))
