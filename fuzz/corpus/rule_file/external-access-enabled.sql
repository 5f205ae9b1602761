-- id: accessanalyzer-external-access-enabled
-- title: An active IAM Access Analyzer for external access covers every collected region
-- severity: medium
-- description: >
--   Access Analyzer reports the resources that policies share outside the zone of trust
--   (the account or the organization). The CIS audit (v7.0 2.18): in each region,
--   ListAnalyzers shows an analyzer whose status is ACTIVE. Only external-access analyzers
--   count (ACCOUNT or ORGANIZATION; the unused-access types find something else). An
--   organization's analyzer, in its management or delegated administrator account, covers
--   every account of the organization in its region: a member without its own analyzer
--   passes through it, and the reason names it (peers that ask each account alone fail
--   such members). One row per collected account and region.
-- remediation: aws accessanalyzer create-analyzer --analyzer-name NAME --type ORGANIZATION (from the delegated administrator) or --type ACCOUNT, in every region.
-- frameworks: { cis-aws-5.0: ["1.19"], cis-aws-6.0: ["2.19"], cis-aws-7.0: ["2.18"] }
-- tables: [accessanalyzer_analyzers, collection_parts, org_accounts]
-- requires: [ListAnalyzers]
-- decided_across_accounts: true
WITH external AS (
  SELECT * FROM accessanalyzer_analyzers
  WHERE status = 'ACTIVE' AND analyzer_type IN ('ACCOUNT', 'ORGANIZATION')
), members AS (
  SELECT account_id FROM org_accounts WHERE status = 'ACTIVE'
), covering AS (
  -- The account's own analyzers, then the organization's, wherever they are.
  SELECT account_id, region, 'own analyzer ' || name AS how, 0 AS rank FROM external
  UNION ALL
  SELECT m.account_id, e.region,
         'organization analyzer ' || e.name || ' in account ' || e.account_id AS how, 1 AS rank
  FROM external e
  JOIN members owner ON owner.account_id = e.account_id
  CROSS JOIN members m
  WHERE e.analyzer_type = 'ORGANIZATION'
), best AS (
  SELECT account_id, region, first_value(how ORDER BY rank, how) AS how
  FROM covering GROUP BY account_id, region
), parts AS (
  SELECT DISTINCT account_id, region FROM collection_parts WHERE service = 'accessanalyzer'
)
SELECT
  'account/' || p.account_id || '/' || p.region || '/access-analyzer' AS resource_id,
  p.account_id,
  p.region,
  CASE WHEN b.how IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  coalesce(b.how, 'no active external access analyzer') AS reason
FROM parts p
LEFT JOIN best b ON b.account_id = p.account_id AND b.region = p.region
