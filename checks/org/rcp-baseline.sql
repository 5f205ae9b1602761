-- id: org-rcp-baseline
-- title: A guardrail RCP applies to every member account
-- severity: high
-- description: >
--   RCPs set the most access any resource policy of a member account can grant (for S3, STS, KMS, SQS and Secrets Manager), whoever asks: they are the organization-wide guard against a bucket or key opened to the world or to an outside account. A member passes when at least one customer-managed RCP is in effect for it (on the account, an OU above it, or the root); RCPFullAWSAccess alone does not count.
-- remediation: Enable resource control policies on the root, write a baseline RCP (for example deny access from principals outside the organization, and requests without TLS) and attach it to the root.
-- frameworks: { cis-aws-7.0: ["2.1.4"] }
-- tables: [org_accounts, org_policies, org_policy_targets, org_units]
-- requires: [ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH enabled AS (
  SELECT count(*) > 0 AS types_enabled FROM org_units
  WHERE unit_type = 'ROOT' AND array_has(policy_types_enabled, 'RESOURCE_CONTROL_POLICY')
), guardrails AS (
  SELECT account_id, count(DISTINCT policy_id) AS n, string_agg(DISTINCT policy_name, ', ') AS names
  FROM org_policies_in_effect
  WHERE policy_type = 'RESOURCE_CONTROL_POLICY' AND NOT aws_managed
  GROUP BY account_id
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN e.types_enabled AND g.n > 0 THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN NOT e.types_enabled THEN 'resource control policies are not enabled on the root'
    WHEN g.n IS NULL THEN 'only AWS managed RCPs (RCPFullAWSAccess) are in effect'
    ELSE 'in effect: ' || g.names
  END AS reason
FROM org_accounts a
CROSS JOIN enabled e
LEFT JOIN guardrails g ON g.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
