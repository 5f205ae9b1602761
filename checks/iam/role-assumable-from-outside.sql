-- id: iam-role-assumable-from-outside
-- title: No role can be assumed from outside the organization
-- severity: medium
-- description: >
--   A role whose trust policy lets in an account that is not one of the organization's (or,
--   outside an organization, any other account), any principal at all, or a federated
--   identity provider without a condition on who, can be assumed by people the
--   organization does not manage. Service principals do not count. Read from the
--   computed table iam_role_trust. Membership comes from the organization's account list: when
--   it could not be read, every role is not assessed rather than called open.
-- remediation: Remove the outside principal from the trust policy, or require a condition such as sts:ExternalId, aws:PrincipalOrgID or the provider's subject claim.
-- tables: [iam_roles, org_accounts]
-- requires: [GetAccountAuthorizationDetails, DescribeOrganization, ListAccounts]
WITH outside AS (
  SELECT role_arn,
         array_to_string(array_sort(array_agg(DISTINCT principal)), ', ') AS who
  FROM iam_role_trust
  WHERE principal_type = '*'
     OR (principal_type = 'AWS' AND principal_account <> account_id AND NOT coalesce(in_organization, false))
     OR (principal_type = 'Federated' AND NOT has_conditions)
  GROUP BY role_arn
)
SELECT
  r.arn AS resource_id,
  r.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN o.role_arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN o.role_arn IS NULL THEN 'only the organization and services may assume it'
       ELSE 'assumable from outside the organization by ' || o.who END AS reason
FROM iam_roles r
LEFT JOIN outside o ON o.role_arn = r.arn
WHERE NOT coalesce(r.is_service_linked, false)
