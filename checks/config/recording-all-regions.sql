-- id: config-recording-all-regions
-- title: AWS Config records all resources in every collected region, global ones included
-- severity: medium
-- description: >
--   Config's history is how you learn what a resource looked like before an incident. The
--   CIS audit (v7.0 4.3): every recorder records all supported resource types, is recording
--   and its last status is not a failure; and at least one recorder of the account includes
--   global resources (IAM), which is only needed in one region. One row per collected
--   region, and one per account for the global resources.
-- remediation: In every region, create a configuration recorder for all supported resources, a delivery channel, and start it; include global resources in one region.
-- frameworks: { cis-aws-5.0: ["3.3"], cis-aws-6.0: ["4.3"], cis-aws-7.0: ["4.3"] }
-- tables: [config_recorders, collection_parts]
-- requires: [DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus]
WITH recorders AS (
  SELECT *,
         recording AND (all_supported OR recording_strategy = 'ALL_SUPPORTED_RESOURCE_TYPES')
           AND last_status IS DISTINCT FROM 'FAILURE' AS ok
  FROM config_recorders
), by_region AS (
  SELECT account_id, region, bool_and(ok) AS ok, bool_or(recording) AS any_recording,
         bool_or(last_status = 'FAILURE') AS failing, COUNT(*) AS n
  FROM recorders GROUP BY account_id, region
), global AS (
  SELECT account_id, bool_or(ok AND include_global_resource_types) AS ok FROM recorders GROUP BY account_id
), parts AS (
  SELECT DISTINCT account_id, region FROM collection_parts WHERE service = 'config'
)
SELECT
  'account/' || p.account_id || '/' || p.region AS resource_id,
  p.account_id,
  p.region,
  CASE WHEN COALESCE(r.ok, false) THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN r.n IS NULL THEN 'no configuration recorder'
    WHEN r.ok THEN 'recording all supported resources'
    WHEN r.failing THEN 'the recorder''s last delivery failed'
    WHEN NOT r.any_recording THEN 'the recorder is stopped'
    ELSE 'the recorder records only some resource types'
  END AS reason
FROM parts p
LEFT JOIN by_region r ON r.account_id = p.account_id AND r.region = p.region
UNION ALL
SELECT
  'account/' || a.account_id || '/global-resources' AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN COALESCE(g.ok, false) THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN COALESCE(g.ok, false) THEN 'a recorder includes global resources (IAM)'
       ELSE 'no working recorder of the account includes global resources (IAM)' END AS reason
FROM (SELECT DISTINCT account_id FROM parts) a
LEFT JOIN global g ON g.account_id = a.account_id
