-- id: leave-organization
-- title: An account tried to leave the organization
-- severity: high
-- kind: event
-- description: >
--   An account that leaves the organization escapes its SCPs, its organization trail and the security services administered for it.
-- mitre: {tactics: [TA0005], techniques: [T1666]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.organizations-leave/]
-- false_positives: [A planned move of the account to another organization]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'LeaveOrganization' || CASE WHEN error_code IS NULL THEN ' succeeded' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'organizations.amazonaws.com' AND event_name = 'LeaveOrganization'
