-- id: org-scp-baseline
-- title: A guardrail SCP applies to every member account
-- severity: high
-- description: >
--   SCPs set the most any principal of a member account can do. With only the AWS managed FullAWSAccess in effect, an account's administrators can disable logging, leave the organization or use any region. A member passes when at least one customer-managed SCP is in effect for it (on the account, an OU above it, or the root). What the SCP says is checked by org-scp-deny-leave-organization, org-scp-protect-cloudtrail and org-scp-region-restriction.
-- remediation: Write a baseline SCP with your non-negotiable denies and attach it to the root (or to every OU).
-- frameworks: { cis-aws-7.0: ["2.1.2"] }
-- tables: [org_accounts, org_policies, org_policy_targets, org_units]
-- requires: [ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH enabled AS (
  SELECT count(*) > 0 AS types_enabled FROM org_units
  WHERE unit_type = 'ROOT' AND array_has(policy_types_enabled, 'SERVICE_CONTROL_POLICY')
), guardrails AS (
  SELECT account_id, count(DISTINCT policy_id) AS n, string_agg(DISTINCT policy_name, ', ') AS names
  FROM org_policies_in_effect
  WHERE policy_type = 'SERVICE_CONTROL_POLICY' AND NOT aws_managed
  GROUP BY account_id
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN e.types_enabled AND g.n > 0 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN NOT e.types_enabled THEN 'service control policies are not enabled on the root'
    WHEN g.n IS NULL THEN 'only AWS managed SCPs (FullAWSAccess) are in effect'
    ELSE 'in effect: ' || g.names
  END AS reason
FROM org_accounts a
CROSS JOIN enabled e
LEFT JOIN guardrails g ON g.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
