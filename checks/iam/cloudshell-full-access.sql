-- id: iam-cloudshell-full-access
-- title: AWSCloudShellFullAccess is attached to nobody
-- severity: medium
-- description: CloudShell full access allows uploading and downloading files, a path for data exfiltration.
-- remediation: Detach AWSCloudShellFullAccess and grant a narrower CloudShell policy where needed.
-- frameworks: { cis-aws-5.0: ["1.21"], cis-aws-6.0: ["2.21"], cis-aws-7.0: ["2.20"] }
-- tables: [iam_policy_attachments, collection_parts]
-- requires: [GetAccountAuthorizationDetails]
SELECT
  'account/' || a.account_id AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN s.who IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN s.who IS NULL THEN 'not attached' ELSE 'attached to ' || s.who END AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'iam') a
LEFT JOIN (
  SELECT account_id, string_agg(principal_type || ' ' || principal_name, ', ') AS who FROM iam_policy_attachments
  WHERE policy_arn LIKE 'arn:%:iam::aws:policy/AWSCloudShellFullAccess' GROUP BY account_id
) s ON s.account_id = a.account_id
