-- id: cross-account-role-probing
-- title: Many refused AssumeRole calls from another account
-- severity: medium
-- kind: threshold
-- description: >
--   AssumeRole calls from principals of another account that are refused, access_denied_burst or more within burst_minutes from one account: guessing the account's role names (tools such as Pacu's iam__enum_roles and quiet-riot), or a partner whose trust broke. Visible where CloudTrail delivers the refused call to the role's account.
-- mitre: {tactics: [TA0043, TA0007], techniques: [T1595.003, T1087.004]}
-- references: [https://rhinosecuritylabs.com/aws/assume-worst-aws-assume-role-enumeration/, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html]
-- false_positives: ["A partner's automation retrying after its access was removed"]
-- remediation: >
--   Check the calling account against partners; the roles tried tell what the caller knows about the account. Role names cannot be hidden, so keep trust policies strict (external ids, exact principals).
WITH refused AS (
  SELECT e.*, CAST(floor(date_part('epoch', event_time) / (p.burst_minutes * 60)) AS BIGINT) AS bucket
  FROM hunt_events e CROSS JOIN hunt_params p
  WHERE event_source = 'sts.amazonaws.com' AND event_name = 'AssumeRole' AND error_code = 'AccessDenied'
    AND user_identity['account_id'] IS NOT NULL AND user_identity['account_id'] <> account_id
)
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, min(principal) AS principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(*) || ' refused AssumeRole calls from account ' || user_identity['account_id'] || ' for '
         || count(DISTINCT json_get_str(request_parameters, 'roleArn')) || ' roles' AS reason
FROM refused
GROUP BY user_identity['account_id'], bucket
HAVING count(*) >= (SELECT access_denied_burst FROM hunt_params)
