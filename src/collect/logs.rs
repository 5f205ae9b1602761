//! CloudWatch Logs, per region: the metric filters (DescribeMetricFilters) that turn trail
//! events into the metrics CIS section 5 alarms on. Sent as signed awsJson calls
//! (aws::signed::json_rpc): the SDK crate is 46 s of a cold build for this one call.

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{json_pages, json_rpc, json_text};
use crate::store::{col, ColumnType::*, TableDef};

pub static LOGS_METRIC_FILTERS: TableDef = TableDef {
    name: "logs_metric_filters",
    key: &[],
    doc: "CloudWatch Logs metric filters of each region (DescribeMetricFilters), one row per metric a filter feeds.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("log_group_name", Text, "The log group it reads"),
        col("filter_name", Text, "Filter name"),
        col("filter_pattern", Text, "The pattern, as written"),
        col("metric_name", Text, "The metric it counts into"),
        col("metric_namespace", Text, "The metric's namespace"),
    ],
};

static TABLES: &[&TableDef] = &[&LOGS_METRIC_FILTERS];

pub struct LogsCollector;

impl Collector for LogsCollector {
    fn service(&self) -> &'static str {
        "logs"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_metric_filters(target, sink))
    }
}

async fn collect_metric_filters(target: &Target, sink: &mut Sink) {
    let filters = json_pages(
        "DescribeMetricFilters",
        "metricFilters",
        "nextToken",
        |token| {
            let mut body = json!({"limit": 50});
            if let Some(t) = token {
                body["nextToken"] = json!(t);
            }
            async move {
                json_rpc(
                    &target.sdk,
                    &target.calls,
                    "logs",
                    &target.region,
                    "Logs_20140328.DescribeMetricFilters",
                    &body,
                )
                .await
            }
        },
    )
    .await;
    let filters = match filters {
        Ok(filters) => filters,
        Err(info) => return sink.record_error("DescribeMetricFilters", None, None, info),
    };
    for f in &filters {
        let text = |k: &str| json_text(f, k);
        let transformations = f
            .get("metricTransformations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for t in &transformations {
            let metric = |k: &str| json_text(t, k);
            sink.table(&LOGS_METRIC_FILTERS)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("log_group_name", text("logGroupName"))
                .set("filter_name", text("filterName"))
                .set("filter_pattern", text("filterPattern"))
                .set("metric_name", metric("metricName"))
                .set("metric_namespace", metric("metricNamespace"));
        }
    }
}
