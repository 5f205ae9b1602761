-- id: identity-center-access-granted
-- title: IAM Identity Center access granted or a permission set widened
-- severity: medium
-- kind: event
-- description: >
--   In an organization on IAM Identity Center, an account assignment (a user or group given a permission set in an account) or a policy added to a permission set is how a person gains access to accounts: an attacker with sso admin rights grants themselves any account.
-- mitre: {tactics: [TA0003, TA0004], techniques: [T1098.003, T1098]}
-- references: [https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateAccountAssignment.html]
-- false_positives: [Access requests granted by the identity team, provisioning automation]
-- remediation: >
--   Check the assignment against an approved request; remove it (DeleteAccountAssignment) and review the permission set's policies.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'CreateAccountAssignment'
         THEN coalesce(json_get_str(request_parameters, 'principalType'), 'principal') || ' ' || coalesce(json_get_str(request_parameters, 'principalId'), '?')
              || ' given a permission set in account ' || coalesce(json_get_str(request_parameters, 'targetId'), '?')
       ELSE event_name || ' on permission set ' || coalesce(json_get_str(request_parameters, 'permissionSetArn'), '?')
            || coalesce(' (' || json_get_str(request_parameters, 'managedPolicyArn') || ')', '') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sso.amazonaws.com'
  AND event_name IN ('CreateAccountAssignment', 'AttachManagedPolicyToPermissionSet', 'PutInlinePolicyToPermissionSet',
                     'AttachCustomerManagedPolicyReferenceToPermissionSet', 'PutPermissionsBoundaryToPermissionSet')
