-- id: rolesanywhere-trust-anchor-created
-- title: An IAM Roles Anywhere trust anchor or profile created or changed
-- severity: high
-- kind: event
-- description: >
--   A Roles Anywhere trust anchor makes every certificate signed by its certificate authority a way to get credentials for the profile's roles, from anywhere and without an IAM user: an attacker who registers their own CA keeps access that key rotation and user clean-up do not touch.
-- mitre: {tactics: [TA0003], techniques: [T1098, T1556]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.rolesanywhere-create-trust-anchor/, https://docs.aws.amazon.com/rolesanywhere/latest/userguide/introduction.html]
-- false_positives: [Onboarding on-premises workloads to Roles Anywhere]
-- remediation: >
--   Check the anchor's certificate authority and the profile's roles with their owners; delete what is not theirs and deny rolesanywhere:Create* outside the platform team (an SCP).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'trustAnchorId'), json_get_str(request_parameters, 'profileId'), '?')
    || coalesce(' for ' || json_get_json(request_parameters, 'roleArns'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'rolesanywhere.amazonaws.com'
  AND event_name IN ('CreateTrustAnchor', 'UpdateTrustAnchor', 'EnableTrustAnchor', 'CreateProfile', 'UpdateProfile')
