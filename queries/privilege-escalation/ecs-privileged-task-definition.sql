-- id: ecs-privileged-task-definition
-- title: "An ECS task definition with a privileged container or the host's namespaces"
-- severity: medium
-- kind: event
-- description: >
--   A container that runs privileged, with the host's PID namespace, or with the SYS_ADMIN capability can take over the instance it runs on, and with it the instance role's credentials and the other tasks on the host: an escape from the container to the host.
-- mitre: {tactics: [TA0004], techniques: [T1611]}
-- references: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security, https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4]
-- false_positives: [Monitoring and security agents that need the host (their task definitions are known and few)]
-- remediation: >
--   Check the task definition's image and owner; deregister it if it is not a known agent, and deny privileged containers with an SCP condition or admission policy.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'task definition ' || coalesce(json_get_str(request_parameters, 'family'), '?') || ' runs '
    || CASE WHEN regexp_like(json_get_json(request_parameters, 'containerDefinitions'), '"privileged"\s*:\s*true') THEN 'a privileged container'
            WHEN json_get_str(request_parameters, 'pidMode') = 'host' THEN 'in the host PID namespace'
            ELSE 'with SYS_ADMIN' END || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ecs.amazonaws.com' AND event_name = 'RegisterTaskDefinition'
  AND (regexp_like(coalesce(json_get_json(request_parameters, 'containerDefinitions'), ''), '"privileged"\s*:\s*true')
       OR json_get_str(request_parameters, 'pidMode') = 'host'
       OR regexp_like(coalesce(json_get_json(request_parameters, 'containerDefinitions'), ''), '"add"\s*:\s*\[[^\]]*"(CAP_)?SYS_ADMIN"'))
