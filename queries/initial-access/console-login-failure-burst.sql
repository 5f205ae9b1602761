-- id: console-login-failure-burst
-- title: A burst of failed console sign-ins
-- severity: medium
-- kind: threshold
-- description: >
--   At least login_failure_burst failed console sign-ins for one user name, or from one IP address, within burst_minutes: password guessing or spraying.
-- mitre: {tactics: [TA0006], techniques: [T1110.001, T1110.003]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html]
-- false_positives: [A user who forgot their password]
WITH failures AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket,
         coalesce(user_identity['user_name'], json_get_str(additional_event_data, 'UserName'), user_identity['arn'], 'unknown user') AS who
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_source = 'signin.amazonaws.com' AND event_name = 'ConsoleLogin'
    AND json_get_str(response_elements, 'ConsoleLogin') = 'Failure'
), by_user AS (
  SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, who AS principal,
         CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
         array_agg(event_id) AS event_ids,
         count(*) || ' failed sign-ins for ' || who || ' from ' || count(DISTINCT source_ip_address) || ' address(es)' AS reason
  FROM failures GROUP BY who, bucket
  HAVING count(*) >= (SELECT login_failure_burst FROM hunt_params)
), by_ip AS (
  SELECT min(event_time), min(account_id), min(aws_region), CAST(NULL AS VARCHAR), source_ip_address,
         array_agg(event_id),
         count(*) || ' failed sign-ins from ' || source_ip_address || ' for ' || count(DISTINCT who) || ' user name(s)'
  FROM failures GROUP BY source_ip_address, bucket
  HAVING count(*) >= (SELECT login_failure_burst FROM hunt_params) AND count(DISTINCT who) > 1
)
SELECT * FROM by_user
UNION ALL
SELECT * FROM by_ip
