-- id: iam-credential-report-read
-- title: The IAM credential report generated or downloaded
-- severity: low
-- kind: event
-- description: >
--   The credential report lists every user with their passwords' and keys' ages, last use and MFA state: a map of which credentials are worth stealing and which are unwatched. Audit tools read it routinely; a principal that does not audit reading it is reconnaissance.
-- mitre: {tactics: [TA0007], techniques: [T1087.004]}
-- references: [https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html]
-- false_positives: ["Audit and posture tools (govscan, Prowler, AWS Config rules) and the console's IAM pages"]
-- remediation: >
--   Check the principal is an audit tool; if not, look at what it did next with the report's users and keys.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com' AND event_name IN ('GenerateCredentialReport', 'GetCredentialReport')
