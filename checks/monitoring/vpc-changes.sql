-- id: monitoring-vpc-changes
-- title: VPC changes raise an alarm
-- severity: medium
-- description: >
--   A new VPC, a peering connection or a changed VPC attribute changes the network. The CIS audit (v7.0 5.14, the same for 5.1 to 5.15): a logging multi-region trail
--   recording all management events delivers to a CloudWatch Logs group; a metric filter on
--   that group has the benchmark's pattern; an alarm watches the filter's metric and
--   notifies an SNS topic with at least one confirmed subscription. The pattern is compared
--   for meaning (filter_pattern_covers: spacing, quotes, order and grouping free, a broader
--   filter counts). Organization-aware: a member account is covered by the
--   organization trail and by the filter and alarm in the account that owns the trail's log
--   group, which the reason names (peers ask each account for its own alarms and fail every
--   member). One row per collected account.
-- remediation: On the trail's log group, aws logs put-metric-filter with the benchmark's pattern, aws cloudwatch put-metric-alarm on its metric with an SNS topic as alarm action, and a confirmed subscription to that topic.
-- frameworks: { cis-aws-5.0: ["4.14"], cis-aws-6.0: ["5.14"], cis-aws-7.0: ["5.14"] }
-- tables: [cloudtrail_trails, logs_metric_filters, cloudwatch_alarms, sns_subscriptions, org_accounts, collection_parts]
-- requires: [DescribeTrails, GetTrailStatus, GetEventSelectors, DescribeMetricFilters, DescribeAlarms, ListSubscriptions]
-- decided_across_accounts: true
WITH found AS (
  SELECT account_id,
         first_value('alarm ' || alarm_name || ' in account ' || alarm_account_id || ' ' || region
                     || ' (filter ' || filter_name || ' on ' || log_group_name || ', notifying '
                     || topic_arn || ')'
                     ORDER BY CASE WHEN alarm_account_id = account_id THEN 0 ELSE 1 END, alarm_name) AS how
  FROM log_metric_alarms
  WHERE filter_pattern_covers(filter_pattern, '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }')
  GROUP BY account_id
)
SELECT
  'account/' || a.account_id || '/monitoring/vpc-changes' AS resource_id,
  a.account_id,
  CAST(NULL AS VARCHAR) AS region,
  CASE WHEN f.how IS NOT NULL THEN 'PASS' ELSE 'FAIL' END AS status,
  coalesce(f.how, 'no alarm with a confirmed subscriber on a metric filter of this pattern, on the log group of a trail that covers the account') AS reason
FROM (SELECT DISTINCT account_id FROM collection_parts WHERE service = 'cloudtrail') a
LEFT JOIN found f ON f.account_id = a.account_id
