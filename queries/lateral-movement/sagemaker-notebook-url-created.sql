-- id: sagemaker-notebook-url-created
-- title: A presigned URL to a SageMaker notebook created
-- severity: low
-- kind: event
-- description: >
--   CreatePresignedNotebookInstanceUrl gives a browser session to a notebook's Jupyter server, which has a terminal running with the notebook's execution role: from an API key to a shell with another role's credentials.
-- mitre: {tactics: [TA0008, TA0004], techniques: [T1021.007, T1078.004]}
-- references: [https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedNotebookInstanceUrl.html]
-- false_positives: [Data scientists opening their notebooks from the console (the console makes this call)]
-- remediation: >
--   Check that the caller works with the notebook; limit sagemaker:CreatePresignedNotebookInstanceUrl to the notebook's owners (tag conditions).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'notebook URL for ' || coalesce(json_get_str(request_parameters, 'notebookInstanceName'), '?') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'sagemaker.amazonaws.com' AND event_name = 'CreatePresignedNotebookInstanceUrl'
