-- id: vpc-flow-logs-deleted
-- title: VPC flow logs deleted
-- severity: medium
-- kind: event
-- description: >
--   Deleting flow logs removes the network record of what reached and left a VPC, subnet or interface.
-- mitre: {tactics: [TA0005], techniques: [T1562.008]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.vpc-remove-flow-logs/]
-- false_positives: [Tearing down a VPC]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'flow logs deleted' || coalesce(': ' || json_get_str(request_parameters, 'DeleteFlowLogsRequest', 'FlowLogId', 'content'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'DeleteFlowLogs'
