-- id: ebs-default-encryption-disabled
-- title: EBS encryption by default turned off in a region
-- severity: medium
-- kind: event
-- description: >
--   With encryption by default off, new volumes and snapshot copies in the region are unencrypted unless asked otherwise, so they can be shared with other accounts (unencrypted snapshots can be made public) and read without KMS; CIS 6.1.1 asks for it on. Changing the default key to one the attacker controls has a similar effect.
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html]
-- false_positives: [Rarely any, the setting is seldom turned off on purpose]
-- remediation: >
--   aws ec2 enable-ebs-encryption-by-default in the region, and check the volumes created since.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'DisableEbsEncryptionByDefault' THEN 'EBS encryption by default turned off in ' || aws_region
       ELSE 'EBS default key changed to ' || coalesce(json_get_str(request_parameters, 'ModifyEbsDefaultKmsKeyIdRequest', 'KmsKeyId'), json_get_str(request_parameters, 'kmsKeyId'), '?') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name IN ('DisableEbsEncryptionByDefault', 'ModifyEbsDefaultKmsKeyId', 'ResetEbsDefaultKmsKeyId')
