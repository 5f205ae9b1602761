-- id: ses-sending-enabled
-- title: "Email sending turned on, or production access asked for, in SES"
-- severity: medium
-- kind: event
-- description: >
--   UpdateAccountSendingEnabled, PutAccountSendingAttributes with sending on, and PutAccountDetails (the request to leave the SES sandbox) prepare an account to send email to anyone: stolen accounts are turned into spam and phishing senders this way.
-- mitre: {tactics: [TA0042], techniques: [T1584.006]}
-- references: [https://permiso.io/blog/s/aws-ses-pionage-detecting-ses-abuse/, https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutAccountDetails.html]
-- false_positives: [A team setting up transactional email]
-- remediation: >
--   Check with the account's owner; turn sending off (update-account-sending-enabled --no-enabled) and look for SendEmail calls if it was not theirs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || coalesce(' (' || json_get_str(request_parameters, 'mailType') || ', ' || json_get_str(request_parameters, 'websiteURL') || ')', '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ses.amazonaws.com'
  AND ((event_name = 'UpdateAccountSendingEnabled' AND coalesce(json_get_bool(request_parameters, 'enabled'), true))
       OR (event_name = 'PutAccountSendingAttributes' AND json_get_bool(request_parameters, 'sendingEnabled'))
       OR event_name = 'PutAccountDetails')
