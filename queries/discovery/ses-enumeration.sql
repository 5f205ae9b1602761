-- id: ses-enumeration
-- title: "A principal checked the account's email sending capability"
-- severity: medium
-- kind: threshold
-- description: >
--   Three or more different SES reads of sending status, quotas and verified identities (GetAccount, GetSendQuota, GetAccountSendingEnabled, ListIdentities, ...) by one principal within burst_minutes: what attackers run first with stolen keys to see whether the account can send spam or phishing at scale.
-- mitre: {tactics: [TA0007, TA0042], techniques: [T1580, T1584.006]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.discovery.ses-enumerate/, https://permiso.io/blog/s/aws-ses-pionage-detecting-ses-abuse/]
-- false_positives: ["An email team's dashboards, audit tools reading SES settings"]
-- remediation: >
--   Check the principal; if it does not work with SES, treat its keys as stolen and look for sending (SendEmail, SendRawEmail) and identity changes.
WITH reads AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_source = 'ses.amazonaws.com'
    AND event_name IN ('GetAccount', 'GetSendQuota', 'GetAccountSendingEnabled', 'ListIdentities', 'ListEmailIdentities',
                       'GetIdentityVerificationAttributes', 'ListVerifiedEmailAddresses', 'GetSendStatistics')
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       'SES capability checked: ' || string_agg(DISTINCT event_name, ', ') AS reason
FROM reads
GROUP BY principal, bucket
HAVING count(DISTINCT event_name) >= 3
