-- id: secrets-batch-read
-- title: Secrets read in bulk with one BatchGetSecretValue call
-- severity: medium
-- kind: event
-- description: >
--   BatchGetSecretValue returns up to 20 secret values in one call, chosen by a list of ids or by a filter (a name prefix, a tag): one event for what used to be twenty GetSecretValue calls, so a volume threshold misses it. Harvesting credentials.
-- mitre: {tactics: [TA0006], techniques: [T1555.006]}
-- references: [https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html, https://stratus-red-team.cloud/attack-techniques/AWS/aws.credential-access.secretsmanager-batch-retrieve-secrets/]
-- false_positives: [Applications that load their configuration with one batch call at start-up]
-- remediation: >
--   Check who made the call and which secrets the filter matched; rotate them if the caller is not theirs.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'secrets read in one call by '
    || CASE WHEN json_get(request_parameters, 'filters') IS NOT NULL THEN 'filter ' || json_get_json(request_parameters, 'filters')
            ELSE coalesce(json_length(request_parameters, 'secretIdList'), 0) || ' id(s)' END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'secretsmanager.amazonaws.com' AND event_name = 'BatchGetSecretValue'
