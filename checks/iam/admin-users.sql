-- id: iam-admin-users
-- title: No IAM user has administrator access
-- severity: high
-- description: >
--   An IAM user whose policies, as the policy engine decides them after SCPs and permissions
--   boundaries, let it rewrite any role's policies, attach any policy to any user, create
--   access keys for anyone and pass any role (the computed table iam_admins) is an
--   administrator with long-term credentials. Administrators should work through roles
--   (IAM Identity Center, or sts:AssumeRole with MFA), whose credentials expire.
--   The decision reads the SCPs and managed policies: when one of them could not be read, every
--   principal of the account (of every account, for an SCP) is not assessed rather than guessed.
-- remediation: Move the user's administrative access to a role it assumes, or fence it with a permissions boundary; `govscan policy explain` shows what grants it.
-- tables: [iam_users, iam_policies, iam_policy_attachments, iam_inline_policies, iam_group_members, org_policies, org_policy_targets]
-- requires: [GetAccountAuthorizationDetails, GetPolicy, GetPolicyVersion, org:ListPolicies, org:DescribePolicy, org:ListTargetsForPolicy]
WITH admins AS (SELECT principal_arn FROM iam_admins)
SELECT
  u.arn AS resource_id,
  u.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN a.principal_arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN a.principal_arn IS NULL THEN 'not an administrator'
       ELSE 'the user can grant itself and others any permission' END AS reason
FROM iam_users u
LEFT JOIN admins a ON a.principal_arn = u.arn
