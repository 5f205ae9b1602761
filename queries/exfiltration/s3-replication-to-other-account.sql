-- id: s3-replication-to-other-account
-- title: S3 replication set up to a bucket of another account
-- severity: high
-- kind: event
-- description: >
--   A replication rule whose destination names another account copies every new object (and with batch replication, the old ones) to that account's bucket, continuously and without reads showing up: exfiltration that keeps running after the attacker leaves.
-- mitre: {tactics: [TA0010], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough-2.html, https://permiso.io/blog/s/s3-bucket-replication-exfiltration/]
-- false_positives: ["Backups replicated to the organization's own archive account"]
-- remediation: >
--   Check the destination account; delete the replication rule if it is not yours, and check the objects replicated since.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'bucket ' || coalesce(json_get_str(request_parameters, 'bucketName'), '?') || ' replicates to account '
    || regexp_match(regexp_replace(json_get_json(request_parameters, 'ReplicationConfiguration'), '"' || account_id || '"', '""', 'g'), '"Account"\s*:\s*"([0-9]{12})"')[1] || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 's3.amazonaws.com' AND event_name = 'PutBucketReplication'
  AND regexp_like(regexp_replace(json_get_json(request_parameters, 'ReplicationConfiguration'), '"' || account_id || '"', '""', 'g'), '"Account"\s*:\s*"[0-9]{12}"')
