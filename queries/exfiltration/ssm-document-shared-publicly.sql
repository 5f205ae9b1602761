-- id: ssm-document-shared-publicly
-- title: An SSM document shared with every AWS account or another one
-- severity: medium
-- kind: event
-- description: >
--   ModifyDocumentPermission with All shares an SSM document (its scripts, often with embedded secrets or internal names) with every AWS account; with account ids, with those accounts. A way data and tooling leave the account.
-- mitre: {tactics: [TA0010], techniques: [T1537]}
-- references: [https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html]
-- false_positives: [Publishing a document for customers on purpose]
-- remediation: >
--   Remove the sharing (ModifyDocumentPermission --account-ids-to-remove All) and turn on the account's block public sharing setting for SSM documents.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'document ' || coalesce(json_get_str(request_parameters, 'name'), '?') || ' shared with '
    || CASE WHEN json_get_json(request_parameters, 'accountIdsToAdd') LIKE '%"All"%' OR json_get_json(request_parameters, 'accountIdsToAdd') LIKE '%"all"%'
            THEN 'every AWS account' ELSE json_get_json(request_parameters, 'accountIdsToAdd') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ssm.amazonaws.com' AND event_name = 'ModifyDocumentPermission'
  AND json_length(request_parameters, 'accountIdsToAdd') > 0
