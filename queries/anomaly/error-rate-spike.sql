-- id: error-rate-spike
-- title: An API failing far more often than its baseline
-- severity: medium
-- kind: baseline
-- description: >
--   Like api-call-rate-spike, for errors: failed calls per hour of each (account, region, API) in the window against the average hour of the baseline_days before it. A burst of failures of one API is someone trying what they may not do, or something broken. The reason names the top principal and the error codes.
-- mitre: {tactics: [TA0007], techniques: [T1580]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html]
-- false_positives: [An outage, or a deployment with a broken permission]
WITH baseline AS (
  SELECT h.account_id, h.aws_region, h.event_source, h.event_name,
         count(*) / (max(p.baseline_days) * 24.0) AS per_hour
  FROM hunt_history h CROSS JOIN hunt_params p
  WHERE h.event_time < p.window_start AND h.error_code IS NOT NULL
  GROUP BY 1, 2, 3, 4
), hourly AS (
  SELECT account_id, aws_region, event_source, event_name, date_trunc('hour', event_time) AS hour, count(*) AS errors,
         min(event_time) AS first_time, array_agg(event_id) AS ids, string_agg(DISTINCT error_code, ', ') AS codes,
         CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS ip
  FROM hunt_events
  WHERE error_code IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
), top_principal AS (
  SELECT account_id, aws_region, event_source, event_name, date_trunc('hour', event_time) AS hour, principal, count(*) AS n,
         row_number() OVER (PARTITION BY account_id, aws_region, event_source, event_name, date_trunc('hour', event_time)
                            ORDER BY count(*) DESC, principal) AS rank
  FROM hunt_events WHERE error_code IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT h.first_time AS event_time, h.account_id, h.aws_region AS region, t.principal, h.ip AS source_ip_address,
       h.ids AS event_ids,
       h.event_source || ':' || h.event_name || ' failed ' || h.errors || ' times in the hour of ' || CAST(h.hour AS VARCHAR)
         || ' against ' || CAST(round(coalesce(b.per_hour, 0), 2) AS VARCHAR) || ' per hour before (' || h.codes || '); top principal '
         || t.principal || ' (' || t.n || ')' AS reason
FROM hourly h CROSS JOIN hunt_params p
LEFT JOIN baseline b USING (account_id, aws_region, event_source, event_name)
JOIN top_principal t
  ON t.rank = 1 AND t.account_id = h.account_id AND t.aws_region = h.aws_region AND t.event_source = h.event_source
 AND t.event_name = h.event_name AND t.hour = h.hour
WHERE h.hour >= p.new_after AND h.errors >= p.rate_min_count
  AND h.errors >= p.rate_ratio * coalesce(b.per_hour, 0)
