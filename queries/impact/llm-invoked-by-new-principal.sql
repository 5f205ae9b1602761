-- id: llm-invoked-by-new-principal
-- title: A principal invoked Bedrock models for the first time
-- severity: medium
-- kind: first-seen
-- description: >
--   LLM-jacking: stolen credentials are used to run foundation models (InvokeModel, Converse and their streaming forms) at the account's expense, often from a principal that never used Bedrock. The first invocation by a principal within the history window, once there are baseline_days of history, is reported with the model it asked for.
-- mitre: {tactics: [TA0040], techniques: [T1496.004]}
-- references: [https://sysdig.com/blog/llmjacking-stolen-cloud-credentials-used-in-new-ai-attack/, https://docs.aws.amazon.com/bedrock/latest/userguide/logging-using-cloudtrail.html]
-- false_positives: [A team starting to use Bedrock]
-- remediation: >
--   Check the principal's owner; if not theirs, deactivate its credentials and deny bedrock:Invoke* where models are not used (an SCP).
WITH firsts AS (
  SELECT principal, min(event_time) AS first_time
  FROM hunt_history
  WHERE event_source = 'bedrock.amazonaws.com'
    AND event_name IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
    AND principal IS NOT NULL
  GROUP BY principal
)
SELECT e.event_time, e.account_id, e.aws_region AS region, e.principal, e.source_ip_address,
       make_array(e.event_id) AS event_ids,
       'first Bedrock ' || e.event_name || ' by this principal: ' || coalesce(json_get_str(e.request_parameters, 'modelId'), 'a model')
         || CASE WHEN e.error_code IS NULL THEN '' ELSE ' (failed: ' || e.error_code || ')' END AS reason
FROM firsts f CROSS JOIN hunt_params p
JOIN hunt_events e ON e.principal = f.principal AND e.event_time = f.first_time
  AND e.event_source = 'bedrock.amazonaws.com'
  AND e.event_name IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
WHERE f.first_time >= p.new_after
