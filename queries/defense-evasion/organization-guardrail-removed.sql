-- id: organization-guardrail-removed
-- title: An organization policy detached or deleted, or a policy type disabled
-- severity: high
-- kind: event
-- description: >
--   Service and resource control policies are the organization's guardrails: detaching one from the root, an OU or an account, deleting it, or disabling the policy type lifts every deny it held (no leaving the organization, no disabling CloudTrail, region limits). Only the management account or a delegated administrator can.
-- mitre: {tactics: [TA0005], techniques: [T1562.001, T1484.002]}
-- references: [https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html]
-- false_positives: [A planned change of the organization's policies]
-- remediation: >
--   Re-attach the policy; restrict organizations:DetachPolicy and DeletePolicy in the management account to break-glass roles.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'policyId'), json_get_str(request_parameters, 'policyType'), '?')
    || coalesce(' from ' || json_get_str(request_parameters, 'targetId'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'organizations.amazonaws.com' AND event_name IN ('DetachPolicy', 'DeletePolicy', 'DisablePolicyType')
