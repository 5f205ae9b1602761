-- id: delegated-administrator-registered
-- title: A member account made delegated administrator of an organization service
-- severity: medium
-- kind: event
-- description: >
--   A delegated administrator runs a service (GuardDuty, Security Hub, IAM Identity Center, CloudFormation StackSets, Config) for the whole organization: whoever controls that account can turn the service off everywhere, read its findings, or, for Identity Center and StackSets, reach every account.
-- mitre: {tactics: [TA0004, TA0003], techniques: [T1484.002, T1098]}
-- references: [https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html]
-- false_positives: [Setting up a security tooling account]
-- remediation: >
--   Check the account and service with the organization's owners; deregister it if unexpected and review what it changed.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'account ' || coalesce(json_get_str(request_parameters, 'accountId'), json_get_str(request_parameters, 'adminAccountId'), '?')
    || ' made delegated administrator of ' || coalesce(json_get_str(request_parameters, 'servicePrincipal'), event_source) || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'organizations.amazonaws.com' AND event_name = 'RegisterDelegatedAdministrator')
   OR (event_name = 'EnableOrganizationAdminAccount'
       AND event_source IN ('guardduty.amazonaws.com', 'securityhub.amazonaws.com', 'macie2.amazonaws.com', 'detective.amazonaws.com'))
