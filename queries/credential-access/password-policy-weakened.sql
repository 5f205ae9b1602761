-- id: password-policy-weakened
-- title: The account password policy deleted or weakened
-- severity: low
-- kind: event
-- description: >
--   Deleting the password policy, or setting one shorter than 14 characters or without reuse prevention (CIS 2.7, 2.8), lets IAM users have passwords that guessing and spraying find: a step before a login burst.
-- mitre: {tactics: [TA0006, TA0005], techniques: [T1556, T1110.003]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html]
-- false_positives: [Accounts whose users sign in through an identity provider only]
-- remediation: >
--   Restore a policy of at least 14 characters with reuse prevention of 24.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'DeleteAccountPasswordPolicy' THEN 'password policy deleted'
       ELSE 'password policy set to ' || coalesce(CAST(json_get_int(request_parameters, 'minimumPasswordLength') AS VARCHAR), 'the default') || ' characters'
            || coalesce(', reuse prevention ' || CAST(json_get_int(request_parameters, 'passwordReusePrevention') AS VARCHAR), ', no reuse prevention') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com'
  AND (event_name = 'DeleteAccountPasswordPolicy'
       OR (event_name = 'UpdateAccountPasswordPolicy'
           AND (coalesce(json_get_int(request_parameters, 'minimumPasswordLength'), 8) < 14
                OR coalesce(json_get_int(request_parameters, 'passwordReusePrevention'), 0) = 0)))
