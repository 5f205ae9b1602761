-- id: imdsv1-re-enabled
-- title: Instance metadata version 1 allowed again on an instance or as the account default
-- severity: medium
-- kind: event
-- description: >
--   IMDSv1 answers any GET from the instance, which is what server-side request forgery turns into stolen role credentials (the Capital One breach); setting HttpTokens to optional on an instance, or as the region's default, undoes the protection IMDSv2 gives.
-- mitre: {tactics: [TA0006, TA0005], techniques: [T1552.005, T1562.001]}
-- references: [https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataDefaults.html]
-- false_positives: [Legacy software on an instance that cannot use IMDSv2]
-- remediation: >
--   Set HttpTokens back to required; an SCP on ec2:MetadataHttpTokens (and on ec2:ModifyInstanceMetadataOptions) keeps it there.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'ModifyInstanceMetadataDefaults' THEN 'IMDSv1 allowed by default in ' || aws_region
       ELSE 'IMDSv1 allowed on ' || coalesce(json_get_str(request_parameters, 'ModifyInstanceMetadataOptionsRequest', 'InstanceId'), '?') END
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'ec2.amazonaws.com'
  AND ((event_name = 'ModifyInstanceMetadataOptions'
        AND lower(json_get_str(request_parameters, 'ModifyInstanceMetadataOptionsRequest', 'HttpTokens')) = 'optional')
       OR (event_name = 'ModifyInstanceMetadataDefaults'
           AND lower(json_get_str(request_parameters, 'ModifyInstanceMetadataDefaultsRequest', 'HttpTokens')) = 'optional'))
