-- id: s3-objects-encrypted-with-outside-key
-- title: "S3 objects rewritten with a customer-provided key or another account's KMS key"
-- severity: high
-- kind: event
-- description: >
--   Objects written or copied with SSE-C (a key only the caller holds; AWS keeps no copy) or with a KMS key of another account cannot be read by the bucket's owner: the Codefinger ransomware re-encrypts buckets this way and asks for payment for the key. One finding per principal, bucket and hour. Needs S3 data events.
-- mitre: {tactics: [TA0040], techniques: [T1486]}
-- references: [https://www.halcyon.ai/blog/abusing-aws-native-services-ransomware-encrypting-s3-buckets-with-sse-c, https://stratus-red-team.cloud/attack-techniques/AWS/aws.impact.s3-ransomware-client-side-encryption/]
-- false_positives: [Applications that use SSE-C by design]
-- remediation: >
--   Stop the principal and restore earlier object versions if versioning is on; block SSE-C where it is not used (a bucket policy denying s3:PutObject with x-amz-server-side-encryption-customer-algorithm).
WITH writes AS (
  SELECT *,
    CASE WHEN json_get_str(additional_event_data, 'SSEApplied') = 'SSE_C'
              OR json_get(request_parameters, 'x-amz-server-side-encryption-customer-algorithm') IS NOT NULL THEN 'a customer-provided key (SSE-C)'
         ELSE 'the KMS key of account ' || regexp_match(json_get_str(request_parameters, 'x-amz-server-side-encryption-aws-kms-key-id'), 'arn:aws[a-z-]*:kms:[a-z0-9-]+:([0-9]{12}):')[1] END AS how
  FROM hunt_events
  WHERE event_source = 's3.amazonaws.com' AND event_name IN ('PutObject', 'CopyObject', 'CompleteMultipartUpload', 'CreateMultipartUpload')
    AND error_code IS NULL
    AND (json_get_str(additional_event_data, 'SSEApplied') = 'SSE_C'
         OR json_get(request_parameters, 'x-amz-server-side-encryption-customer-algorithm') IS NOT NULL
         OR regexp_match(json_get_str(request_parameters, 'x-amz-server-side-encryption-aws-kms-key-id'), 'arn:aws[a-z-]*:kms:[a-z0-9-]+:([0-9]{12}):')[1] <> account_id)
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(*) || ' objects of ' || json_get_str(request_parameters, 'bucketName') || ' written with ' || how AS reason
FROM writes
GROUP BY principal, json_get_str(request_parameters, 'bucketName'), how, date_trunc('hour', event_time)
