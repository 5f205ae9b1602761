-- id: login-profile-then-console-login
-- title: A console password set, then used to sign in
-- severity: high
-- kind: sequence
-- description: >
--   CreateLoginProfile or UpdateLoginProfile for a user, then a successful console sign-in by that user within sequence_hours: the new password is in use.
-- mitre: {tactics: [TA0003, TA0001], techniques: [T1098, T1078.004]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-user-login-profile/]
-- false_positives: [Onboarding a new console user]
WITH profiles AS (
  SELECT event_id, event_time, account_id, aws_region, principal, source_ip_address, event_name,
         json_get_str(request_parameters, 'userName') AS user_name
  FROM hunt_events
  WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('CreateLoginProfile', 'UpdateLoginProfile') AND error_code IS NULL
)
SELECT l.event_time, l.account_id, l.aws_region AS region, l.principal, l.source_ip_address,
       make_array(p.event_id, l.event_id) AS event_ids,
       p.event_name || ' for ' || p.user_name || ' by ' || p.principal || ', then ' || p.user_name || ' signed in from ' || l.source_ip_address AS reason
FROM profiles p CROSS JOIN hunt_params hp
JOIN hunt_events l
  ON l.event_source = 'signin.amazonaws.com' AND l.event_name = 'ConsoleLogin'
 AND json_get_str(l.response_elements, 'ConsoleLogin') = 'Success'
 AND l.account_id = p.account_id
 AND l.user_identity['user_name'] = p.user_name
 AND l.event_time > p.event_time
 AND date_part('epoch', l.event_time) <= date_part('epoch', p.event_time) + hp.sequence_hours * 3600
