-- id: ec2-instance-exported
-- title: An EC2 instance or image exported to S3
-- severity: medium
-- kind: event
-- description: >
--   CreateInstanceExportTask and ExportImage write a whole instance's or image's disks as a VMDK, VHD or raw file to an S3 bucket, from where they can be downloaded: the instance's data and secrets leave without a snapshot being shared.
-- mitre: {tactics: [TA0010], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/vm-import/latest/userguide/vmexport.html]
-- false_positives: [Migrations off AWS]
-- remediation: >
--   Check the export's bucket and who can read it; delete the exported file if the export was not planned.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' of ' || coalesce(json_get_str(request_parameters, 'instanceId'), json_get_str(request_parameters, 'imageId'), '?')
    || ' to ' || coalesce(json_get_str(request_parameters, 'exportToS3', 's3Bucket'), json_get_str(request_parameters, 's3ExportLocation', 's3Bucket'), 'S3')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com' AND event_name IN ('CreateInstanceExportTask', 'ExportImage')
