//! SNS, per region: topics with their access policy and subscription counts, and every
//! subscription (CIS section 5 needs a confirmed subscriber on each alarm's topic).

use aws_sdk_sns as sns;
use futures::future::BoxFuture;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::client;
use crate::store::{col, ColumnType::*, TableDef};

pub static SNS_TOPICS: TableDef = TableDef {
    name: "sns_topics",
    key: &["topic_arn"],
    doc: "SNS topics of each region (ListTopics, GetTopicAttributes).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("topic_arn", Text, "Topic ARN"),
        col("policy", Json, "The topic's access policy"),
        col(
            "kms_master_key_id",
            Text,
            "KMS key encrypting messages at rest (null: none)",
        ),
        col("subscriptions_confirmed", Int, "Confirmed subscriptions"),
        col(
            "subscriptions_pending",
            Int,
            "Subscriptions awaiting confirmation",
        ),
    ],
};

pub static SNS_SUBSCRIPTIONS: TableDef = TableDef {
    name: "sns_subscriptions",
    key: &[],
    doc: "SNS subscriptions of each region (ListSubscriptions); an unconfirmed one has the subscription_arn PendingConfirmation.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("topic_arn", Text, "The topic"),
        col("subscription_arn", Text, "Subscription ARN, or PendingConfirmation"),
        col("protocol", Text, "email, sms, https, sqs, lambda, ..."),
        col("endpoint", Text, "Where messages go"),
        col("owner", Text, "Account that owns the subscription"),
    ],
};

static TABLES: &[&TableDef] = &[&SNS_TOPICS, &SNS_SUBSCRIPTIONS];

pub struct SnsCollector;

impl Collector for SnsCollector {
    fn service(&self) -> &'static str {
        "sns"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_sns(target, sink))
    }
}

async fn collect_sns(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, sns);
    collect_subscriptions(&client, target, sink).await;
    let mut arns = Vec::new();
    let mut pages = client.list_topics().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(out) => arns.extend(out.topics().iter().filter_map(|t| t.topic_arn.clone())),
            Err(e) => return sink.error("ListTopics", None, &e),
        }
    }
    let details = fan_out(arns, target.fan_out, |arn| {
        let client = client.clone();
        async move {
            let attributes = client.get_topic_attributes().topic_arn(&arn).send().await;
            (arn, attributes)
        }
    })
    .await;
    for (arn, attributes) in details {
        let attributes = match attributes {
            Ok(out) => out.attributes.unwrap_or_default(),
            Err(e) => {
                sink.error("GetTopicAttributes", Some(&arn), &e);
                continue;
            }
        };
        let count = |k: &str| attributes.get(k).and_then(|v| v.parse::<i64>().ok());
        sink.table(&SNS_TOPICS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("topic_arn", &arn)
            .set("policy", attributes.get("Policy").cloned())
            .set(
                "kms_master_key_id",
                attributes
                    .get("KmsMasterKeyId")
                    .filter(|k| !k.is_empty())
                    .cloned(),
            )
            .set("subscriptions_confirmed", count("SubscriptionsConfirmed"))
            .set("subscriptions_pending", count("SubscriptionsPending"));
    }
}

async fn collect_subscriptions(client: &sns::Client, target: &Target, sink: &mut Sink) {
    let mut pages = client.list_subscriptions().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = match page {
            Ok(out) => out,
            Err(e) => return sink.error("ListSubscriptions", None, &e),
        };
        for s in out.subscriptions() {
            sink.table(&SNS_SUBSCRIPTIONS)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("topic_arn", s.topic_arn.clone())
                .set("subscription_arn", s.subscription_arn.clone())
                .set("protocol", s.protocol.clone())
                .set("endpoint", s.endpoint.clone())
                .set("owner", s.owner.clone());
        }
    }
}
