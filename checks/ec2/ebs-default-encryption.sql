-- id: ec2-ebs-default-encryption
-- title: New EBS volumes are encrypted by default in every collected region
-- severity: medium
-- description: >
--   With EBS encryption by default, every new volume and snapshot copy is encrypted; without
--   it, encryption depends on each launch. The CIS audit (v7.0 6.1.1):
--   GetEbsEncryptionByDefault answers true in each region. One row per region collected;
--   existing volumes are not converted by it.
-- remediation: aws ec2 enable-ebs-encryption-by-default --region REGION, in every region.
-- frameworks: { cis-aws-5.0: ["5.1.1"], cis-aws-6.0: ["6.1.1"], cis-aws-7.0: ["6.1.1"] }
-- tables: [ec2_ebs_encryption]
-- requires: [GetEbsEncryptionByDefault]
SELECT
  'account/' || account_id || '/' || region || '/ebs-encryption' AS resource_id,
  account_id,
  region,
  CASE WHEN encrypted_by_default THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN encrypted_by_default THEN 'new volumes are encrypted by default'
       ELSE 'new volumes are not encrypted by default' END AS reason
FROM ec2_ebs_encryption
