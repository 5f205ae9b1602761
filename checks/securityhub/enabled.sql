-- id: securityhub-enabled
-- title: Security Hub is enabled in every collected region
-- severity: medium
-- description: >
--   Security Hub gathers the findings of GuardDuty, Inspector, Macie, Config and its own
--   controls in one place. The CIS audit (v7.0 5.16): DescribeHub answers with a hub ARN
--   ("not subscribed" is a failure). Security Hub is regional, so each collected region
--   of each account is a row; a member enabled by the delegated administrator is
--   subscribed and passes.
-- remediation: aws securityhub enable-security-hub in every region (or from the delegated administrator with central configuration).
-- frameworks: { cis-aws-5.0: ["4.16"], cis-aws-6.0: ["5.16"], cis-aws-7.0: ["5.16"] }
-- tables: [securityhub_hubs, collection_parts]
-- requires: [DescribeHub]
WITH parts AS (
  SELECT DISTINCT account_id, region FROM collection_parts WHERE service = 'securityhub'
)
SELECT
  'account/' || p.account_id || '/' || p.region || '/securityhub' AS resource_id,
  p.account_id,
  p.region,
  CASE WHEN h.hub_arn IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN h.hub_arn IS NOT NULL THEN 'subscribed since ' || coalesce(h.subscribed_at, 'an unknown date')
       ELSE 'not subscribed to Security Hub' END AS reason
FROM parts p
LEFT JOIN securityhub_hubs h ON h.account_id = p.account_id AND h.region = p.region
