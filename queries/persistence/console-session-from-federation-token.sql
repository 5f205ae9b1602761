-- id: console-session-from-federation-token
-- title: An access key turned into a console session through a federation token
-- severity: medium
-- kind: event
-- description: >
--   GetSigninToken with a federated user's session (made with GetFederationToken from an IAM user's access key) gives a browser session to whoever holds the key: the route tools such as aws_consoler take to use stolen keys in the console, where actions are harder to attribute.
-- mitre: {tactics: [TA0005, TA0008], techniques: [T1550.001, T1078.004]}
-- references: [https://github.com/NetSPI/aws_consoler, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html]
-- false_positives: [A home-grown federation broker that signs its users in this way]
-- remediation: >
--   Check the user whose key made the federation token; deactivate the key if the session is not theirs (federated sessions then need an explicit deny to end).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'console sign-in token for federated user ' || coalesce(user_identity['arn'], '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'signin.amazonaws.com' AND event_name = 'GetSigninToken'
  AND user_identity['type'] = 'FederatedUser'
