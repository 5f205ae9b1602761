-- id: ebs-snapshot-read-directly
-- title: EBS snapshot blocks read through the EBS direct APIs
-- severity: medium
-- kind: event
-- description: >
--   The EBS direct APIs (ListSnapshotBlocks, GetSnapshotBlock) read a snapshot's disk blocks over HTTPS without creating a volume or an instance: a disk copied out with a few API calls. They are data events, recorded only when the trail logs them.
-- mitre: {tactics: [TA0010, TA0009], techniques: [T1530]}
-- references: [https://docs.aws.amazon.com/ebs/latest/userguide/ebs-accessing-snapshot.html, https://docs.aws.amazon.com/ebs/latest/userguide/logging-ebs-apis-using-cloudtrail.html]
-- false_positives: [Backup products that read snapshots incrementally (mute their role)]
-- remediation: >
--   Find which snapshot and how much of it was read; limit ebs:GetSnapshotBlock to the backup role.
SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, principal,
       CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address,
       array_agg(event_id) AS event_ids,
       count(*) || ' direct reads of snapshot ' || coalesce(json_get_str(min(request_parameters), 'snapshotId'), '?')
         || CASE WHEN count(error_code) > 0 THEN ', ' || count(error_code) || ' failed' ELSE '' END AS reason
FROM hunt_events
WHERE event_source = 'ebs.amazonaws.com' AND event_name IN ('ListSnapshotBlocks', 'ListChangedBlocks', 'GetSnapshotBlock')
GROUP BY principal, json_get_str(request_parameters, 'snapshotId'), date_trunc('hour', event_time)
