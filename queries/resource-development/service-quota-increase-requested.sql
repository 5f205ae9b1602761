-- id: service-quota-increase-requested
-- title: A service quota increase requested
-- severity: low
-- kind: event
-- description: >
--   Cryptomining and LLM-jacking need more than a new account's quotas allow (vCPUs of GPU instances, Bedrock tokens per minute, SES sending rate): a RequestServiceQuotaIncrease from a principal that does not run capacity planning is the attacker asking AWS for room.
-- mitre: {tactics: [TA0042, TA0040], techniques: [T1496.001, T1496.004]}
-- references: [https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_RequestServiceQuotaIncrease.html]
-- false_positives: ["Capacity planning by the account's owners"]
-- remediation: >
--   Check the request with the account's owner; cancel it in the Service Quotas console if it is not theirs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'quota ' || coalesce(json_get_str(request_parameters, 'serviceCode'), '?') || '/' || coalesce(json_get_str(request_parameters, 'quotaCode'), '?')
    || coalesce(' to ' || CAST(json_get_float(request_parameters, 'desiredValue') AS VARCHAR), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'servicequotas.amazonaws.com' AND event_name = 'RequestServiceQuotaIncrease'
