-- id: sagemaker-lifecycle-config-changed
-- title: A SageMaker notebook lifecycle configuration created or changed
-- severity: medium
-- kind: event
-- description: >
--   A notebook instance's lifecycle configuration is a shell script run as root each time the instance starts, with the instance's execution role: changing it (and restarting the notebook) runs the caller's code with that role, a persistence and execution path that IAM policies on the role do not see.
-- mitre: {tactics: [TA0002, TA0003], techniques: [T1059, T1037]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.execution.sagemaker-update-lifecycle-config/, https://docs.aws.amazon.com/sagemaker/latest/dg/notebook-lifecycle-config.html]
-- false_positives: [Data science teams setting up notebooks]
-- remediation: >
--   Read the script (it is base64 in the configuration) and check the notebooks using it; restrict sagemaker:*NotebookInstanceLifecycleConfig to the platform team.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'notebookInstanceLifecycleConfigName'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sagemaker.amazonaws.com'
  AND event_name IN ('CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig')
