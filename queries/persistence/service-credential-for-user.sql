-- id: service-credential-for-user
-- title: "An SSH key, signing certificate or service-specific credential added to an IAM user"
-- severity: medium
-- kind: event
-- description: >
--   Besides passwords and access keys an IAM user can have SSH public keys (CodeCommit), X.509 signing certificates and service-specific credentials (CodeCommit, Keyspaces, Bedrock API keys): credentials that access-key reviews miss and that outlive a rotated key. Bedrock API keys are a known LLM-jacking foothold.
-- mitre: {tactics: [TA0003], techniques: [T1098.001]}
-- references: [https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html, https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html]
-- false_positives: [Developers setting up CodeCommit over SSH or HTTPS git credentials]
-- remediation: >
--   Check the user and the credential with its owner; delete what is not theirs (delete-ssh-public-key, delete-signing-certificate, delete-service-specific-credential).
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' for ' || coalesce(json_get_str(request_parameters, 'userName'), user_identity['user_name'], '?')
    || coalesce(' (' || json_get_str(request_parameters, 'serviceName') || ')', '') || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'iam.amazonaws.com'
  AND event_name IN ('UploadSSHPublicKey', 'UploadSigningCertificate', 'CreateServiceSpecificCredential', 'ResetServiceSpecificCredential')
