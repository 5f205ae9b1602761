-- id: resource-policy-grants-other-account
-- title: A resource policy grants a named other account access
-- severity: medium
-- kind: event
-- description: >
--   A bucket, key, secret, repository, topic, queue, backup vault, Lambda function or event bus policy that allows a principal of another account (by id or ARN) hands that account the resource: Stratus Red Team's backdoored bucket policy is one. Policies open to everyone have detections of their own; role trust policies are role-trust-opened.
-- mitre: {tactics: [TA0010, TA0003], techniques: [T1537, T1098]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.s3-backdoor-bucket-policy/, https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html]
-- false_positives: ["Sharing with the organization's own accounts (not told apart from outsiders here)"]
-- remediation: >
--   Check the named account against the organization's accounts; remove the statement if it is not one of yours and check the resource's access since.
WITH policies AS (
  SELECT e.*,
    CASE WHEN event_source = 's3.amazonaws.com' THEN json_get_json(request_parameters, 'bucketPolicy')
         WHEN event_source = 'kms.amazonaws.com' THEN json_get_str(request_parameters, 'policy')
         WHEN event_source = 'secretsmanager.amazonaws.com' THEN json_get_str(request_parameters, 'resourcePolicy')
         WHEN event_source = 'ecr.amazonaws.com' THEN json_get_str(request_parameters, 'policyText')
         WHEN event_source = 'sns.amazonaws.com' THEN json_get_str(request_parameters, 'attributeValue')
         WHEN event_source = 'sqs.amazonaws.com' THEN json_get_str(request_parameters, 'attributes', 'Policy')
         WHEN event_source = 'backup.amazonaws.com' THEN json_get_str(request_parameters, 'policy')
    END AS policy,
    coalesce(json_get_str(request_parameters, 'bucketName'), json_get_str(request_parameters, 'keyId'), json_get_str(request_parameters, 'secretId'),
             json_get_str(request_parameters, 'repositoryName'), json_get_str(request_parameters, 'topicArn'), json_get_str(request_parameters, 'queueUrl'),
             json_get_str(request_parameters, 'backupVaultName'), json_get_str(request_parameters, 'functionName'), json_get_str(request_parameters, 'eventBusName'), 'the default event bus') AS resource
  FROM hunt_events e
  WHERE error_code IS NULL AND (
       (event_source = 's3.amazonaws.com' AND event_name = 'PutBucketPolicy')
    OR (event_source = 'kms.amazonaws.com' AND event_name IN ('PutKeyPolicy', 'CreateKey'))
    OR (event_source = 'secretsmanager.amazonaws.com' AND event_name = 'PutResourcePolicy')
    OR (event_source = 'ecr.amazonaws.com' AND event_name = 'SetRepositoryPolicy')
    OR (event_source = 'sns.amazonaws.com' AND event_name = 'SetTopicAttributes' AND json_get_str(request_parameters, 'attributeName') = 'Policy')
    OR (event_source = 'sqs.amazonaws.com' AND event_name = 'SetQueueAttributes')
    OR (event_source = 'backup.amazonaws.com' AND event_name = 'PutBackupVaultAccessPolicy')
    OR (event_source = 'lambda.amazonaws.com' AND event_name LIKE 'AddPermission%')
    OR (event_source = 'events.amazonaws.com' AND event_name = 'PutPermission'))
), grantees AS (
  -- Statements of the policy documents; Lambda and EventBridge name one principal instead.
  SELECT event_time, account_id, aws_region, principal, source_ip_address, event_id, event_name, resource, s['principal'] AS grantee
  FROM (SELECT *, unnest(policy_statements(policy)) AS s FROM policies WHERE policy IS NOT NULL)
  WHERE s['effect'] = 'Allow'
  UNION ALL
  SELECT event_time, account_id, aws_region, principal, source_ip_address, event_id, event_name, resource, json_get_str(request_parameters, 'principal')
  FROM policies WHERE policy IS NULL
), others AS (
  -- With the resource's own account id removed, any 12-digit account left is another account's.
  SELECT *, regexp_match(regexp_replace(grantee, account_id, '', 'g'), '[0-9]{12}')[1] AS other_account FROM grantees
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, min(principal) AS principal,
       min(source_ip_address) AS source_ip_address, make_array(event_id) AS event_ids,
       event_name || ': ' || min(resource) || ' grants account ' || string_agg(DISTINCT other_account, ', ') AS reason
FROM others
WHERE other_account IS NOT NULL
GROUP BY event_id, event_name
