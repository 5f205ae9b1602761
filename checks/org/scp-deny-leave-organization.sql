-- id: org-scp-deny-leave-organization
-- title: Member accounts cannot leave the organization
-- severity: medium
-- description: >
--   An account that leaves the organization escapes its SCPs, its organization trail and its billing. A member passes when an SCP in effect for it (on the account, its OUs or the root) denies organizations:LeaveOrganization.
-- remediation: Attach to the root an SCP that denies organizations:LeaveOrganization.
-- tables: [org_accounts, org_policies, org_policy_targets]
-- requires: [DescribeOrganization, ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH denied_actions AS (
  -- Unconditional denies of the SCPs in effect for each account (see org_policies_in_effect).
  SELECT account_id, lower(action) AS action
  FROM (
    SELECT account_id, unnest(s['actions']) AS action
    FROM (
      SELECT account_id, unnest(policy_statements(content)) AS s
      FROM org_policies_in_effect WHERE policy_type = 'SERVICE_CONTROL_POLICY'
    )
    WHERE s['effect'] = 'Deny' AND s['condition'] IS NULL
  )
), protected AS (
  SELECT DISTINCT account_id FROM denied_actions
  WHERE action IN ('organizations:leaveorganization', 'organizations:*', '*')
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN p.account_id IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN p.account_id IS NULL THEN 'no SCP in effect denies organizations:LeaveOrganization' ELSE 'denies leaving the organization' END AS reason
FROM org_accounts a
LEFT JOIN protected p ON p.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
