-- id: config-recording-all-regions
-- title: AWS Config records all resources in every collected region
-- severity: medium
-- description: Config's history is how you learn what a resource looked like before an incident. Every region collected must have a recorder that is recording all supported resource types.
-- remediation: Create a configuration recorder for all supported resources, a delivery channel, and start the recorder, in every region.
-- frameworks: { cis-aws-5.0: ["3.3"] }
-- tables: [config_recorders, collection_parts]
-- requires: [DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus]
WITH recording AS (
  SELECT account_id, region, bool_or(recording AND (all_supported OR recording_strategy = 'ALL_SUPPORTED_RESOURCE_TYPES')) AS ok, COUNT(*) AS n
  FROM config_recorders GROUP BY account_id, region
)
SELECT
  'account/' || p.account_id || '/' || p.region AS resource_id,
  p.account_id,
  p.region,
  CASE WHEN COALESCE(r.ok, false) THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE
    WHEN r.n IS NULL THEN 'no configuration recorder'
    WHEN r.ok THEN 'recording all supported resources'
    ELSE 'the recorder is stopped or records only some resource types'
  END AS reason
FROM (SELECT DISTINCT account_id, region FROM collection_parts WHERE service = 'config') p
LEFT JOIN recording r ON r.account_id = p.account_id AND r.region = p.region
