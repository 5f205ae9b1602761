-- id: api-gateway-http-proxy-created
-- title: An API Gateway route that passes every path through to an outside host
-- severity: low
-- kind: event
-- description: >
--   An HTTP_PROXY integration on a greedy {proxy+} path forwards any request to another host from rotating AWS addresses: the pattern of FireProx, used to spray passwords and scan while dodging IP blocks, and a relay for command and control that blends into AWS traffic.
-- mitre: {tactics: [TA0011], techniques: [T1090.002]}
-- references: [https://github.com/ustayready/fireprox, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html]
-- false_positives: [Legitimate API facades in front of a backend outside AWS]
-- remediation: >
--   Check the integration's target with the API's owner; delete the API if it is not a known service.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'REST API ' || coalesce(json_get_str(request_parameters, 'restApiId'), '?') || ' proxies to ' || coalesce(json_get_str(request_parameters, 'uri'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'apigateway.amazonaws.com' AND event_name = 'PutIntegration'
  AND upper(coalesce(json_get_str(request_parameters, 'type'), '')) = 'HTTP_PROXY'
  AND strpos(coalesce(json_get_str(request_parameters, 'uri'), ''), '{proxy}') > 0
