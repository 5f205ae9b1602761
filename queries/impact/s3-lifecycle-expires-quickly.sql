-- id: s3-lifecycle-expires-quickly
-- title: An S3 lifecycle rule set to expire objects within a day
-- severity: high
-- kind: event
-- description: >
--   A lifecycle rule whose expiration is 0 or 1 days makes S3 itself delete a bucket's objects (and, with noncurrent-version expiration, their old versions) overnight: ransomware and sabotage that needs only s3:PutLifecycleConfiguration and leaves no DeleteObject in the trail.
-- mitre: {tactics: [TA0040], techniques: [T1485]}
-- references: [https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html]
-- false_positives: [Scratch and temporary buckets that are meant to empty themselves daily]
-- remediation: >
--   Remove or fix the rule (GetBucketLifecycleConfiguration shows it) before it runs; restore from versions or backups if it already ran; limit s3:PutLifecycleConfiguration.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'lifecycle on ' || coalesce(json_get_str(request_parameters, 'bucketName'), '?') || ' expires objects within a day'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 's3.amazonaws.com' AND event_name IN ('PutBucketLifecycle', 'PutBucketLifecycleConfiguration')
  AND regexp_like(coalesce(json_get_json(request_parameters, 'LifecycleConfiguration'), ''),
                  '"(Expiration|NoncurrentVersionExpiration)"\s*:\s*\{[^}]*"(Days|NoncurrentDays)"\s*:\s*"?[01]"?[,}]')
