-- id: kms-grant-to-other-account
-- title: A KMS grant gives another account use of a key
-- severity: medium
-- kind: event
-- description: >
--   A grant lets its grantee use a key (decrypt, re-encrypt, create grants) without any change to the key policy, where reviews look: a grant to a principal of another account lets that account read whatever the key protects, snapshots and secrets included.
-- mitre: {tactics: [TA0010, TA0005], techniques: [T1537, T1222]}
-- references: [https://docs.aws.amazon.com/kms/latest/developerguide/grants.html]
-- false_positives: ["Sharing encrypted snapshots or AMIs with the organization's other accounts"]
-- remediation: >
--   Check the grantee account; retire or revoke the grant (revoke-grant) if it is not yours.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'grant on ' || coalesce(json_get_str(request_parameters, 'keyId'), '?') || ' to ' || json_get_str(request_parameters, 'granteePrincipal')
    || coalesce(' for ' || json_get_json(request_parameters, 'operations'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'kms.amazonaws.com' AND event_name = 'CreateGrant'
  AND regexp_match(json_get_str(request_parameters, 'granteePrincipal'), '^(arn:aws[a-z-]*:iam::)?([0-9]{12})')[2] <> account_id
