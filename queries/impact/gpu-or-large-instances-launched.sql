-- id: gpu-or-large-instances-launched
-- title: GPU, accelerator or very large instances launched
-- severity: medium
-- kind: event
-- description: >
--   Cryptomining and model training on stolen credentials launch the instance families with GPUs or accelerators (p, g, inf, trn, dl, f), very large or bare-metal sizes, or many instances at once (maxCount of 10 or more). The reason names the type and count.
-- mitre: {tactics: [TA0040], techniques: [T1496.001, T1578.002]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.impact.ec2-launch-unusual-instances/, https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html]
-- false_positives: [Teams that train models or render on GPUs (mute their principals or accounts)]
-- remediation: >
--   Check who launched them and terminate them if unexplained; an SCP can deny ec2:RunInstances for these types where they are not used.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  coalesce(json_get_str(request_parameters, 'instanceType'), '?') || ' x '
    || coalesce(CAST(json_get_int(request_parameters, 'instancesSet', 'items', 0, 'maxCount') AS VARCHAR), '1') || ' launched'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name = 'RunInstances'
  AND (regexp_like(coalesce(json_get_str(request_parameters, 'instanceType'), ''), '^(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|f[0-9])')
       OR regexp_like(coalesce(json_get_str(request_parameters, 'instanceType'), ''), '\.(metal|[0-9]*(24|32|48)xlarge)')
       OR coalesce(json_get_int(request_parameters, 'instancesSet', 'items', 0, 'maxCount'), 1) >= 10)
