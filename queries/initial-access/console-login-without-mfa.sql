-- id: console-login-without-mfa
-- title: A console sign-in without MFA
-- severity: medium
-- kind: event
-- description: >
--   An IAM user or the root user signed in to the console with a password alone. (Sign-ins through IAM Identity Center or a federation provider authenticate elsewhere and are not reported.)
-- mitre: {tactics: [TA0001], techniques: [T1078.004]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.initial-access.console-login-without-mfa/]
-- false_positives: [Break-glass users without MFA by design]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  coalesce(user_identity['user_name'], user_identity['type']) || ' signed in without MFA' AS reason
FROM hunt_events
WHERE event_source = 'signin.amazonaws.com' AND event_name = 'ConsoleLogin'
  AND user_identity['type'] IN ('IAMUser', 'Root')
  AND json_get_str(response_elements, 'ConsoleLogin') = 'Success'
  AND json_get_str(additional_event_data, 'MFAUsed') = 'No'
