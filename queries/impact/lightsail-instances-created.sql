-- id: lightsail-instances-created
-- title: Lightsail instances or container services created
-- severity: low
-- kind: event
-- description: >
--   Lightsail runs servers outside the account's VPCs, security groups and most EC2 monitoring, with their own quotas: attackers with stolen keys start them for mining or as infrastructure, where EC2-focused alerts do not look.
-- mitre: {tactics: [TA0040, TA0005], techniques: [T1496.001, T1578.002]}
-- references: [https://docs.aws.amazon.com/lightsail/2016-11-28/api-reference/API_CreateInstances.html]
-- false_positives: [Teams that host small sites on Lightsail]
-- remediation: >
--   Check the instances with the account's owner; delete them if unknown and deny lightsail:* in accounts that do not use it (an SCP).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_json(request_parameters, 'instanceNames'), json_get_str(request_parameters, 'serviceName'), '?')
    || coalesce(' (' || json_get_str(request_parameters, 'bundleId') || ')', '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'lightsail.amazonaws.com'
  AND event_name IN ('CreateInstances', 'CreateInstancesFromSnapshot', 'CreateContainerService')
