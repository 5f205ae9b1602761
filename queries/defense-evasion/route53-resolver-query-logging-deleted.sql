-- id: route53-resolver-query-logging-deleted
-- title: Route 53 Resolver query logging deleted or detached
-- severity: medium
-- kind: event
-- description: >
--   Resolver query logs record every DNS name a VPC's resources look up: the trail of command-and-control and of exfiltration over DNS. Deleting a query logging configuration, or detaching it from a VPC, ends that record.
-- mitre: {tactics: [TA0005], techniques: [T1562.008]}
-- references: [https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_DeleteResolverQueryLogConfig.html]
-- false_positives: [Tearing down a VPC, or moving its query logs to another destination]
-- remediation: >
--   Re-associate a query logging configuration with the VPC and find why the principal could delete it.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  CASE WHEN event_name = 'DeleteResolverQueryLogConfig' THEN 'query logging configuration deleted: '
       ELSE 'query logging detached from ' || coalesce(json_get_str(request_parameters, 'resourceId'), 'a VPC') || ': ' END
    || coalesce(json_get_str(request_parameters, 'resolverQueryLogConfigId'), '?')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source = 'route53resolver.amazonaws.com'
  AND event_name IN ('DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig')
