-- id: ecs-execute-command
-- title: A command run inside an ECS container with ECS Exec
-- severity: medium
-- kind: event
-- description: >
--   ExecuteCommand opens a shell (or runs a command) inside a running ECS task's container through SSM, with the task's role and its network: from the control plane into the workload, no SSH needed.
-- mitre: {tactics: [TA0002, TA0008], techniques: [T1651, T1609]}
-- references: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html]
-- false_positives: [Developers debugging their tasks]
-- remediation: >
--   Check the session's log (ECS Exec logging), and limit ecs:ExecuteCommand by cluster and container; turn enableExecuteCommand off where it is not used.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'ExecuteCommand in ' || coalesce(json_get_str(request_parameters, 'container'), 'a container') || ' of task '
    || coalesce(json_get_str(request_parameters, 'task'), '?') || coalesce(': ' || json_get_str(request_parameters, 'command'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ecs.amazonaws.com' AND event_name = 'ExecuteCommand'
