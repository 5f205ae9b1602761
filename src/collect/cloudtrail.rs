//! CloudTrail trail configuration, per region: every trail visible in the region (its own
//! and the shadows of multi-region and organization trails), with status and selectors.

use aws_sdk_cloudtrail as ct;
use futures::future::BoxFuture;
use serde_json::{json, Value as Json};

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::{client, error_code, opt_utc};
use crate::store::{col, ColumnType::*, TableDef};

pub static CLOUDTRAIL_TRAILS: TableDef = TableDef {
    name: "cloudtrail_trails",
    key: &[],
    doc: "CloudTrail trails seen in each region, with logging status and event selectors. Filter on NOT is_shadow for one row per trail.",
    columns: &[
        col("account_id", Text, "Account the trail was seen from"),
        col("region", Text, "Region the trail was seen in"),
        col("name", Text, "Trail name"),
        col("arn", Text, "Trail ARN"),
        col("home_region", Text, "Region the trail was created in"),
        col("is_shadow", Bool, "True when this row is a multi-region or organization trail seen outside its home region or account"),
        col("is_multi_region", Bool, "Logs every region"),
        col("is_organization_trail", Bool, "Logs every account of the organization"),
        col("log_file_validation_enabled", Bool, "Digest files are written"),
        col("kms_key_id", Text, "KMS key encrypting log files; null if SSE-S3"),
        col("s3_bucket_name", Text, "Bucket receiving log files"),
        col("s3_key_prefix", Text, "Key prefix"),
        col("sns_topic_arn", Text, "Notification topic"),
        col("cloudwatch_logs_log_group_arn", Text, "CloudWatch Logs group receiving events"),
        col("cloudwatch_logs_role_arn", Text, "Role used to deliver to CloudWatch Logs"),
        col("include_global_service_events", Bool, "Includes IAM, STS and other global events"),
        col("is_logging", Bool, "True if the trail is logging now"),
        col("latest_delivery_time", Timestamp, "Last successful delivery to S3"),
        col("latest_delivery_error", Text, "Last S3 delivery error"),
        col("latest_cloudwatch_logs_delivery_time", Timestamp, "Last delivery to CloudWatch Logs"),
        col("start_logging_time", Timestamp, "When logging last started"),
        col("stop_logging_time", Timestamp, "When logging last stopped"),
        col("event_selectors", Json, "Basic event selectors as JSON"),
        col("advanced_event_selectors", Json, "Advanced event selectors as JSON"),
        col("insight_selectors", Json, "Insight selectors as JSON; null when Insights is off"),
    ],
};

static TABLES: &[&TableDef] = &[&CLOUDTRAIL_TRAILS];

pub struct CloudTrailCollector;

impl Collector for CloudTrailCollector {
    fn service(&self) -> &'static str {
        "cloudtrail"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_trails(target, sink))
    }
}

