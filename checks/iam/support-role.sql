-- id: iam-support-role
-- title: A principal can manage incidents with AWS Support
-- severity: low
-- description: Without AWSSupportAccess on some user, group or role, an incident waits for the root user.
-- remediation: Attach the AWS managed policy AWSSupportAccess to a role or group of your responders.
-- frameworks: { cis-aws-5.0: ["1.16"] }
-- tables: [iam_policy_attachments, collection_parts]
-- requires: [GetAccountAuthorizationDetails]
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN s.n IS NULL THEN 'FAIL' ELSE 'PASS' END AS status,
  CASE WHEN s.n IS NULL THEN 'nothing has AWSSupportAccess attached' ELSE CAST(s.n AS VARCHAR) || ' principal(s) with AWSSupportAccess' END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'iam') a
LEFT JOIN (
  SELECT account_id, COUNT(*) AS n FROM iam_policy_attachments
  WHERE policy_arn LIKE 'arn:%:iam::aws:policy/AWSSupportAccess' GROUP BY account_id
) s ON s.account_id = a.account_id
