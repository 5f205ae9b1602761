-- id: resource-policy-open-to-anyone
-- title: No KMS key, SNS topic, SQS queue, Lambda function, secret or event bus policy lets anyone in
-- severity: critical
-- description: >
--   CIS v7.0 2.21 (manual): resource policies do not allow Principal "*" without a condition
--   that restricts the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID,
--   aws:PrincipalArn, ...). The policy engine asks each key, topic, queue, function, secret
--   and event bus policy, with the
--   RCPs of the owner's account, whether anyone may use the resource's sensitive actions,
--   and counts a grant whose statements pin the caller with such a condition as restricted,
--   not public (read from the computed table resource_exposure; buckets are
--   s3-bucket-open-to-anyone's). One row per resource with a policy.
-- remediation: Replace Principal "*" with the accounts or services that need access, or add a condition on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID to the statement.
-- frameworks: { cis-aws-7.0: ["2.21"] }
-- tables: [kms_keys, sns_topics, sqs_queues, lambda_functions, secretsmanager_secrets, events_buses]
-- requires: [GetKeyPolicy, GetTopicAttributes, GetQueueAttributes, GetPolicy, GetResourcePolicy, ListEventBuses]
WITH governed AS (
  SELECT arn AS resource_arn, account_id, region FROM kms_keys WHERE policy IS NOT NULL
  UNION ALL
  SELECT topic_arn, account_id, region FROM sns_topics WHERE policy IS NOT NULL
  UNION ALL
  SELECT queue_arn, account_id, region FROM sqs_queues WHERE policy IS NOT NULL
  UNION ALL
  SELECT function_arn, account_id, region FROM lambda_functions WHERE policy IS NOT NULL
  UNION ALL
  SELECT arn, account_id, region FROM secretsmanager_secrets WHERE policy IS NOT NULL
  UNION ALL
  SELECT arn, account_id, region FROM events_buses WHERE policy IS NOT NULL
), public AS (
  SELECT resource_arn, array_to_string(actions, ', ') AS actions
  FROM resource_exposure WHERE exposure = 'public'
)
SELECT
  g.resource_arn AS resource_id,
  g.account_id,
  g.region,
  CASE WHEN p.resource_arn IS NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  CASE WHEN p.resource_arn IS NULL THEN 'no grant to anyone without a condition that restricts the caller'
       ELSE 'anyone may ' || p.actions END AS reason
FROM governed g
LEFT JOIN public p ON p.resource_arn = g.resource_arn