fn event_selectors_json(selectors: &[ct::types::EventSelector]) -> Json {
    Json::Array(
        selectors
            .iter()
            .map(|s| {
                json!({
                    "read_write_type": s.read_write_type.as_ref().map(|t| t.as_str()),
                    "include_management_events": s.include_management_events,
                    "exclude_management_event_sources": s.exclude_management_event_sources(),
                    "data_resources": s.data_resources().iter().map(|d| json!({
                        "type": d.r#type,
                        "values": d.values(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn advanced_selectors_json(selectors: &[ct::types::AdvancedEventSelector]) -> Json {
    Json::Array(
        selectors
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "field_selectors": s.field_selectors().iter().map(|f| json!({
                        "field": f.field,
                        "equals": f.equals(),
                        "starts_with": f.starts_with(),
                        "ends_with": f.ends_with(),
                        "not_equals": f.not_equals(),
                        "not_starts_with": f.not_starts_with(),
                        "not_ends_with": f.not_ends_with(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

async fn collect_trails(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, ct);
    let trails = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(out) => out.trail_list.unwrap_or_default(),
        Err(e) => return sink.error("DescribeTrails", None, &e),
    };
    // Each trail's status and selectors are read in its home region, by ARN: shadow copies
    // of multi-region and organization trails answer there.
    let clients: std::collections::HashMap<String, ct::Client> = trails
        .iter()
        .filter_map(|t| t.home_region.clone())
        .filter(|r| *r != target.region)
        .map(|r| {
            let sdk = target
                .sdk
                .to_builder()
                .region(aws_config::Region::new(r.clone()))
                .build();
            (r, client!(&sdk, target.calls, ct))
        })
        .collect();
    let details = fan_out(trails, target.fan_out, |t| {
        let client = t
            .home_region
            .as_ref()
            .and_then(|r| clients.get(r))
            .unwrap_or(&client)
            .clone();
        async move {
            let id = t
                .trail_arn
                .clone()
                .or_else(|| t.name.clone())
                .unwrap_or_default();
            let status = client.get_trail_status().name(&id).send().await;
            let selectors = client.get_event_selectors().trail_name(&id).send().await;
            let insights = client.get_insight_selectors().trail_name(&id).send().await;
            (t, id, status, selectors, insights)
        }
    })
    .await;
    for (t, id, status, selectors, insights) in details {
        let status = match status {
            Ok(s) => Some(s),
            Err(e) => {
                sink.error("GetTrailStatus", Some(&id), &e);
                None
            }
        };
        let selectors = match selectors {
            Ok(s) => Some(s),
            Err(e) => {
                sink.error("GetEventSelectors", Some(&id), &e);
                None
            }
        };
        let insights = match insights {
            Ok(s) => s.insight_selectors.filter(|v| !v.is_empty()).map(|v| {
                Json::Array(v.iter().map(|i| json!({"insight_type": i.insight_type.as_ref().map(|t| t.as_str())})).collect())
            }),
            // Insights never enabled on this trail: nothing to record.
            Err(e) if error_code(&e) == Some("InsightNotEnabledException") => None,
            Err(e) => {
                sink.error("GetInsightSelectors", Some(&id), &e);
                None
            }
        };
        let home_region = t.home_region.clone();
        let trail_account = t
            .trail_arn
            .as_deref()
            .and_then(|a| a.split(':').nth(4))
            .map(str::to_owned);
        let is_shadow = home_region.as_deref() != Some(target.region.as_str())
            || trail_account
                .as_deref()
                .is_some_and(|a| a != target.account_id);
        sink.table(&CLOUDTRAIL_TRAILS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("name", t.name)
            .set("arn", t.trail_arn)
            .set("home_region", home_region)
            .set("is_shadow", is_shadow)
            .set("is_multi_region", t.is_multi_region_trail)
            .set("is_organization_trail", t.is_organization_trail)
            .set("log_file_validation_enabled", t.log_file_validation_enabled)
            .set("kms_key_id", t.kms_key_id)
            .set("s3_bucket_name", t.s3_bucket_name)
            .set("s3_key_prefix", t.s3_key_prefix)
            .set("sns_topic_arn", t.sns_topic_arn)
            .set(
                "cloudwatch_logs_log_group_arn",
                t.cloud_watch_logs_log_group_arn,
            )
            .set("cloudwatch_logs_role_arn", t.cloud_watch_logs_role_arn)
            .set(
                "include_global_service_events",
                t.include_global_service_events,
            )
            .set("is_logging", status.as_ref().and_then(|s| s.is_logging))
            .set(
                "latest_delivery_time",
                status
                    .as_ref()
                    .and_then(|s| opt_utc(s.latest_delivery_time.as_ref())),
            )
            .set(
                "latest_delivery_error",
                status
                    .as_ref()
                    .and_then(|s| s.latest_delivery_error.clone()),
            )
            .set(
                "latest_cloudwatch_logs_delivery_time",
                status
                    .as_ref()
                    .and_then(|s| opt_utc(s.latest_cloud_watch_logs_delivery_time.as_ref())),
            )
            .set(
                "start_logging_time",
                status
                    .as_ref()
                    .and_then(|s| opt_utc(s.start_logging_time.as_ref())),
            )
            .set(
                "stop_logging_time",
                status
                    .as_ref()
                    .and_then(|s| opt_utc(s.stop_logging_time.as_ref())),
            )
            .set(
                "event_selectors",
                selectors
                    .as_ref()
                    .and_then(|s| s.event_selectors.as_deref().map(event_selectors_json)),
            )
            .set(
                "advanced_event_selectors",
                selectors.as_ref().and_then(|s| {
                    s.advanced_event_selectors
                        .as_deref()
                        .map(advanced_selectors_json)
                }),
            )
            .set("insight_selectors", insights);
    }
}
