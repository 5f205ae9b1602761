-- id: instance-profile-swapped
-- title: An IAM instance profile attached to or swapped on a running instance
-- severity: medium
-- kind: event
-- description: >
--   Attaching a more privileged instance profile to an instance the caller controls (AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation) hands the caller that role's credentials through the metadata service: privilege escalation with iam:PassRole and two EC2 calls.
-- mitre: {tactics: [TA0004], techniques: [T1098, T1078.004]}
-- references: [https://bishopfox.com/blog/privilege-escalation-in-aws, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceIamInstanceProfileAssociation.html]
-- false_positives: [Fixing an instance launched with the wrong profile]
-- remediation: >
--   Check which role the instance now has and who uses the instance; limit iam:PassRole to the roles each team's instances need.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'instance profile ' || coalesce(json_get_str(request_parameters, 'AssociateIamInstanceProfileRequest', 'IamInstanceProfile', 'Arn'),
                                  json_get_str(request_parameters, 'ReplaceIamInstanceProfileAssociationRequest', 'IamInstanceProfile', 'Arn'),
                                  json_get_str(request_parameters, 'AssociateIamInstanceProfileRequest', 'IamInstanceProfile', 'Name'), '?')
    || CASE WHEN event_name LIKE 'Replace%' THEN ' swapped in' ELSE ' attached to ' || coalesce(json_get_str(request_parameters, 'AssociateIamInstanceProfileRequest', 'InstanceId'), 'an instance') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name IN ('AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation')
