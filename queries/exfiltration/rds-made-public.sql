-- id: rds-made-public
-- title: An RDS database or its snapshot opened to the internet or to every account
-- severity: high
-- kind: event
-- description: >
--   A DB instance or cluster made publicly accessible (ModifyDBInstance, ModifyDBCluster, or created so) answers on a public address, and a DB snapshot whose restore attribute is all can be copied by any AWS account: the database's data in reach of anyone who gets a password or restores the copy. snapshot-or-image-shared reports snapshots shared with named accounts.
-- mitre: {tactics: [TA0010, TA0001], techniques: [T1537, T1190]}
-- references: [https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html, https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.rds-share-snapshot/]
-- false_positives: [A database meant to be reached from the internet (rare; a proxy or VPN is the norm)]
-- remediation: >
--   Set PubliclyAccessible to false (modify-db-instance --no-publicly-accessible), remove all from the snapshot's restore attribute, and check the database's connection logs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name LIKE 'Modify%SnapshotAttribute' THEN 'snapshot ' || coalesce(json_get_str(request_parameters, 'dBSnapshotIdentifier'), json_get_str(request_parameters, 'dBClusterSnapshotIdentifier'), '?') || ' restorable by every AWS account'
       ELSE 'database ' || coalesce(json_get_str(request_parameters, 'dBInstanceIdentifier'), json_get_str(request_parameters, 'dBClusterIdentifier'), '?') || ' publicly accessible (' || event_name || ')' END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'rds.amazonaws.com'
  AND ((event_name IN ('ModifyDBInstance', 'CreateDBInstance', 'ModifyDBCluster', 'CreateDBCluster', 'RestoreDBInstanceFromDBSnapshot')
        AND json_get_bool(request_parameters, 'publiclyAccessible'))
       OR (event_name IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
           AND json_get_str(request_parameters, 'attributeName') = 'restore'
           AND json_get_json(request_parameters, 'valuesToAdd') LIKE '%"all"%'))
