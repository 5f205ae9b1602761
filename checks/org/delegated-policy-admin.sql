-- id: org-delegated-policy-admin
-- title: A member account is delegated to manage Organizations policies
-- severity: medium
-- description: >
--   The management account cannot be restricted by SCPs; every policy change made from it
--   concentrates work in the most privileged account. CIS v7.0 2.1.5 asks for a delegated
--   administrator for AWS Organizations, configured by the organization's resource-based
--   delegation policy: the organization passes when that policy has an Allow statement for
--   a principal in a member account. Whether that account is a purpose-built governance
--   account, and the actions least-privilege, the reason lists for you to review.
-- remediation: In the management account, AWS Organizations > Settings > Delegated administrator for AWS Organizations > Delegate, with a policy naming your governance account and the policy actions it needs (aws organizations put-resource-policy).
-- frameworks: { cis-aws-7.0: ["2.1.5"] }
-- tables: [org_organizations, org_resource_policy]
-- requires: [DescribeResourcePolicy]
WITH statements AS (
  SELECT organization_id, unnest(policy_statements(content)) AS s FROM org_resource_policy
), delegates AS (
  SELECT st.organization_id,
         string_agg(DISTINCT acct, ', ') AS accounts
  FROM (
    -- Account ids in the principal, as ids or in ARNs: every run of 12 digits.
    SELECT organization_id, unnest(string_to_array(regexp_replace(s['principal'], '[^0-9]+', ' ', 'g'), ' ')) AS acct
    FROM statements
    WHERE s['effect'] = 'Allow'
  ) st
  JOIN org_organizations o ON o.organization_id = st.organization_id
  WHERE length(st.acct) = 12 AND st.acct <> o.management_account_id
  GROUP BY st.organization_id
)
SELECT
  o.arn || '/delegated-admin/organizations' AS resource_id,
  o.management_account_id AS account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN d.accounts IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN p.organization_id IS NULL THEN 'no delegation policy: Organizations policies are managed from the management account'
    WHEN d.accounts IS NULL THEN 'the delegation policy allows no member account'
    ELSE 'delegated to ' || d.accounts
  END AS reason
FROM org_organizations o
LEFT JOIN (SELECT DISTINCT organization_id FROM org_resource_policy) p ON p.organization_id = o.organization_id
LEFT JOIN delegates d ON d.organization_id = o.organization_id
WHERE o.feature_set = 'ALL'
