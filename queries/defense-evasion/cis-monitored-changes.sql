-- id: cis-monitored-changes
-- title: A change CIS asks to be alerted on (S3 policies, network, Config, Organizations)
-- severity: low
-- kind: event
-- description: >
--   The event patterns of the CIS AWS Foundations Benchmark's monitoring controls not covered by a dedicated detection: S3 bucket policy changes (4.8), AWS Config changes (4.9), security group (4.10), network ACL (4.11), network gateway (4.12), route table (4.13), VPC (4.14) and AWS Organizations (4.15) changes. The reason names the control. An audit trail to review, not to page on.
-- mitre: {tactics: [TA0005], techniques: [T1562.007]}
-- references: [https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html]
-- false_positives: [Every deployment that changes networking or policies]
WITH tagged AS (
  SELECT *,
    CASE
      WHEN event_source = 's3.amazonaws.com' AND event_name IN ('PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle',
           'PutBucketReplication', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication') THEN '4.8 S3 bucket policy change'
      WHEN event_source = 'config.amazonaws.com' AND event_name IN ('StopConfigurationRecorder', 'DeleteDeliveryChannel',
           'PutDeliveryChannel', 'PutConfigurationRecorder') THEN '4.9 AWS Config change'
      WHEN event_name IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress',
           'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup') THEN '4.10 security group change'
      WHEN event_name IN ('CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry',
           'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation') THEN '4.11 network ACL change'
      WHEN event_name IN ('CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway',
           'DeleteInternetGateway', 'DetachInternetGateway') THEN '4.12 network gateway change'
      WHEN event_name IN ('CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable',
           'DeleteRoute', 'DisassociateRouteTable') THEN '4.13 route table change'
      WHEN event_name IN ('CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection',
           'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc',
           'DisableVpcClassicLink', 'EnableVpcClassicLink') THEN '4.14 VPC change'
      WHEN event_source = 'organizations.amazonaws.com' AND event_name IN ('AcceptHandshake', 'AttachPolicy', 'CreateAccount',
           'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit',
           'DeletePolicy', 'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization',
           'LeaveOrganization', 'MoveAccount', 'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit') THEN '4.15 AWS Organizations change'
    END AS control
  FROM hunt_events
  WHERE error_code IS NULL
)
SELECT event_time, account_id, aws_region AS region, principal, source_ip_address,
       make_array(event_id) AS event_ids,
       'CIS ' || control || ': ' || event_name AS reason
FROM tagged
WHERE control IS NOT NULL
