-- id: org-accounts-under-root
-- title: Member accounts sit in organizational units, not directly under the root
-- severity: low
-- description: >
--   OUs structured by environment and sensitivity let guardrails follow an account's risk.
--   CIS v7.0 2.1.4 is manual: whether the OUs match environment and sensitivity is a
--   reviewer's judgement. Its remediation asks that no active account remain directly
--   under the root unless justified; this check gives that evidence: each active member
--   account, FAIL when its parent is the root, with its OU path otherwise. The management
--   account is not judged (it is often kept at the root).
-- remediation: Create OUs for your environments and sensitivities (for example Security, Infrastructure, Workloads/Prod, Workloads/NonProd, Sandbox) and move each account into one.
-- frameworks: { cis-aws-7.0: ["2.1.4"] }
-- tables: [org_accounts, org_units]
-- requires: [DescribeOrganization, ListAccounts, ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent]
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN r.id IS NOT NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN r.id IS NOT NULL THEN 'directly under the root: justify it or move it into an OU'
       ELSE 'in ' || coalesce(a.ou_path, a.parent_id, 'an unknown parent') END AS reason
FROM org_accounts a
LEFT JOIN org_units r ON r.id = a.parent_id AND r.unit_type = 'ROOT'
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
