//! SQS, per region: queues with their access policy and encryption.

use aws_sdk_sqs as sqs;
use futures::future::BoxFuture;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::client;
use crate::store::{col, ColumnType::*, TableDef};

pub static SQS_QUEUES: TableDef = TableDef {
    name: "sqs_queues",
    key: &["queue_url"],
    doc: "SQS queues of each region (ListQueues, GetQueueAttributes).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("queue_url", Text, "Queue URL"),
        col("queue_arn", Text, "Queue ARN"),
        col("policy", Json, "The queue's access policy"),
        col("kms_master_key_id", Text, "KMS key of SSE-KMS (null: none)"),
        col(
            "sqs_managed_sse",
            Bool,
            "True with SQS-managed encryption (SSE-SQS)",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&SQS_QUEUES];

pub struct SqsCollector;

impl Collector for SqsCollector {
    fn service(&self) -> &'static str {
        "sqs"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_sqs(target, sink))
    }
}

async fn collect_sqs(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, sqs);
    let mut urls = Vec::new();
    let mut pages = client
        .list_queues()
        .max_results(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(out) => urls.extend(out.queue_urls().iter().cloned()),
            Err(e) => return sink.error("ListQueues", None, &e),
        }
    }
    let details = fan_out(urls, target.fan_out, |url| {
        let client = client.clone();
        async move {
            let attributes = client
                .get_queue_attributes()
                .queue_url(&url)
                .attribute_names(sqs::types::QueueAttributeName::All)
                .send()
                .await;
            (url, attributes)
        }
    })
    .await;
    for (url, attributes) in details {
        let attributes = match attributes {
            Ok(out) => out.attributes.unwrap_or_default(),
            Err(e) => {
                sink.error("GetQueueAttributes", Some(&url), &e);
                continue;
            }
        };
        let get = |name: sqs::types::QueueAttributeName| attributes.get(&name).cloned();
        use sqs::types::QueueAttributeName as A;
        sink.table(&SQS_QUEUES)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("queue_url", &url)
            .set("queue_arn", get(A::QueueArn))
            .set("policy", get(A::Policy))
            .set(
                "kms_master_key_id",
                get(A::KmsMasterKeyId).filter(|k| !k.is_empty()),
            )
            .set(
                "sqs_managed_sse",
                get(A::SqsManagedSseEnabled).map(|v| v.eq_ignore_ascii_case("true")),
            );
    }
}
