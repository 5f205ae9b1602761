-- The queries scripts/bench-hunt runs in govscan and in DuckDB: the shapes of the built-in
-- detections (first-seen, sequences, bursts) in SQL both dialects read alike. {ev} is the
-- events with their principal: govscan's hunt_events view, a DuckDB view of the same files.
-- Each returns one row, so the two answers can be compared.

-- name: first-seen self-join
WITH firsts AS (
  SELECT principal, event_source, event_name, min(event_time) AS first_time
  FROM {ev} WHERE principal IS NOT NULL GROUP BY principal, event_source, event_name
)
SELECT count(*) FROM firsts f
JOIN {ev} e ON e.principal = f.principal AND e.event_source = f.event_source
            AND e.event_name = f.event_name AND e.event_time = f.first_time;

-- name: lag window (gap between a principal's calls)
SELECT count(gap), max(gap) FROM (
  SELECT date_part('epoch', event_time) - date_part('epoch', lag(event_time) OVER (PARTITION BY principal ORDER BY event_time, event_id)) AS gap
  FROM {ev}
) t;

-- name: row_number window (last 10 calls per principal)
SELECT count(*) FROM (
  SELECT principal, row_number() OVER (PARTITION BY principal ORDER BY event_time DESC, event_id) AS rn FROM {ev}
) t WHERE rn <= 10;

-- name: sequence join (IAM writes within an hour of CreateAccessKey)
SELECT count(*) FROM {ev} a
JOIN {ev} b ON b.principal = a.principal AND b.event_time > a.event_time
           AND b.event_time <= a.event_time + INTERVAL '1 hour'
WHERE a.event_name = 'CreateAccessKey' AND b.event_source = 'iam.amazonaws.com' AND NOT b.read_only;

-- name: distinct-count burst
SELECT count(*) FROM (
  SELECT principal, CAST(floor(date_part('epoch', event_time) / 600) AS BIGINT) AS bucket,
         count(DISTINCT event_source || ':' || event_name) AS apis
  FROM {ev} WHERE event_name LIKE 'List%' OR event_name LIKE 'Describe%' OR event_name LIKE 'Get%'
  GROUP BY 1, 2
) t WHERE apis >= 20;
