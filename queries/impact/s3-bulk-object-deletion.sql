-- id: s3-bulk-object-deletion
-- title: Objects deleted in bulk from S3 by one principal
-- severity: high
-- kind: threshold
-- description: >
--   object_deletion_volume or more objects deleted by one principal within burst_minutes, counting each key of a DeleteObjects call: ransomware's last step after copying the data out, or destruction. Needs S3 data events for write calls.
-- mitre: {tactics: [TA0040], techniques: [T1485, T1486]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.impact.s3-ransomware-batch-deletion/]
-- false_positives: [Clean-up jobs and expiring caches that delete through the API rather than lifecycle rules]
-- remediation: >
--   Stop the principal (deny s3:DeleteObject*), restore from versions or replicas if versioning was on, and check what was read before.
WITH deletes AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket,
         CASE WHEN event_name = 'DeleteObjects' THEN coalesce(json_length(request_parameters, 'Delete', 'Object'), 1) ELSE 1 END AS objects
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_source = 's3.amazonaws.com' AND event_name IN ('DeleteObject', 'DeleteObjects') AND error_code IS NULL
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       sum(objects) || ' objects deleted from ' || string_agg(DISTINCT json_get_str(request_parameters, 'bucketName'), ', ') AS reason
FROM deletes
GROUP BY principal, bucket
HAVING sum(objects) >= (SELECT object_deletion_volume FROM hunt_params)
