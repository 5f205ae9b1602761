-- id: instance-connect-endpoint-created
-- title: "An EC2 Instance Connect Endpoint created: a tunnel into private subnets"
-- severity: medium
-- kind: event
-- description: >
--   An Instance Connect Endpoint lets anyone with the ec2-instance-connect:OpenTunnel permission open TCP tunnels from the internet to instances in a private subnet, with no bastion, VPN or public address: a way into the network that its security groups alone decide.
-- mitre: {tactics: [TA0011, TA0008], techniques: [T1572, T1021.004]}
-- references: [https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-using-eice.html]
-- false_positives: [Teams replacing bastion hosts with endpoints]
-- remediation: >
--   Check who may open tunnels through it (ec2-instance-connect:OpenTunnel) and the endpoint's security group; delete it if it is not planned.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'Instance Connect Endpoint in subnet ' || coalesce(json_get_str(request_parameters, 'CreateInstanceConnectEndpointRequest', 'SubnetId'), json_get_str(request_parameters, 'SubnetId'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'CreateInstanceConnectEndpoint'
