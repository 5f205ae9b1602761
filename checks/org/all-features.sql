-- id: org-all-features
-- title: The organization has all features enabled
-- severity: high
-- description: >
--   Service control policies, resource control policies and delegated administration exist only in an organization with all features; one with consolidated billing only has no guardrails at all.
-- remediation: In the management account, AWS Organizations > Settings > Enable all features, and have every member account approve.
-- tables: [org_organizations]
-- requires: [DescribeOrganization]
SELECT
  arn AS resource_id,
  management_account_id AS account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN feature_set = 'ALL' THEN 'PASS' ELSE 'FAIL' END AS status,
  'feature set is ' || coalesce(feature_set, 'unknown') AS reason
FROM org_organizations
