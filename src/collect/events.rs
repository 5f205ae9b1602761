//! EventBridge, per region: event buses and their resource policies (ListEventBuses), sent
//! as signed awsJson calls.

use futures::future::BoxFuture;
use serde_json::json;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{json_pages, json_rpc, json_text};
use crate::store::{col, ColumnType::*, TableDef};

pub static EVENTS_BUSES: TableDef = TableDef {
    name: "events_buses",
    key: &["arn"],
    doc: "EventBridge event buses of each region with their resource policy (ListEventBuses).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col(
            "name",
            Text,
            "Bus name (default for the account's default bus)",
        ),
        col("arn", Text, "Bus ARN"),
        col(
            "policy",
            Json,
            "Who else may put events on it (null: no policy)",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&EVENTS_BUSES];

pub struct EventsCollector;

impl Collector for EventsCollector {
    fn service(&self) -> &'static str {
        "events"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_buses(target, sink))
    }
}

async fn collect_buses(target: &Target, sink: &mut Sink) {
    let buses = json_pages("ListEventBuses", "EventBuses", "NextToken", |token| {
        let mut body = json!({"Limit": 100});
        if let Some(t) = token {
            body["NextToken"] = json!(t);
        }
        async move {
            json_rpc(
                &target.sdk,
                &target.calls,
                "events",
                &target.region,
                "AWSEvents.ListEventBuses",
                &body,
            )
            .await
        }
    })
    .await;
    let buses = match buses {
        Ok(buses) => buses,
        Err(info) => return sink.record_error("ListEventBuses", None, None, info),
    };
    for b in &buses {
        let text = |k: &str| json_text(b, k);
        sink.table(&EVENTS_BUSES)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("name", text("Name"))
            .set("arn", text("Arn"))
            .set("policy", text("Policy"));
    }
}
