-- id: org-scp-region-restriction
-- title: An SCP limits member accounts to approved regions
-- severity: medium
-- description: >
--   Resources in a region nobody watches escape monitoring, and an attacker with stolen keys mines there first. A member passes when an SCP in effect for it denies requests whose aws:RequestedRegion is not in a list (a Deny with StringNotEquals, StringNotLike or their IfExists forms on aws:RequestedRegion).
-- remediation: Attach to the root an SCP that denies everything except global services (NotAction) when aws:RequestedRegion is not one of your approved regions.
-- tables: [org_accounts, org_policies, org_policy_targets]
-- requires: [DescribeOrganization, ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH conditions AS (
  -- Condition keys are case-insensitive in IAM: compare in lower case.
  SELECT account_id, policy_name, lower(s['condition']) AS c
  FROM (
    SELECT account_id, policy_name, unnest(policy_statements(content)) AS s
    FROM org_policies_in_effect
    WHERE policy_type = 'SERVICE_CONTROL_POLICY'
  )
  WHERE s['effect'] = 'Deny' AND s['condition'] IS NOT NULL
), restricting AS (
  SELECT account_id, string_agg(DISTINCT policy_name, ', ') AS names
  FROM conditions
  WHERE json_get(c, 'stringnotequals', 'aws:requestedregion') IS NOT NULL
     OR json_get(c, 'stringnotequalsifexists', 'aws:requestedregion') IS NOT NULL
     OR json_get(c, 'stringnotlike', 'aws:requestedregion') IS NOT NULL
     OR json_get(c, 'stringnotlikeifexists', 'aws:requestedregion') IS NOT NULL
  GROUP BY account_id
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN r.names IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN r.names IS NULL THEN 'no SCP in effect denies requests outside approved regions'
       ELSE 'restricted by ' || r.names END AS reason
FROM org_accounts a
LEFT JOIN restricting r ON r.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
