-- id: security-group-open-to-world
-- title: A security group opened to the whole internet
-- severity: medium
-- kind: event
-- description: >
--   An ingress rule for 0.0.0.0/0 or ::/0 exposes whatever the group protects to every address on the internet.
-- mitre: {tactics: [TA0005], techniques: [T1562.007]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.ec2-security-group-open-port-22-ingress/]
-- false_positives: [Load balancers and public web servers on 80/443]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'ingress from anywhere on ' || coalesce(json_get_str(request_parameters, 'groupId'), json_get_str(request_parameters, 'groupName'), 'a group')
    || coalesce(' port ' || CAST(json_get_int(request_parameters, 'fromPort') AS VARCHAR), '') AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'AuthorizeSecurityGroupIngress'
  AND error_code IS NULL
  -- The address can be top level (cidrIp) or in ipPermissions items, in either API shape.
  AND (strpos(request_parameters, '"0.0.0.0/0"') > 0 OR strpos(request_parameters, '"::/0"') > 0)
