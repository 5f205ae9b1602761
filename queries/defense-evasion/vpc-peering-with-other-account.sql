-- id: vpc-peering-with-other-account
-- title: A VPC peering or transit gateway attachment to another account
-- severity: medium
-- kind: event
-- description: >
--   Peering a VPC with one in another account (or accepting such a request) joins the two networks: the other side reaches the VPC's instances and databases past the internet-facing controls, and data can leave without crossing a NAT or a proxy.
-- mitre: {tactics: [TA0005, TA0010], techniques: [T1599, T1537]}
-- references: [https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html]
-- false_positives: ["Peerings between the organization's own accounts (the detection cannot tell them from outsiders')"]
-- remediation: >
--   Check the other account against the organization's list; delete the peering or attachment if it is not one of yours.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' with account ' || coalesce(json_get_str(request_parameters, 'peerOwnerId'), json_get_str(request_parameters, 'CreateTransitGatewayPeeringAttachmentRequest', 'PeerAccountId'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com'
  AND ((event_name = 'CreateVpcPeeringConnection' AND json_get_str(request_parameters, 'peerOwnerId') <> account_id)
       OR (event_name = 'CreateTransitGatewayPeeringAttachment'
           AND json_get_str(request_parameters, 'CreateTransitGatewayPeeringAttachmentRequest', 'PeerAccountId') <> account_id))
