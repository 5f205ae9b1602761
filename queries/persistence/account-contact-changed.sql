-- id: account-contact-changed
-- title: "The account's root email, contact information or alternate contacts changed"
-- severity: medium
-- kind: event
-- description: >
--   Whoever controls the root email address controls the account (password resets go there), and the alternate security contact is where AWS sends abuse and security notices: changing them is how an account is taken over, or how AWS's warnings about it stop reaching the owner.
-- mitre: {tactics: [TA0003, TA0005], techniques: [T1098]}
-- references: [https://docs.aws.amazon.com/accounts/latest/reference/API_PutAlternateContact.html, https://docs.aws.amazon.com/accounts/latest/reference/API_StartPrimaryEmailUpdate.html]
-- false_positives: [Staff changes in the team named as contacts]
-- remediation: >
--   Check the new addresses with the account's owner; restore them and secure the root user if the change was not theirs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || coalesce(' (' || json_get_str(request_parameters, 'alternateContactType') || ')', '')
    || coalesce(' for account ' || json_get_str(request_parameters, 'accountId'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'account.amazonaws.com'
  AND event_name IN ('PutAlternateContact', 'DeleteAlternateContact', 'PutContactInformation', 'StartPrimaryEmailUpdate', 'AcceptPrimaryEmailUpdate')
