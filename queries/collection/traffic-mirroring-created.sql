-- id: traffic-mirroring-created
-- title: VPC traffic mirroring set up
-- severity: medium
-- kind: event
-- description: >
--   A traffic mirror session copies every packet of an instance's network interface to a target the creator chooses: network sniffing without touching the instance, used to collect credentials and data in transit.
-- mitre: {tactics: [TA0009, TA0006], techniques: [T1040]}
-- references: [https://docs.aws.amazon.com/vpc/latest/mirroring/what-is-traffic-mirroring.html]
-- false_positives: [Network monitoring and IDS appliances set up by the network team]
-- remediation: >
--   Check the session's source and target (DescribeTrafficMirrorSessions); delete it if unexplained and limit ec2:CreateTrafficMirrorSession to the network team.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'mirror session of ' || coalesce(json_get_str(request_parameters, 'CreateTrafficMirrorSessionRequest', 'NetworkInterfaceId'), json_get_str(request_parameters, 'networkInterfaceId'), 'an interface')
    || ' to ' || coalesce(json_get_str(request_parameters, 'CreateTrafficMirrorSessionRequest', 'TrafficMirrorTargetId'), json_get_str(request_parameters, 'trafficMirrorTargetId'), 'a target')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'CreateTrafficMirrorSession'
