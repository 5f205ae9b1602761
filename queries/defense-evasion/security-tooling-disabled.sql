-- id: security-tooling-disabled
-- title: Security Hub, Macie, Inspector, Detective or Access Analyzer turned off
-- severity: high
-- kind: event
-- description: >
--   Turning off the services that find misconfigurations, exposed data, vulnerabilities and external access (Security Hub or its standards, Macie, Inspector, Detective, an IAM Access Analyzer) blinds the defenders before or after an intrusion. GuardDuty has a detection of its own (guardduty-disabled).
-- mitre: {tactics: [TA0005], techniques: [T1562.001]}
-- references: [https://docs.aws.amazon.com/securityhub/latest/APIReference/API_DisableSecurityHub.html, https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_DeleteAnalyzer.html]
-- false_positives: [Moving a service's administration to a delegated account, decommissioning an account]
-- remediation: >
--   Turn the service back on (and its organization-wide configuration) and find why the principal could turn it off; an SCP can deny these actions outside the security team.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE event_source WHEN 'securityhub.amazonaws.com' THEN 'Security Hub' WHEN 'macie2.amazonaws.com' THEN 'Macie'
       WHEN 'inspector2.amazonaws.com' THEN 'Inspector' WHEN 'detective.amazonaws.com' THEN 'Detective' ELSE 'IAM Access Analyzer' END
    || ': ' || event_name
    || coalesce(' ' || json_get_str(request_parameters, 'analyzerName'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'securityhub.amazonaws.com' AND event_name IN ('DisableSecurityHub', 'BatchDisableStandards', 'DisableOrganizationAdminAccount'))
   OR (event_source = 'macie2.amazonaws.com' AND event_name IN ('DisableMacie', 'DisableOrganizationAdminAccount'))
   OR (event_source = 'inspector2.amazonaws.com' AND event_name IN ('Disable', 'DisableDelegatedAdminAccount'))
   OR (event_source = 'detective.amazonaws.com' AND event_name IN ('DeleteGraph', 'DisableOrganizationAdminAccount'))
   OR (event_source = 'access-analyzer.amazonaws.com' AND event_name = 'DeleteAnalyzer')
