-- id: org-delegated-admin-services
-- title: Services integrated with the organization are administered from a member account
-- severity: medium
-- description: >
--   Services with trusted access to the organization (CloudTrail, GuardDuty, Security Hub,
--   IAM Access Analyzer, Config, ...) run organization-wide from one account. Without a
--   delegated administrator they are run from the management account, which SCPs cannot
--   restrict and whose access then widens for day-to-day work. CIS v7.0 2.1.6: for each
--   service in use with the organization that supports delegated administration, a member
--   account is registered as its delegated administrator. One row per service with trusted
--   access enabled (ListAWSServiceAccessForOrganization) that AWS lets you delegate; a
--   service not in use is not applicable and has no row.
-- remediation: From the management account, register your security or logging account as delegated administrator for the service, e.g. aws organizations register-delegated-administrator --service-principal cloudtrail.amazonaws.com --account-id ID (for GuardDuty and Security Hub, their own enable-organization-admin-account).
-- frameworks: { cis-aws-7.0: ["2.1.6"] }
-- tables: [org_organizations, org_service_access, org_delegated_admins]
-- requires: [DescribeOrganization, ListAWSServiceAccessForOrganization, ListDelegatedAdministrators, ListDelegatedServicesForAccount]
WITH delegable(service_principal) AS (
  -- Services that support a delegated administrator (AWS Organizations User Guide, "AWS
  -- services that you can use with AWS Organizations").
  VALUES ('access-analyzer.amazonaws.com'), ('account.amazonaws.com'), ('auditmanager.amazonaws.com'),
         ('backup.amazonaws.com'), ('cloudtrail.amazonaws.com'), ('compute-optimizer.amazonaws.com'),
         ('config.amazonaws.com'), ('config-multiaccountsetup.amazonaws.com'), ('detective.amazonaws.com'),
         ('devops-guru.amazonaws.com'), ('ds.amazonaws.com'), ('fms.amazonaws.com'),
         ('guardduty.amazonaws.com'), ('health.amazonaws.com'), ('iam.amazonaws.com'),
         ('inspector2.amazonaws.com'), ('ipam.amazonaws.com'), ('license-manager.amazonaws.com'),
         ('macie.amazonaws.com'), ('member.org.stacksets.cloudformation.amazonaws.com'),
         ('securityhub.amazonaws.com'), ('securitylake.amazonaws.com'), ('servicecatalog.amazonaws.com'),
         ('ssm.amazonaws.com'), ('sso.amazonaws.com'), ('storage-lens.s3.amazonaws.com'),
         ('reachabilityanalyzer.networkinsights.amazonaws.com'), ('cost-optimization-hub.bcm.amazonaws.com')
), in_use AS (
  SELECT DISTINCT a.service_principal FROM org_service_access a JOIN delegable d ON d.service_principal = a.service_principal
), delegated AS (
  SELECT d.service_principal, string_agg(DISTINCT d.delegated_account_id, ', ') AS accounts
  FROM org_delegated_admins d
  JOIN org_organizations o ON d.delegated_account_id <> o.management_account_id
  GROUP BY d.service_principal
)
SELECT
  o.arn || '/delegated-admin/' || s.service_principal AS resource_id,
  o.management_account_id AS account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN d.accounts IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN d.accounts IS NULL THEN s.service_principal || ' has trusted access but no member account is its delegated administrator'
       ELSE 'delegated to ' || d.accounts END AS reason
FROM org_organizations o
CROSS JOIN in_use s
LEFT JOIN delegated d ON d.service_principal = s.service_principal
WHERE o.feature_set = 'ALL'
