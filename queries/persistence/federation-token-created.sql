-- id: federation-token-created
-- title: Temporary credentials made with GetFederationToken
-- severity: medium
-- kind: event
-- description: >
--   GetFederationToken turns a user's long-term key into credentials that last up to 36 hours and outlive the key being deleted or deactivated; attackers use it to keep access after the key they stole is rotated. Few organizations still run federation brokers that need it.
-- mitre: {tactics: [TA0003, TA0005], techniques: [T1550.001, T1078.004]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.sts-federation-token/]
-- false_positives: [A legacy federation proxy that issues credentials this way]
-- remediation: >
--   Deny sts:GetFederationToken to users (an SCP); revoking the key does not end the tokens: attach a policy denying everything before the token's issue time to the user.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'federation token ' || coalesce(json_get_str(request_parameters, 'name'), '?')
    || coalesce(' for ' || CAST(json_get_int(request_parameters, 'durationSeconds') AS VARCHAR) || ' s', '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sts.amazonaws.com' AND event_name = 'GetFederationToken'
