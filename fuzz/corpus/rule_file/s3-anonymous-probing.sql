-- id: s3-anonymous-probing
-- title: Anonymous S3 requests refused in a burst from one address
-- severity: medium
-- kind: threshold
-- description: >
--   Unauthenticated requests to the account's buckets that fail (AccessDenied, NoSuchKey, AllAccessDisabled), many from one address within burst_minutes: someone guessing bucket and object names to find what is public (wordlist scanning with tools such as S3Scanner). Needs S3 data events.
-- mitre: {tactics: [TA0043], techniques: [T1595.003]}
-- references: [https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-request-identification.html, https://github.com/sa7mon/S3Scanner]
-- false_positives: [A public website whose pages link to objects that no longer exist]
-- remediation: >
--   Check which buckets and keys were tried and whether any request succeeded from the same address; keep Block Public Access on for buckets that are not meant to be public.
WITH probes AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_source = 's3.amazonaws.com' AND user_identity['account_id'] = 'anonymous'
    AND error_code IN ('AccessDenied', 'NoSuchKey', 'AllAccessDisabled', 'NoSuchBucket')
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region,
       'anonymous' AS principal, source_ip_address, array_agg(event_id) AS event_ids,
       count(*) || ' anonymous requests refused (' || count(DISTINCT json_get_str(request_parameters, 'bucketName')) || ' buckets)' AS reason
FROM probes
GROUP BY source_ip_address, bucket
HAVING count(*) >= (SELECT access_denied_burst FROM hunt_params)
