-- id: ram-share-with-outside-principals
-- title: A Resource Access Manager share opened to principals outside the organization
-- severity: low
-- kind: event
-- description: >
--   A resource share that allows external principals can give subnets, Transit Gateways, Route 53 resolver rules, license configurations or private CAs to any account named in it; shares inside the organization do not need it.
-- mitre: {tactics: [TA0010], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/ram/latest/userguide/working-with-sharing-create.html]
-- false_positives: [Sharing with partners on purpose]
-- remediation: >
--   Check the principals of the share; turn allowExternalPrincipals off or delete the share if it is not planned.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'resource share ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'resourceShareArn'), '?') || ' allows outside principals'
    || coalesce(': ' || json_get_json(request_parameters, 'principals'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ram.amazonaws.com' AND event_name IN ('CreateResourceShare', 'UpdateResourceShare')
  AND json_get_bool(request_parameters, 'allowExternalPrincipals')
