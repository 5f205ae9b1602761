-- id: waf-protection-removed
-- title: A WAF web ACL deleted or detached from what it protects
-- severity: medium
-- kind: event
-- description: >
--   Deleting a web ACL or rule group, or detaching a web ACL from a load balancer, API or distribution, takes away the filtering in front of a web application before an attack on it.
-- mitre: {tactics: [TA0005], techniques: [T1562.007]}
-- references: [https://docs.aws.amazon.com/waf/latest/APIReference/API_DisassociateWebACL.html]
-- false_positives: [Replacing a web ACL with a new one, tearing down an application]
-- remediation: >
--   Re-associate the web ACL (AssociateWebACL, or the distribution's WebACLId) and find why the principal could remove it.
SELECT
  event_time, account_id, aws_region AS region, principal, source_ip_address,
  make_array(event_id) AS event_ids,
  event_name || ' ' || coalesce(json_get_str(request_parameters, 'name'), json_get_str(request_parameters, 'resourceArn'), '?')
    || CASE WHEN error_code IS NULL THEN '' ELSE ' (failed: ' || error_code || ')' END AS reason
FROM hunt_events
WHERE event_source IN ('wafv2.amazonaws.com', 'waf.amazonaws.com', 'waf-regional.amazonaws.com')
  AND event_name IN ('DeleteWebACL', 'DisassociateWebACL', 'DeleteRuleGroup', 'DeleteFirewallManagerRuleGroups')
