-- id: access-key-for-other-user
-- title: An access key created for another user
-- severity: medium
-- kind: event
-- description: >
--   A principal created an access key for an IAM user other than itself: a classic backdoor, as the key outlives the session that created it.
-- mitre: {tactics: [TA0003], techniques: [T1098.001]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-create-admin-user/, https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-backdoor-user/]
-- false_positives: [Automation that provisions service users]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'access key ' || coalesce(json_get_str(response_elements, 'accessKey', 'accessKeyId'), '') || ' created for '
    || json_get_str(request_parameters, 'userName') AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND event_name = 'CreateAccessKey' AND error_code IS NULL
  AND json_get_str(request_parameters, 'userName') IS NOT NULL
  AND json_get_str(request_parameters, 'userName') IS DISTINCT FROM user_identity['user_name']
