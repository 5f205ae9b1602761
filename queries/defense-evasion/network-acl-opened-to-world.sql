-- id: network-acl-opened-to-world
-- title: A network ACL rule that lets all traffic in from anywhere
-- severity: medium
-- kind: event
-- description: >
--   A network ACL entry that allows every protocol and port inbound from 0.0.0.0/0 or ::/0 removes the subnet-level layer of defence: only security groups are left between the internet and the subnet.
-- mitre: {tactics: [TA0005], techniques: [T1562.007]}
-- references: [https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html]
-- false_positives: [Subnets that rely on security groups alone by design (the default ACL already allows all)]
-- remediation: >
--   Replace the rule with the ports the subnet serves; check the subnet's instances for traffic since the change.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'ACL ' || coalesce(json_get_str(request_parameters, 'networkAclId'), '?') || ' rule ' || coalesce(CAST(json_get_int(request_parameters, 'ruleNumber') AS VARCHAR), '?')
    || ' allows all traffic from ' || coalesce(json_get_str(request_parameters, 'cidrBlock'), json_get_str(request_parameters, 'ipv6CidrBlock')) || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name IN ('CreateNetworkAclEntry', 'ReplaceNetworkAclEntry')
  AND json_get_str(request_parameters, 'ruleAction') = 'allow'
  AND NOT coalesce(json_get_bool(request_parameters, 'egress'), false)
  AND json_get_str(request_parameters, 'aclProtocol') = '-1'
  AND (json_get_str(request_parameters, 'cidrBlock') = '0.0.0.0/0' OR json_get_str(request_parameters, 'ipv6CidrBlock') = '::/0')
