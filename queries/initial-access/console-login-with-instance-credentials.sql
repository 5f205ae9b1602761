-- id: console-login-with-instance-credentials
-- title: "A console session made from an EC2 instance's role credentials"
-- severity: high
-- kind: event
-- description: >
--   Credentials from an instance's metadata service are for the software on the instance; a ConsoleLogin (or the GetSigninToken before it) with a session named after an instance means someone took them and turned them into a browser session, the way tools such as aws_consoler do.
-- mitre: {tactics: [TA0001, TA0006], techniques: [T1078.004, T1552.005]}
-- references: [https://www.elastic.co/guide/en/security/current/aws-ec2-instance-console-login-via-assumed-role.html, https://github.com/NetSPI/aws_consoler]
-- false_positives: ["None known: no AWS service signs in to the console with an instance's role"]
-- remediation: >
--   Treat the instance's role credentials as stolen: revoke the role's active sessions (aws:TokenIssueTime deny), find how they left the instance (SSRF, IMDSv1) and require IMDSv2.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' with the credentials of instance ' || split_part(user_identity['principal_id'], ':', 2) || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'signin.amazonaws.com' AND event_name IN ('ConsoleLogin', 'GetSigninToken')
  AND user_identity['type'] = 'AssumedRole'
  AND regexp_like(user_identity['principal_id'], ':i-[0-9a-f]{8,17}$')
