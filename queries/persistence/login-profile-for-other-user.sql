-- id: login-profile-for-other-user
-- title: A console password set for another user
-- severity: medium
-- kind: event
-- description: >
--   A principal created or changed the console password of an IAM user other than itself: console access for whoever knows the new password.
-- mitre: {tactics: [TA0003], techniques: [T1098]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-user-login-profile/]
-- false_positives: [Help-desk password resets]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' for ' || json_get_str(request_parameters, 'userName') AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('CreateLoginProfile', 'UpdateLoginProfile') AND error_code IS NULL
  AND json_get_str(request_parameters, 'userName') IS NOT NULL
  AND json_get_str(request_parameters, 'userName') IS DISTINCT FROM user_identity['user_name']
