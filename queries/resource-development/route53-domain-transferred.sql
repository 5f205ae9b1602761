-- id: route53-domain-transferred
-- title: A Route 53 domain transferred out, or its transfer lock removed
-- severity: high
-- kind: event
-- description: >
--   Moving a registered domain to another AWS account or registrar (TransferDomainToAnotherAwsAccount, TransferDomain out after DisableDomainTransferLock) hands its DNS, its mail and its certificates to the new owner: a takeover that outlives every credential rotation.
-- mitre: {tactics: [TA0042, TA0040], techniques: [T1584.001]}
-- references: [https://docs.aws.amazon.com/Route53/latest/APIReference/API_domains_TransferDomainToAnotherAwsAccount.html]
-- false_positives: [Consolidating domains into one account on purpose]
-- remediation: >
--   Cancel the transfer while it is pending (CancelDomainTransferToAnotherAwsAccount), re-enable the lock, and restrict route53domains:* to the DNS owners.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'domainName'), '?')
    || coalesce(' to account ' || json_get_str(request_parameters, 'accountId'), '')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'route53domains.amazonaws.com'
  AND event_name IN ('TransferDomainToAnotherAwsAccount', 'DisableDomainTransferLock', 'RetrieveDomainAuthCode')
