-- id: sns-subscription-to-outside-endpoint
-- title: An SNS topic subscribed by email or HTTP
-- severity: low
-- kind: event
-- description: >
--   An email or HTTP(S) subscription copies every message of the topic to an address outside AWS: alerts, order events, sometimes data. Attackers subscribe to topics to watch the defenders' alarms or to read what flows through them.
-- mitre: {tactics: [TA0010, TA0009], techniques: [T1567, T1530]}
-- references: [https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html]
-- false_positives: [Teams subscribing their own mailbox or webhook to alarms]
-- remediation: >
--   Check the endpoint with the topic's owner and unsubscribe it if unknown; restrict sns:Subscribe in the topic policy.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  coalesce(json_get_str(request_parameters, 'protocol'), '?') || ' subscription to ' || coalesce(json_get_str(request_parameters, 'topicArn'), '?')
    || coalesce(': ' || json_get_str(request_parameters, 'endpoint'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sns.amazonaws.com' AND event_name = 'Subscribe'
  AND lower(json_get_str(request_parameters, 'protocol')) IN ('email', 'email-json', 'http', 'https')
