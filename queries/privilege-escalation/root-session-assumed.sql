-- id: root-session-assumed
-- title: A privileged root session of a member account started with AssumeRoot
-- severity: medium
-- kind: event
-- description: >
--   sts:AssumeRoot gives the management account (or a delegated administrator) a short root session in a member account, for the few tasks only root can do: unlock a bucket policy, delete root credentials. The task policy says what the session may do; an unexpected one is root-level access to a member account.
-- mitre: {tactics: [TA0004], techniques: [T1078.004, T1548]}
-- references: [https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html]
-- false_positives: [The security team using centralized root access for its intended tasks]
-- remediation: >
--   Check who started the session and what the root session did next (its events carry the member's root identity); limit sts:AssumeRoot to a break-glass role.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'root session in ' || coalesce(json_get_str(request_parameters, 'targetPrincipal'), '?')
    || coalesce(' for ' || json_get_str(request_parameters, 'taskPolicyArn', 'arn'), '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sts.amazonaws.com' AND event_name = 'AssumeRoot'
