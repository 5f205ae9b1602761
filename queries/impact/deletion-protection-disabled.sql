-- id: deletion-protection-disabled
-- title: Deletion or termination protection turned off
-- severity: low
-- kind: event
-- description: >
--   Deletion protection on RDS and DynamoDB and termination protection on CloudFormation stacks exist to stop one call from destroying them; turning it off is the step before a deletion, and rarely needed otherwise. EC2 termination protection is left out: Terraform turns it off before destroying any instance, on or not.
-- mitre: {tactics: [TA0040, TA0005], techniques: [T1485, T1562]}
-- references: [https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection]
-- false_positives: [Planned decommissioning]
-- remediation: >
--   Turn protection back on unless the resource is being retired; check for deletions after the change.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'protection off for ' || coalesce(json_get_str(request_parameters, 'dBInstanceIdentifier'), json_get_str(request_parameters, 'dBClusterIdentifier'), json_get_str(request_parameters, 'tableName'),
                                   json_get_str(request_parameters, 'instanceId'), json_get_str(request_parameters, 'stackName'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
-- Not EC2's disableApiTermination: Terraform sets it to false before every instance it
-- destroys, whether or not it was on, so the event does not say protection was removed.
WHERE (event_source = 'rds.amazonaws.com' AND event_name IN ('ModifyDBInstance', 'ModifyDBCluster') AND json_get_bool(request_parameters, 'deletionProtection') = false)
   OR (event_source = 'dynamodb.amazonaws.com' AND event_name = 'UpdateTable' AND json_get_bool(request_parameters, 'deletionProtectionEnabled') = false)
   OR (event_source = 'cloudformation.amazonaws.com' AND event_name = 'UpdateTerminationProtection' AND json_get_bool(request_parameters, 'enableTerminationProtection') = false)
