-- id: org-scp-protect-cloudtrail
-- title: Member accounts cannot stop or delete CloudTrail
-- severity: medium
-- description: >
--   An attacker with admin rights in a member account stops the trail first, or deletes it.
--   A member passes when the SCPs in effect for it deny both cloudtrail:StopLogging and
--   cloudtrail:DeleteTrail to its principals: by name, by a wildcard (cloudtrail:Stop*,
--   cloudtrail:*, *), or by a NotAction that leaves them out. A deny with a condition counts
--   when the condition only exempts named principals ("except our security role", by
--   aws:PrincipalArn, aws:userid or a principal tag); a deny narrowed to some requests (a
--   region, a source address) does not. The trail the deny names is not judged: a deny on
--   the organization trail alone protects it.
-- remediation: Attach to the root an SCP that denies cloudtrail:StopLogging, cloudtrail:DeleteTrail and cloudtrail:UpdateTrail, except for your security role (ArnNotLike aws:PrincipalArn).
-- tables: [org_accounts, org_policies, org_policy_targets]
-- requires: [DescribeOrganization, ListAccounts, ListRoots, ListPolicies, DescribePolicy, ListTargetsForPolicy]
WITH protected AS (
  -- The SCPs in effect for each account (see org_policies_in_effect), read by the policy
  -- engine: policy_denies is true for a deny of the action to every principal, but those
  -- its condition exempts by name.
  SELECT account_id,
         bool_or(policy_denies(content, 'cloudtrail:StopLogging')) AS stop_denied,
         bool_or(policy_denies(content, 'cloudtrail:DeleteTrail')) AS delete_denied
  FROM org_policies_in_effect
  WHERE policy_type = 'SERVICE_CONTROL_POLICY'
  GROUP BY account_id
)
SELECT
  a.arn AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN p.stop_denied AND p.delete_denied THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN p.stop_denied AND p.delete_denied THEN 'SCPs deny cloudtrail:StopLogging and cloudtrail:DeleteTrail'
    WHEN p.stop_denied THEN 'SCPs deny cloudtrail:StopLogging but not cloudtrail:DeleteTrail'
    WHEN p.delete_denied THEN 'SCPs deny cloudtrail:DeleteTrail but not cloudtrail:StopLogging'
    ELSE 'no SCP in effect denies cloudtrail:StopLogging or cloudtrail:DeleteTrail'
  END AS reason
FROM org_accounts a
LEFT JOIN protected p ON p.account_id = a.account_id
WHERE NOT a.is_management_account AND a.status = 'ACTIVE'
