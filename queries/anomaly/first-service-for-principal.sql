-- id: first-service-for-principal
-- title: A principal used an AWS service it had never used before
-- severity: low
-- kind: first-seen
-- description: >
--   The first call (read or write) of a known principal to a service within the history window, once there are baseline_days of history: stolen credentials explore services their owner never touched (Secrets Manager, SES, Bedrock, Lightsail). One finding per principal and service; calls AWS services make for the principal are left out.
-- mitre: {tactics: [TA0007], techniques: [T1526]}
-- references: [https://attack.mitre.org/techniques/T1526/]
-- false_positives: ["New features deployed by the principal's owners"]
-- remediation: >
--   Check with the principal's owner whether the service is new work; if not, review the principal's other activity since.
WITH calls AS (
  SELECT * FROM hunt_history WHERE principal IS NOT NULL AND user_identity['invoked_by'] IS NULL
), firsts AS (
  SELECT principal, event_source, min(event_time) AS first_time FROM calls GROUP BY 1, 2
), known_principals AS (
  SELECT DISTINCT c.principal FROM calls c CROSS JOIN hunt_params p WHERE c.event_time < p.new_after
)
SELECT min(e.event_time) AS event_time, min(e.account_id) AS account_id, min(e.aws_region) AS region, e.principal,
       min(e.source_ip_address) AS source_ip_address, array_agg(e.event_id) AS event_ids,
       'first call to ' || e.event_source || ' by this principal (' || string_agg(DISTINCT e.event_name, ', ') || ')' AS reason
FROM firsts f CROSS JOIN hunt_params p
JOIN known_principals k ON k.principal = f.principal
JOIN hunt_events e ON e.principal = f.principal AND e.event_source = f.event_source AND e.event_time = f.first_time
WHERE f.first_time >= p.new_after
GROUP BY e.principal, e.event_source
