-- id: console-login-after-failures
-- title: A console sign-in succeeded after a run of failures for the same user
-- severity: high
-- kind: sequence
-- description: >
--   At least login_failure_burst failed console sign-ins for a user, then a successful one within sequence_hours: a password guessed or sprayed until it worked (console-login-failure-burst reports the failures; this is the success that followed).
-- mitre: {tactics: [TA0006, TA0001], techniques: [T1110.001, T1110.003, T1078.004]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_signin-tempcreds]
-- false_positives: [A user who forgot a password changed elsewhere and got it right in the end]
-- remediation: >
--   Ask the user; if not theirs, reset the password, end the sessions (revoke older sessions of the user's roles) and require MFA.
WITH logins AS (
  SELECT e.*,
         coalesce(user_identity['user_name'], json_get_str(additional_event_data, 'UserName'), user_identity['arn']) AS who,
         json_get_str(response_elements, 'ConsoleLogin') AS outcome
  FROM hunt_events e
  WHERE event_source = 'signin.amazonaws.com' AND event_name = 'ConsoleLogin'
), successes AS (
  SELECT s.event_id, s.event_time, s.account_id, s.aws_region, s.principal, s.source_ip_address, s.who,
         array_agg(f.event_id) AS failures, count(*) AS n
  FROM logins s CROSS JOIN hunt_params p
  JOIN logins f ON f.who = s.who AND f.account_id = s.account_id AND f.outcome = 'Failure'
   AND f.event_time < s.event_time
   AND date_part('epoch', s.event_time) <= date_part('epoch', f.event_time) + p.sequence_hours * 3600
  WHERE s.outcome = 'Success'
  GROUP BY s.event_id, s.event_time, s.account_id, s.aws_region, s.principal, s.source_ip_address, s.who
  HAVING count(*) >= (SELECT login_failure_burst FROM hunt_params)
)
SELECT event_time, account_id, aws_region AS region, principal, source_ip_address,
       array_append(failures, event_id) AS event_ids,
       who || ' signed in from ' || coalesce(source_ip_address, '?') || ' after ' || n || ' failed sign-ins' AS reason
FROM successes
