-- id: org-delegated-admin-security-services
-- title: Security services are administered from a delegated member account
-- severity: medium
-- description: >
--   GuardDuty, Security Hub and IAM Access Analyzer are run for the whole organization from one account. When no member account is their delegated administrator, they are run from the management account (whose access then has to be widened for day-to-day security work) or not organization-wide at all. One row per service; it passes when a member account is registered as its delegated administrator.
-- remediation: From the management account, register your security tooling account as delegated administrator, e.g. aws guardduty enable-organization-admin-account, aws securityhub enable-organization-admin-account, aws organizations register-delegated-administrator --service-principal access-analyzer.amazonaws.com.
-- frameworks: { cis-aws-7.0: ["2.1.5"] }
-- tables: [org_organizations, org_delegated_admins]
-- requires: [DescribeOrganization, ListDelegatedAdministrators, ListDelegatedServicesForAccount]
WITH services(service_principal) AS (
  VALUES ('guardduty.amazonaws.com'), ('securityhub.amazonaws.com'), ('access-analyzer.amazonaws.com')
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
  CASE WHEN d.accounts IS NULL THEN 'no member account is delegated administrator for ' || s.service_principal
       ELSE 'delegated to ' || d.accounts END AS reason
FROM org_organizations o
CROSS JOIN services s
LEFT JOIN delegated d ON d.service_principal = s.service_principal
WHERE o.feature_set = 'ALL'
