-- id: iam-support-role
-- title: A role can manage incidents with AWS Support
-- severity: low
-- description: >
--   Without a role holding AWSSupportAccess, an incident waits for whoever can sign in as
--   the root user. The CIS audit (v7.0 2.15): list-entities-for-policy of
--   arn:aws:iam::aws:policy/AWSSupportAccess returns a non-empty PolicyRoles. The policy on
--   a user or a group does not count: the benchmark asks for a role, which responders
--   assume.
-- remediation: Create a role your responders can assume and attach the AWS managed policy AWSSupportAccess to it (aws iam attach-role-policy --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess --role-name support).
-- frameworks: { cis-aws-5.0: ["1.16"], cis-aws-6.0: ["2.16"], cis-aws-7.0: ["2.15"] }
-- tables: [iam_policy_attachments, collection_parts]
-- requires: [GetAccountAuthorizationDetails]
WITH attachments AS (
  SELECT account_id, principal_type, principal_name FROM iam_policy_attachments
  WHERE policy_arn LIKE 'arn:%:iam::aws:policy/AWSSupportAccess'
), roles AS (
  SELECT account_id, string_agg(DISTINCT principal_name, ', ') AS names FROM attachments
  WHERE principal_type = 'role' GROUP BY account_id
), others AS (
  SELECT account_id, COUNT(*) AS n FROM attachments WHERE principal_type <> 'role' GROUP BY account_id
)
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN r.names IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE
    WHEN r.names IS NOT NULL THEN 'AWSSupportAccess is attached to role(s) ' || r.names
    WHEN o.n IS NOT NULL THEN 'AWSSupportAccess is attached only to users or groups, not to a role'
    ELSE 'no role has AWSSupportAccess attached'
  END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'iam') a
LEFT JOIN roles r ON r.account_id = a.account_id
LEFT JOIN others o ON o.account_id = a.account_id
