-- id: cloudtrail-tampering
-- title: CloudTrail logging stopped, deleted or narrowed
-- severity: high
-- kind: event
-- description: >
--   The first move of an attacker who wants no record: stop a trail, delete it, or change its event selectors so management events or data events are no longer logged. Failed attempts are reported too (the reason says so): they show intent.
-- mitre: {tactics: [TA0005], techniques: [T1562.008]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.cloudtrail-stop/]
-- false_positives: [Trail maintenance by the team that owns logging (check the principal)]
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' on ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'trailName'), 'a trail')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'cloudtrail.amazonaws.com'
  AND event_name IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors',
                     'DeleteEventDataStore', 'StopEventDataStoreIngestion')
