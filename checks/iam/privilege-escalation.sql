-- id: iam-privilege-escalation
-- title: No user or role can escalate its own privileges
-- severity: high
-- description: >
--   A principal that is not already an administrator but holds every permission of a
--   documented privilege-escalation path (pathfinding.cloud: 65 paths) on the resources the
--   path needs, as the policy engine decides it after SCPs, permissions boundaries, trust
--   policies and conditions, can make itself an administrator or take over another
--   principal. Assuming a role whose trust policy allows it (path sts-001) is not counted:
--   the trust policy sanctions it. The paths are in the table iam_privilege_escalation.
--   The decision reads the SCPs and managed policies: when one of them could not be read, every
--   principal of the account (of every account, for an SCP) is not assessed rather than guessed.
-- remediation: Remove one permission of each listed path, or fence it with an SCP or a permissions boundary; `govscan policy explain` shows the statements that grant it.
-- tables: [iam_users, iam_roles, iam_policies, iam_policy_attachments, iam_inline_policies, iam_group_members, org_policies, org_policy_targets]
-- requires: [GetAccountAuthorizationDetails, GetPolicy, GetPolicyVersion, org:ListPolicies, org:DescribePolicy, org:ListTargetsForPolicy]
WITH admins AS (SELECT principal_arn FROM iam_admins),
open_paths AS (
  SELECT principal_arn, array_to_string(array_sort(array_agg(DISTINCT path_id)), ', ') AS paths
  FROM iam_privilege_escalation
  WHERE path_id <> 'sts-001'
  GROUP BY principal_arn
),
principals AS (
  SELECT arn, account_id FROM iam_users
  UNION ALL
  SELECT arn, account_id FROM iam_roles WHERE NOT coalesce(is_service_linked, false)
)
SELECT
  p.arn AS resource_id,
  p.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN o.principal_arn IS NOT NULL AND a.principal_arn IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN a.principal_arn IS NOT NULL THEN 'already an administrator (see iam-admin-users)'
    WHEN o.principal_arn IS NOT NULL THEN 'escalation paths open: ' || o.paths
    ELSE 'no documented escalation path is open'
  END AS reason
FROM principals p
LEFT JOIN open_paths o ON o.principal_arn = p.arn
LEFT JOIN admins a ON a.principal_arn = p.arn
