//! IAM Access Analyzer, per region: the analyzers, their type (account or organization
//! zone of trust, external or unused access) and status.

use aws_sdk_accessanalyzer as aa;
use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::{client, opt_utc};
use crate::store::{col, ColumnType::*, TableDef};

pub static ACCESSANALYZER_ANALYZERS: TableDef = TableDef {
    name: "accessanalyzer_analyzers",
    key: &["arn"],
    doc: "IAM Access Analyzer analyzers of each region (ListAnalyzers).",
    columns: &[
        col("account_id", Text, "Account the analyzer is in"),
        col("region", Text, "Region"),
        col("name", Text, "Analyzer name"),
        col("arn", Text, "Analyzer ARN"),
        col(
            "analyzer_type",
            Text,
            "ACCOUNT or ORGANIZATION (external access), ACCOUNT_UNUSED_ACCESS or ORGANIZATION_UNUSED_ACCESS",
        ),
        col("status", Text, "ACTIVE, CREATING, DISABLED or FAILED"),
        col("created_at", Timestamp, "When it was created"),
    ],
};

static TABLES: &[&TableDef] = &[&ACCESSANALYZER_ANALYZERS];

pub struct AccessAnalyzerCollector;

impl Collector for AccessAnalyzerCollector {
    fn service(&self) -> &'static str {
        "accessanalyzer"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_analyzers(target, sink))
    }
}

async fn collect_analyzers(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, aa);
    let mut pages = client.list_analyzers().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = match page {
            Ok(out) => out,
            Err(e) => return sink.error("ListAnalyzers", None, &e),
        };
        for a in out.analyzers() {
            sink.table(&ACCESSANALYZER_ANALYZERS)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("name", a.name())
                .set("arn", a.arn())
                .set("analyzer_type", a.r#type().as_str())
                .set("status", a.status().as_str())
                .set("created_at", opt_utc(Some(a.created_at())));
        }
    }
}
