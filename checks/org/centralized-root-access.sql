-- id: org-centralized-root-access
-- title: Centralized root access manages the member accounts' root credentials
-- severity: high
-- description: >
--   With centralized root access, the management account (or IAM's delegated
--   administrator) removes and prevents root passwords, access keys and MFA devices in
--   member accounts, and runs root-only tasks through short root sessions instead of
--   long-lived root credentials in every account. CIS v7.0 2.1.1 audits the IAM console's
--   Root access management page: the organization passes when root credentials management
--   is enabled for member accounts (IAM ListOrganizationsFeatures answers
--   RootCredentialsManagement). The benchmark enables privileged root sessions only "if
--   desired", so RootSessions is reported but not required. IAM without trusted access in
--   the organization has no feature enabled and fails.
-- remediation: In the management account, IAM > Root access management > Enable (root credentials management; privileged root actions if you need them), or aws iam enable-organizations-root-credentials-management.
-- frameworks: { cis-aws-7.0: ["2.1.1"] }
-- tables: [org_organizations, org_iam_features]
-- requires: [ListOrganizationsFeatures]
SELECT
  o.arn || '/root-access' AS resource_id,
  o.management_account_id AS account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN array_has(f.enabled_features, 'RootCredentialsManagement') THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN array_has(f.enabled_features, 'RootCredentialsManagement') AND array_has(f.enabled_features, 'RootSessions')
      THEN 'root credentials management and privileged root sessions are enabled'
    WHEN array_has(f.enabled_features, 'RootCredentialsManagement')
      THEN 'root credentials management is enabled (privileged root sessions are not)'
    WHEN cardinality(f.enabled_features) > 0 THEN 'root credentials management is not enabled (only ' || array_to_string(f.enabled_features, ', ') || ')'
    ELSE 'centralized root access is not enabled for the organization'
  END AS reason
FROM org_organizations o
JOIN org_iam_features f ON f.organization_id = o.organization_id
