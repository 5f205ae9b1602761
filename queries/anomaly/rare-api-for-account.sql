-- id: rare-api-for-account
-- title: An API called that nobody in the account had called before
-- severity: low
-- kind: first-seen
-- description: >
--   The first call in an account to an API (service and action) that no principal there called in the baseline_days before the window: an account's API mix changes slowly, and a call new to the whole account (GetPasswordData, CreateInstanceExportTask, PutBucketReplication) is rarely routine. One finding per account and API.
-- mitre: {tactics: [TA0007, TA0005], techniques: [T1526, T1078.004]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html]
-- false_positives: [New applications and features rolled out in the account]
-- remediation: >
--   Check the caller and what the call did; new work is confirmed by its owner, anything else is reviewed with the caller's other activity.
WITH firsts AS (
  SELECT account_id, event_source, event_name, min(event_time) AS first_time
  FROM hunt_history WHERE user_identity['invoked_by'] IS NULL
  GROUP BY 1, 2, 3
), known_accounts AS (
  SELECT DISTINCT h.account_id FROM hunt_history h CROSS JOIN hunt_params p WHERE h.event_time < p.new_after
)
SELECT min(e.event_time) AS event_time, e.account_id, min(e.aws_region) AS region, min(e.principal) AS principal,
       min(e.source_ip_address) AS source_ip_address, array_agg(e.event_id) AS event_ids,
       'first ' || e.event_source || ':' || e.event_name || ' in the account' AS reason
FROM firsts f CROSS JOIN hunt_params p
JOIN known_accounts k ON k.account_id = f.account_id
JOIN hunt_events e ON e.account_id = f.account_id AND e.event_source = f.event_source AND e.event_name = f.event_name
                  AND e.event_time = f.first_time
WHERE f.first_time >= p.new_after
GROUP BY e.account_id, e.event_source, e.event_name
