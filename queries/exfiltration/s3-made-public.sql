-- id: s3-made-public
-- title: Block Public Access removed, or a bucket opened to everyone
-- severity: high
-- kind: event
-- description: >
--   Deleting or relaxing S3 Block Public Access (for a bucket or the account), a bucket policy that allows any principal without a condition, or an ACL grant to AllUsers or AuthenticatedUsers.
-- mitre: {tactics: [TA0010], techniques: [T1530]}
-- references: [https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html]
-- false_positives: [Buckets that host public websites]
WITH policy_statements_of AS (
  SELECT e.*, unnest(policy_statements(json_get_json(request_parameters, 'bucketPolicy'))) AS s
  FROM hunt_events e
  WHERE event_source = 's3.amazonaws.com' AND event_name = 'PutBucketPolicy' AND error_code IS NULL
), open_policies AS (
  SELECT DISTINCT event_time, account_id, aws_region, principal, source_ip_address, event_id,
    'bucket policy of ' || json_get_str(request_parameters, 'bucketName') || ' allows anyone' AS reason
  FROM policy_statements_of
  WHERE s['effect'] = 'Allow' AND s['condition'] IS NULL
    AND (s['principal'] = '"*"' OR json_get_str(s['principal'], 'AWS') = '*')
), other AS (
  SELECT event_time, account_id, aws_region, principal, source_ip_address, event_id,
    CASE
      WHEN event_name IN ('DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock', 'DeletePublicAccessBlock')
        THEN 'Block Public Access deleted' || coalesce(' for ' || json_get_str(request_parameters, 'bucketName'), ' for the account')
      WHEN event_name IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'PutPublicAccessBlock')
        THEN 'Block Public Access relaxed' || coalesce(' for ' || json_get_str(request_parameters, 'bucketName'), ' for the account')
      ELSE 'ACL of ' || coalesce(json_get_str(request_parameters, 'bucketName'), 'a bucket') || ' grants a global group'
    END AS reason
  FROM hunt_events
  WHERE event_source IN ('s3.amazonaws.com', 's3control.amazonaws.com') AND error_code IS NULL AND (
    event_name IN ('DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock', 'DeletePublicAccessBlock')
    OR (event_name IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'PutPublicAccessBlock')
        AND strpos(lower(request_parameters), 'false') > 0)
    OR (event_name IN ('PutBucketAcl', 'PutObjectAcl')
        AND (strpos(request_parameters, 'acs.amazonaws.com/groups/global/AllUsers') > 0
             OR strpos(request_parameters, 'acs.amazonaws.com/groups/global/AuthenticatedUsers') > 0
             OR json_get_str(request_parameters, 'x-amz-acl') IN ('public-read', 'public-read-write', 'authenticated-read'))))
)
SELECT event_time, account_id, aws_region AS region, principal, source_ip_address, make_array(event_id) AS event_ids, reason
FROM (SELECT * FROM open_policies UNION ALL SELECT * FROM other)
