//! Security Hub, per region: whether the account is subscribed (DescribeHub), sent as a
//! signed REST call (aws::signed): the SDK crate is 90 s of a cold build for this one call.

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::rest_json_get;
use crate::store::{col, ColumnType::*, TableDef};

pub static SECURITYHUB_HUBS: TableDef = TableDef {
    name: "securityhub_hubs",
    key: &["account_id", "region"],
    doc: "Security Hub of each region where the account is subscribed (DescribeHub); a region without a row is not subscribed.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("hub_arn", Text, "Hub ARN"),
        col("subscribed_at", Text, "When Security Hub was enabled (ISO 8601)"),
        col("auto_enable_controls", Bool, "New controls of enabled standards are enabled automatically"),
        col("control_finding_generator", Text, "SECURITY_CONTROL (consolidated) or STANDARD_CONTROL"),
    ],
};

static TABLES: &[&TableDef] = &[&SECURITYHUB_HUBS];

pub struct SecurityHubCollector;

impl Collector for SecurityHubCollector {
    fn service(&self) -> &'static str {
        "securityhub"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_hub(target, sink))
    }
}

async fn collect_hub(target: &Target, sink: &mut Sink) {
    let hub = rest_json_get(
        &target.sdk,
        &target.calls,
        "securityhub",
        "securityhub",
        &target.region,
        "/accounts",
    )
    .await;
    let hub = match hub {
        Ok(hub) => hub,
        // "Account ... is not subscribed to AWS Security Hub": the answer, not a failure.
        Err(e) if e.code == "InvalidAccessException" => return,
        Err(info) => return sink.record_error("DescribeHub", None, None, info),
    };
    let text = |k: &str| hub.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    sink.table(&SECURITYHUB_HUBS)
        .row()
        .set("account_id", &target.account_id)
        .set("region", &target.region)
        .set("hub_arn", text("HubArn"))
        .set("subscribed_at", text("SubscribedAt"))
        .set(
            "auto_enable_controls",
            hub.get("AutoEnableControls").and_then(|v| v.as_bool()),
        )
        .set("control_finding_generator", text("ControlFindingGenerator"));
}
