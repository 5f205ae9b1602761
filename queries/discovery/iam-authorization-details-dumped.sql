-- id: iam-authorization-details-dumped
-- title: The account's whole IAM configuration read in one call
-- severity: low
-- kind: event
-- description: >
--   GetAccountAuthorizationDetails returns every user, group, role and policy with their documents: the first thing permission-enumeration tools (Pacu, enumerate-iam) call to plan an escalation. Auditing tools call it too, so their principals belong in a mutelist.
-- mitre: {tactics: [TA0007], techniques: [T1087.004, T1069.003]}
-- references: [https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html, https://github.com/RhinoSecurityLabs/pacu]
-- false_positives: [govscan, Prowler, Access Analyzer and other auditors (mute their roles)]
-- remediation: >
--   Check whether the principal is an auditor; if not, review what else it did (hunt by principal) and its credentials.
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       'GetAccountAuthorizationDetails (' || count(*) || ' page(s))' || CASE WHEN count(error_code) > 0 THEN ', ' || count(error_code) || ' failed' ELSE '' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND event_name = 'GetAccountAuthorizationDetails'
GROUP BY principal, date_trunc('hour', event_time)
