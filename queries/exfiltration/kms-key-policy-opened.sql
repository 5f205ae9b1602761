-- id: kms-key-policy-opened
-- title: A KMS key policy lets any principal use the key
-- severity: high
-- kind: event
-- description: >
--   A key policy statement with principal * and no condition naming the organization or accounts lets every AWS account decrypt (or encrypt with) the key: everything encrypted under it becomes readable wherever its ciphertext goes, snapshots and backups included.
-- mitre: {tactics: [TA0010, TA0005], techniques: [T1537, T1222]}
-- references: [https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html]
-- false_positives: [Keys shared with an organization through conditions this detection does not recognise]
-- remediation: >
--   Replace the statement with named account principals or an aws:PrincipalOrgID condition (PutKeyPolicy), and check CloudTrail for Decrypt calls from other accounts.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  'key policy of ' || coalesce(json_get_str(request_parameters, 'keyId'), '?') || ' opened to any principal'
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'kms.amazonaws.com' AND event_name IN ('PutKeyPolicy', 'CreateKey')
  AND regexp_like(coalesce(json_get_str(request_parameters, 'policy'), ''), '"Principal"\s*:\s*(\{\s*"AWS"\s*:\s*)?"\*"')
  AND NOT regexp_like(coalesce(json_get_str(request_parameters, 'policy'), ''), '(aws:PrincipalOrgID|aws:PrincipalAccount|kms:CallerAccount|aws:SourceAccount|aws:PrincipalOrgPaths)')
