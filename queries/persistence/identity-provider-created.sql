-- id: identity-provider-created
-- title: An identity provider or a Roles Anywhere trust anchor was created
-- severity: medium
-- kind: event
-- description: >
--   A SAML or OIDC provider, or an IAM Roles Anywhere trust anchor, lets identities from outside AWS assume roles: whoever controls it gets in without any IAM user.
-- mitre: {tactics: [TA0003], techniques: [T1484.002, T1098]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.rolesanywhere-create-trust-anchor/]
-- false_positives: [Setting up SSO or a workload's certificate authority]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_source || ':' || event_name || coalesce(' ' || json_get_str(request_parameters, 'name'), ' ' || json_get_str(request_parameters, 'url'), '') AS reason
FROM hunt_events
WHERE error_code IS NULL AND (
  (event_source = 'iam.amazonaws.com' AND event_name IN ('CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider', 'AddClientIDToOpenIDConnectProvider'))
  OR (event_source = 'rolesanywhere.amazonaws.com' AND event_name IN ('CreateTrustAnchor', 'UpdateTrustAnchor')))
