-- id: api-call-rate-spike
-- title: An API called far more often than its baseline
-- severity: medium
-- kind: baseline
-- description: >
--   In the manner of CloudTrail Insights: calls per hour of each (account, region, API) in the window against the average hour of the baseline_days before it (hours without calls count as zero). An hour is reported when it has at least rate_min_count calls and rate_ratio times the baseline; the reason names the top principal, user agent and error code. Hours are reported once there are baseline_days of history before them (from --since, or from the start of the lake); an API without history is compared with zero.
-- mitre: {tactics: [TA0040, TA0007], techniques: [T1496]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-insights-events-with-cloudtrail.html]
-- false_positives: [Deployments, batch jobs and scanners that run rarely]
WITH baseline AS (
  -- Calls per hour over the baseline days before the window.
  SELECT h.account_id, h.aws_region, h.event_source, h.event_name,
         count(*) / (max(p.baseline_days) * 24.0) AS per_hour
  FROM hunt_history h CROSS JOIN hunt_params p
  WHERE h.event_time < p.window_start
  GROUP BY 1, 2, 3, 4
), hourly AS (
  SELECT account_id, aws_region, event_source, event_name, date_trunc('hour', event_time) AS hour, count(*) AS calls
  FROM hunt_events
  GROUP BY 1, 2, 3, 4, 5
), spikes AS (
  SELECT h.*, coalesce(b.per_hour, 0) AS per_hour
  FROM hourly h CROSS JOIN hunt_params p
  LEFT JOIN baseline b USING (account_id, aws_region, event_source, event_name)
  -- Only once there is a baseline's worth of history to compare with.
  WHERE h.hour >= p.new_after AND h.calls >= p.rate_min_count
    AND h.calls >= p.rate_ratio * coalesce(b.per_hour, 0)
), evidence AS (
  SELECT s.account_id, s.aws_region, s.event_source, s.event_name, s.hour, s.calls, s.per_hour, e.event_id, e.principal,
         e.user_agent, e.error_code, e.source_ip_address, e.event_time
  FROM spikes s JOIN hunt_events e
    ON e.account_id = s.account_id AND e.aws_region = s.aws_region AND e.event_source = s.event_source
   AND e.event_name = s.event_name AND date_trunc('hour', e.event_time) = s.hour
), top_principal AS (
  SELECT account_id, aws_region, event_source, event_name, hour, principal, count(*) AS n,
         row_number() OVER (PARTITION BY account_id, aws_region, event_source, event_name, hour ORDER BY count(*) DESC, principal) AS rank
  FROM evidence GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT min(e.event_time) AS event_time, e.account_id, e.aws_region AS region, t.principal,
       CASE WHEN count(DISTINCT e.source_ip_address) = 1 THEN min(e.source_ip_address) END AS source_ip_address,
       array_agg(e.event_id) AS event_ids,
       e.event_source || ':' || e.event_name || ' called ' || max(e.calls) || ' times in the hour of ' || CAST(e.hour AS VARCHAR)
         || ' against ' || CAST(round(max(e.per_hour), 2) AS VARCHAR) || ' per hour before; top principal ' || t.principal || ' (' || max(t.n) || ' calls)'
         || coalesce('; errors: ' || string_agg(DISTINCT e.error_code, ', '), '') AS reason
FROM evidence e JOIN top_principal t
  ON t.rank = 1 AND t.account_id = e.account_id AND t.aws_region = e.aws_region AND t.event_source = e.event_source
 AND t.event_name = e.event_name AND t.hour = e.hour
GROUP BY e.account_id, e.aws_region, e.event_source, e.event_name, e.hour, t.principal
