-- id: snapshot-or-image-shared
-- title: A snapshot or machine image shared with another account or made public
-- severity: high
-- kind: event
-- description: >
--   Sharing an EBS snapshot, an AMI or an RDS snapshot with another account (or with everyone) copies the data out of reach of every control in this one: a single API call of exfiltration.
-- mitre: {tactics: [TA0010], techniques: [T1537]}
-- references: [https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.ec2-share-ebs-snapshot/, https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.rds-share-snapshot/]
-- false_positives: [Sharing golden AMIs with your own accounts]
WITH shares AS (
  SELECT *,
    CASE event_name
      WHEN 'ModifySnapshotAttribute' THEN json_get_json(request_parameters, 'createVolumePermission', 'add')
      WHEN 'ModifyImageAttribute' THEN json_get_json(request_parameters, 'launchPermission', 'add')
      ELSE json_get_json(request_parameters, 'valuesToAdd')
    END AS added,
    coalesce(json_get_str(request_parameters, 'snapshotId'), json_get_str(request_parameters, 'imageId'),
             json_get_str(request_parameters, 'dBSnapshotIdentifier'), json_get_str(request_parameters, 'dBClusterSnapshotIdentifier')) AS shared
  FROM hunt_events
  WHERE error_code IS NULL AND (
    (event_source = 'ec2.amazonaws.com' AND event_name IN ('ModifySnapshotAttribute', 'ModifyImageAttribute'))
    OR (event_source = 'rds.amazonaws.com' AND event_name IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
        AND json_get_str(request_parameters, 'attributeName') = 'restore'))
)
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  shared || ' shared with '
    || CASE WHEN strpos(lower(added), '"all"') > 0 THEN 'everyone' ELSE 'account ' || (regexp_match(regexp_replace(added, account_id, '', 'g'), '[0-9]{12}'))[1] END AS reason
FROM shares
WHERE strpos(lower(added), '"all"') > 0
   OR regexp_match(regexp_replace(added, account_id, '', 'g'), '[0-9]{12}') IS NOT NULL
