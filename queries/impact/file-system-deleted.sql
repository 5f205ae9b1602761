-- id: file-system-deleted
-- title: An EFS or FSx file system deleted
-- severity: medium
-- kind: event
-- description: >
--   Deleting an EFS file system or an FSx file system (with skipFinalBackup, or without a final backup) destroys shared storage that many instances depend on; an FSx deletion that keeps a final backup is not reported.
-- mitre: {tactics: [TA0040], techniques: [T1485]}
-- references: [https://docs.aws.amazon.com/efs/latest/ug/API_DeleteFileSystem.html, https://docs.aws.amazon.com/fsx/latest/APIReference/API_DeleteFileSystem.html]
-- false_positives: [Retiring a file system]
-- remediation: >
--   Restore from AWS Backup if a recovery point exists; protect file systems that matter with a deny on DeleteFileSystem (an SCP).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_source = 'elasticfilesystem.amazonaws.com' THEN 'EFS ' ELSE 'FSx ' END
    || coalesce(json_get_str(request_parameters, 'fileSystemId'), '?') || ' deleted' || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE (event_source = 'elasticfilesystem.amazonaws.com' AND event_name = 'DeleteFileSystem')
   OR (event_source = 'fsx.amazonaws.com' AND event_name = 'DeleteFileSystem'
       AND NOT regexp_like(coalesce(request_parameters, ''), '(?i)"skipFinalBackup"\s*:\s*false'))
