//! CloudWatch, per region: metric alarms (DescribeAlarms) with the metric they watch and
//! where they send their notifications. Sent as signed Query API calls (aws::signed::query).

use futures::future::BoxFuture;
use serde::Deserialize;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{query, unparseable};
use crate::aws::ErrorInfo;
use crate::store::{col, ColumnType::*, TableDef};

pub static CLOUDWATCH_ALARMS: TableDef = TableDef {
    name: "cloudwatch_alarms",
    key: &[],
    doc: "CloudWatch metric alarms of each region (DescribeAlarms).",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("alarm_name", Text, "Alarm name"),
        col("alarm_arn", Text, "Alarm ARN"),
        col("metric_name", Text, "The metric it watches"),
        col("namespace", Text, "The metric's namespace"),
        col("statistic", Text, "Sum, Average, ..."),
        col(
            "comparison_operator",
            Text,
            "GreaterThanOrEqualToThreshold, ...",
        ),
        col("threshold", Text, "Threshold, as the API writes it"),
        col("actions_enabled", Bool, "Whether its actions run"),
        col(
            "alarm_actions",
            TextList,
            "What it notifies in ALARM state (SNS topic ARNs, ...)",
        ),
        col("state_value", Text, "OK, ALARM or INSUFFICIENT_DATA"),
    ],
};

static TABLES: &[&TableDef] = &[&CLOUDWATCH_ALARMS];

pub struct CloudWatchCollector;

impl Collector for CloudWatchCollector {
    fn service(&self) -> &'static str {
        "cloudwatch"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_alarms(target, sink))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricAlarm {
    #[serde(default)]
    alarm_name: Option<String>,
    #[serde(default)]
    alarm_arn: Option<String>,
    #[serde(default)]
    metric_name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    statistic: Option<String>,
    #[serde(default)]
    comparison_operator: Option<String>,
    #[serde(default)]
    threshold: Option<String>,
    #[serde(default)]
    actions_enabled: Option<String>,
    #[serde(default)]
    alarm_actions: Members,
    #[serde(default)]
    state_value: Option<String>,
}

/// The Query protocol's `<x><member>..</member></x>` lists.
#[derive(Debug, Default, Deserialize)]
struct Members {
    #[serde(default, rename = "member")]
    items: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Alarms {
    #[serde(default, rename = "member")]
    items: Vec<MetricAlarm>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeAlarmsResult {
    #[serde(default)]
    metric_alarms: Alarms,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct DescribeAlarmsResponse {
    #[serde(rename = "DescribeAlarmsResult")]
    result: DescribeAlarmsResult,
}

fn parse_alarms(body: &str) -> Result<DescribeAlarmsResult, ErrorInfo> {
    // Only the action's own response counts: an unrelated body would read as "no alarms".
    if !body.contains("<DescribeAlarmsResponse") {
        return Err(unparseable(
            "DescribeAlarms",
            "not a DescribeAlarmsResponse",
        ));
    }
    quick_xml::de::from_str::<DescribeAlarmsResponse>(body)
        .map(|r| r.result)
        .map_err(|e| unparseable("DescribeAlarms", e))
}

async fn collect_alarms(target: &Target, sink: &mut Sink) {
    let mut token: Option<String> = None;
    loop {
        let mut params = vec![
            ("AlarmTypes.member.1", "MetricAlarm".to_owned()),
            ("MaxRecords", "100".to_owned()),
        ];
        if let Some(t) = &token {
            params.push(("NextToken", t.clone()));
        }
        let page = query(
            &target.sdk,
            &target.calls,
            "monitoring",
            &target.region,
            "2010-08-01",
            "DescribeAlarms",
            &params,
        )
        .await
        .and_then(|body| parse_alarms(&body));
        let page = match page {
            Ok(page) => page,
            Err(info) => return sink.record_error("DescribeAlarms", None, None, info),
        };
        for a in page.metric_alarms.items {
            let flag = |v: &Option<String>| v.as_deref().map(|v| v.eq_ignore_ascii_case("true"));
            sink.table(&CLOUDWATCH_ALARMS)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("alarm_name", a.alarm_name.clone())
                .set("alarm_arn", a.alarm_arn.clone())
                .set("metric_name", a.metric_name.clone())
                .set("namespace", a.namespace.clone())
                .set("statistic", a.statistic.clone())
                .set("comparison_operator", a.comparison_operator.clone())
                .set("threshold", a.threshold.clone())
                .set("actions_enabled", flag(&a.actions_enabled))
                .set("alarm_actions", a.alarm_actions.items)
                .set("state_value", a.state_value.clone());
        }
        token = page.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the CloudWatch API reference's DescribeAlarms answer.
    #[test]
    fn alarms_read_metric_actions_and_the_token() {
        let body = r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <MetricAlarms>
      <member>
        <AlarmName>root-usage</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:root-usage</AlarmArn>
        <MetricName>RootAccountUsage</MetricName><Namespace>CISBenchmark</Namespace>
        <Statistic>Sum</Statistic><ComparisonOperator>GreaterThanOrEqualToThreshold</ComparisonOperator>
        <Threshold>1.0</Threshold><ActionsEnabled>true</ActionsEnabled>
        <AlarmActions><member>arn:aws:sns:us-east-1:123456789012:alarms</member></AlarmActions>
        <StateValue>OK</StateValue>
      </member>
    </MetricAlarms>
    <NextToken>t2</NextToken>
  </DescribeAlarmsResult>
</DescribeAlarmsResponse>"#;
        let page = parse_alarms(body).unwrap();
        assert_eq!(page.next_token.as_deref(), Some("t2"));
        let a = &page.metric_alarms.items[0];
        assert_eq!(a.metric_name.as_deref(), Some("RootAccountUsage"));
        assert_eq!(
            a.alarm_actions.items,
            ["arn:aws:sns:us-east-1:123456789012:alarms"]
        );
        assert!(parse_alarms("<Error/>").is_err());
    }
}
