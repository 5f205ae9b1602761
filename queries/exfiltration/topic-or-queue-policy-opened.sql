-- id: topic-or-queue-policy-opened
-- title: An SNS topic or SQS queue policy lets any principal use it
-- severity: medium
-- kind: event
-- description: >
--   A topic or queue policy statement with principal * and no condition on the caller's organization, account or source lets every AWS account subscribe to the topic or read, send to and purge the queue: messages (often with data or credentials) leave the account, or are injected into it.
-- mitre: {tactics: [TA0010, TA0003], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-using-identity-based-policies.html]
-- false_positives: [Policies that restrict the caller with conditions this detection does not recognise]
-- remediation: >
--   Restrict the statement to named accounts, aws:PrincipalOrgID, or the aws:SourceArn of the service that publishes; check the subscriptions and receivers since the change.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_source = 'sns.amazonaws.com' THEN 'topic ' || coalesce(json_get_str(request_parameters, 'topicArn'), '?')
       ELSE 'queue ' || coalesce(json_get_str(request_parameters, 'queueUrl'), '?') END
    || ' opened to any principal' || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'sns.amazonaws.com' AND event_name = 'SetTopicAttributes'
       AND json_get_str(request_parameters, 'attributeName') = 'Policy'
       AND regexp_like(coalesce(json_get_str(request_parameters, 'attributeValue'), ''), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"') AND NOT regexp_like(coalesce(json_get_str(request_parameters, 'attributeValue'), ''), '(aws:PrincipalOrgID|aws:PrincipalAccount|aws:SourceAccount|aws:SourceArn|aws:SourceOwner|aws:PrincipalOrgPaths)'))
   OR (event_source = 'sqs.amazonaws.com' AND event_name = 'SetQueueAttributes'
       AND regexp_like(coalesce(json_get_str(request_parameters, 'attributes', 'Policy'), ''), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"') AND NOT regexp_like(coalesce(json_get_str(request_parameters, 'attributes', 'Policy'), ''), '(aws:PrincipalOrgID|aws:PrincipalAccount|aws:SourceAccount|aws:SourceArn|aws:SourceOwner|aws:PrincipalOrgPaths)'))
