-- id: org-authorization-guardrails
-- title: A guardrail SCP or RCP applies to every member account
-- severity: high
-- description: >
--   SCPs set the most any principal of a member account can do, RCPs the most any resource
--   policy of it can grant. With only the AWS managed FullAWSAccess and RCPFullAWSAccess in
--   effect, an account's administrators can disable logging, leave the organization or open
--   a bucket to the world. CIS v7.0 2.1.2 asks for baseline SCPs "and/or" RCPs attached to
--   every active member account, directly or through an OU or the root: a member passes
--   when at least one customer-managed SCP or RCP of an enabled policy type is in effect
--   for it. Whether those policies hold your baseline is for you to read; what they say is
--   checked by org-scp-deny-leave-organization, org-scp-protect-cloudtrail and
--   org-scp-region-restriction.
-- remediation: Write a baseline SCP (and an RCP, for resource access) with your non-negotiable denies, enable the policy type on the root and attach the policies to the root or to every OU.
-- frameworks: { cis-aws-7.0: ["2.1.2"] }
-- tables: [org_accounts, org_policies, org_policy_targets, org_units]
-- requires: [DescribeOrganization, ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH enabled AS (
  SELECT unnest(policy_types_enabled) AS policy_type FROM org_units WHERE unit_type = 'ROOT'
), guardrails AS (
  SELECT p.account_id,
         string_agg(DISTINCT CASE WHEN p.policy_type = 'SERVICE_CONTROL_POLICY' THEN p.policy_name END, ', ') AS scps,
         string_agg(DISTINCT CASE WHEN p.policy_type = 'RESOURCE_CONTROL_POLICY' THEN p.policy_name END, ', ') AS rcps
  FROM org_policies_in_effect p
  WHERE p.policy_type IN ('SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY') AND NOT p.aws_managed
    AND p.policy_type IN (SELECT policy_type FROM enabled)
  GROUP BY p.account_id
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN g.account_id IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN g.account_id IS NULL AND NOT e.any_enabled THEN 'neither service nor resource control policies are enabled on the root'
    WHEN g.account_id IS NULL THEN 'only AWS managed SCPs and RCPs (FullAWSAccess, RCPFullAWSAccess) are in effect'
    ELSE concat_ws('; ', 'SCPs in effect: ' || g.scps, 'RCPs in effect: ' || g.rcps)
  END AS reason
FROM org_accounts a
CROSS JOIN (
  SELECT count(*) > 0 AS any_enabled FROM enabled
  WHERE policy_type IN ('SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY')
) e
LEFT JOIN guardrails g ON g.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
