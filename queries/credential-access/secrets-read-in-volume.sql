-- id: secrets-read-in-volume
-- title: Many secrets read by one principal in a short time
-- severity: medium
-- kind: threshold
-- description: >
--   At least credential_access_volume reads of secrets (Secrets Manager GetSecretValue, SSM GetParameter(s) with decryption, EC2 GetPasswordData), attempts included, by one principal within burst_minutes: harvesting credentials.
-- mitre: {tactics: [TA0006], techniques: [T1555.006, T1552]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.credential-access.secretsmanager-retrieve-secrets/, https://stratus-red-team.cloud/attack-techniques/AWS/aws.credential-access.ec2-get-password-data/]
-- false_positives: [Applications reading their secrets at start-up (they repeat the same few)]
WITH reads AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE (event_source = 'secretsmanager.amazonaws.com' AND event_name IN ('GetSecretValue', 'BatchGetSecretValue'))
     OR (event_source = 'ssm.amazonaws.com' AND event_name IN ('GetParameter', 'GetParameters', 'GetParametersByPath')
         AND json_get_bool(request_parameters, 'withDecryption'))
     OR (event_source = 'ec2.amazonaws.com' AND event_name = 'GetPasswordData')
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(*) || ' secret reads (' || string_agg(DISTINCT event_name, ', ') || '), ' || count(error_code) || ' failed' AS reason
FROM reads
GROUP BY principal, event_name, bucket
HAVING count(*) >= (SELECT credential_access_volume FROM hunt_params)
