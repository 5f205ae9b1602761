-- id: password-recovery-requested
-- title: A password reset of the root user or an IAM user requested
-- severity: medium
-- kind: event
-- description: >
--   PasswordRecoveryRequested is the sign-in page's 'forgot password': for the root user a reset link goes to the account's email, so a request nobody made is someone trying to take the account (or who already has its mailbox).
-- mitre: {tactics: [TA0001, TA0003], techniques: [T1078.004, T1098]}
-- references: [https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html]
-- false_positives: ["The account's owner who forgot the password"]
-- remediation: >
--   Ask the owner; if they did not ask, secure the root mailbox, check the root user's MFA and sign-ins, and reset the password.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' for ' || coalesce(user_identity['arn'], user_identity['type'], '?') AS reason
FROM hunt_events
WHERE event_source = 'signin.amazonaws.com' AND event_name IN ('PasswordRecoveryRequested', 'PasswordRecoveryCompleted')
