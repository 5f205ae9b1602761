-- id: backups-deleted
-- title: AWS Backup vaults, recovery points or plans deleted, or a vault lock removed
-- severity: high
-- kind: event
-- description: >
--   Ransomware in the cloud deletes the backups before it encrypts or deletes the data: recovery points, the vaults that hold them, the plans that make them, and the vault lock that would have refused the deletion.
-- mitre: {tactics: [TA0040], techniques: [T1490]}
-- references: [https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DeleteRecoveryPoint.html, https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html]
-- false_positives: [Lifecycle clean-up by a backup administrator, retiring an application]
-- remediation: >
--   Check what remains (ListRecoveryPointsByBackupVault), lock the vaults in compliance mode, and keep a copy in another account.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'backupVaultName'), json_get_str(request_parameters, 'backupPlanId'), '?')
    || coalesce(' ' || json_get_str(request_parameters, 'recoveryPointArn'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'backup.amazonaws.com'
  AND event_name IN ('DeleteRecoveryPoint', 'DeleteBackupVault', 'DeleteBackupPlan', 'DeleteBackupVaultLockConfiguration',
                     'DeleteBackupSelection', 'DisassociateRecoveryPoint')
