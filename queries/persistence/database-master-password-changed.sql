-- id: database-master-password-changed
-- title: An RDS or Redshift master password reset
-- severity: medium
-- kind: event
-- description: >
--   ModifyDBInstance, ModifyDBCluster or Redshift ModifyCluster with a new master password gives the caller the database's administrator login without any database credential: with network access to the endpoint, the data is theirs. The event hides the password, not the change.
-- mitre: {tactics: [TA0003, TA0006], techniques: [T1098, T1078.004]}
-- references: [https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ResetPassword.html, https://www.elastic.co/guide/en/security/current/aws-rds-db-instance-or-cluster-password-modified.html]
-- false_positives: [Password rotation done by hand or by a pipeline (Secrets Manager managed passwords do not log this way)]
-- remediation: >
--   Check the change with the database's owner; rotate the password again if it was not theirs and review the database's connections.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'master password reset for ' || coalesce(json_get_str(request_parameters, 'dBInstanceIdentifier'), json_get_str(request_parameters, 'dBClusterIdentifier'), json_get_str(request_parameters, 'clusterIdentifier'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE ((event_source = 'rds.amazonaws.com' AND event_name IN ('ModifyDBInstance', 'ModifyDBCluster'))
       OR (event_source = 'redshift.amazonaws.com' AND event_name = 'ModifyCluster'))
  AND json_get(request_parameters, 'masterUserPassword') IS NOT NULL
