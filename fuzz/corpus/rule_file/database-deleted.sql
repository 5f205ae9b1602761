-- id: database-deleted
-- title: A database deleted without a final snapshot
-- severity: high
-- kind: event
-- description: >
--   Deleting an RDS instance or cluster with skipFinalSnapshot (worse with deleteAutomatedBackups), a Redshift cluster without a final snapshot, a DynamoDB table, or a Neptune/DocumentDB cluster destroys the data and the ways back to it at once: destruction or a ransom note's leverage.
-- mitre: {tactics: [TA0040], techniques: [T1485]}
-- references: [https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html, https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html]
-- false_positives: ["Tearing down test databases, infrastructure-as-code replacing a database"]
-- remediation: >
--   Restore from any snapshot or backup left (AWS Backup, a copy in another account); turn on deletion protection for databases that matter.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_source = 'dynamodb.amazonaws.com' THEN 'table ' || coalesce(json_get_str(request_parameters, 'tableName'), '?') || ' deleted'
       ELSE coalesce(json_get_str(request_parameters, 'dBInstanceIdentifier'), json_get_str(request_parameters, 'dBClusterIdentifier'), json_get_str(request_parameters, 'clusterIdentifier'), '?')
            || ' deleted' || CASE WHEN coalesce(json_get_bool(request_parameters, 'skipFinalSnapshot'), json_get_bool(request_parameters, 'skipFinalClusterSnapshot'), false) THEN ' without a final snapshot' ELSE '' END
            || CASE WHEN coalesce(json_get_bool(request_parameters, 'deleteAutomatedBackups'), false) THEN ', automated backups deleted' ELSE '' END END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'dynamodb.amazonaws.com' AND event_name = 'DeleteTable')
   OR (event_source = 'rds.amazonaws.com' AND event_name IN ('DeleteDBInstance', 'DeleteDBCluster')
       -- Automated backups deleted with a final snapshot kept still leave a way back.
       AND coalesce(json_get_bool(request_parameters, 'skipFinalSnapshot'), false))
   OR (event_source = 'redshift.amazonaws.com' AND event_name = 'DeleteCluster'
       AND coalesce(json_get_bool(request_parameters, 'skipFinalClusterSnapshot'), false))
