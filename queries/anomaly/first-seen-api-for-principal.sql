-- id: first-seen-api-for-principal
-- title: A principal called an API it had never called before
-- severity: low
-- kind: first-seen
-- description: >
--   The first call of a principal to an API (service and action) within the history window, once there are baseline_days of history to compare with; write calls only, since new reads are too common to review. One finding per principal and API.
-- mitre: {tactics: [TA0004, TA0005], techniques: [T1078]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html]
-- false_positives: [New features deployed by the principal's owners]
WITH firsts AS (
  SELECT principal, event_source, event_name, min(event_time) AS first_time
  FROM hunt_history
  WHERE read_only = false AND principal IS NOT NULL
  GROUP BY 1, 2, 3
)
SELECT e.event_time, e.account_id, e.aws_region AS region, e.principal, e.source_ip_address,
       make_array(e.event_id) AS event_ids,
       'first ' || e.event_source || ':' || e.event_name || ' by this principal' AS reason
FROM firsts f CROSS JOIN hunt_params p
JOIN hunt_events e ON e.principal = f.principal AND e.event_source = f.event_source AND e.event_name = f.event_name
                  AND e.event_time = f.first_time
WHERE f.first_time >= p.new_after
