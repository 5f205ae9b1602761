-- id: access-denied-burst
-- title: A burst of access-denied errors for one principal
-- severity: medium
-- kind: threshold
-- description: >
--   At least access_denied_burst calls denied by IAM (AccessDenied, UnauthorizedOperation and their variants) for one principal within burst_minutes: someone probing what stolen credentials may do.
-- mitre: {tactics: [TA0007], techniques: [T1580]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html]
-- false_positives: [A misconfigured application retrying a call it may not make]
WITH denied AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation',
                       'UnauthorizedAccess', 'Forbidden')
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(*) || ' denied calls to ' || count(DISTINCT event_source || ':' || event_name) || ' APIs' AS reason
FROM denied
GROUP BY principal, bucket
HAVING count(*) >= (SELECT access_denied_burst FROM hunt_params)
