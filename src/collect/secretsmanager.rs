//! Secrets Manager, per region: secrets (never their values) with rotation, encryption and
//! resource policy (ListSecrets, GetResourcePolicy), sent as signed awsJson calls.

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::signed::{json_pages, json_rpc, json_text};
use crate::store::{col, ColumnType::*, TableDef};

pub static SECRETSMANAGER_SECRETS: TableDef = TableDef {
    name: "secretsmanager_secrets",
    key: &["arn"],
    doc: "Secrets Manager secrets of each region (ListSecrets, GetResourcePolicy); values are never read.",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("name", Text, "Secret name"),
        col("arn", Text, "Secret ARN"),
        col("kms_key_id", Text, "KMS key encrypting it (null: the AWS managed key)"),
        col("rotation_enabled", Bool, "Rotated automatically"),
        col("policy", Json, "Its resource policy (null: none)"),
    ],
};

static TABLES: &[&TableDef] = &[&SECRETSMANAGER_SECRETS];

pub struct SecretsManagerCollector;

impl Collector for SecretsManagerCollector {
    fn service(&self) -> &'static str {
        "secretsmanager"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_secrets(target, sink))
    }
}

async fn collect_secrets(target: &Target, sink: &mut Sink) {
    let call = |action: &'static str, body: Value| async move {
        json_rpc(
            &target.sdk,
            &target.calls,
            "secretsmanager",
            &target.region,
            action,
            &body,
        )
        .await
    };
    let secrets = json_pages("ListSecrets", "SecretList", "NextToken", |token| {
        let mut body = json!({"MaxResults": 100});
        if let Some(t) = token {
            body["NextToken"] = json!(t);
        }
        call("secretsmanager.ListSecrets", body)
    })
    .await;
    let secrets = match secrets {
        Ok(secrets) => secrets,
        Err(info) => return sink.record_error("ListSecrets", None, None, info),
    };
    let details = fan_out(secrets, target.fan_out, |s| async move {
        let arn = s
            .get("ARN")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let policy = call("secretsmanager.GetResourcePolicy", json!({"SecretId": arn})).await;
        (s, arn, policy)
    })
    .await;
    for (s, arn, policy) in details {
        let policy = match policy {
            Ok(p) => p
                .get("ResourcePolicy")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Err(info) => {
                sink.record_error("GetResourcePolicy", Some(&arn), None, info);
                None
            }
        };
        let text = |k: &str| json_text(&s, k);
        sink.table(&SECRETSMANAGER_SECRETS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("name", text("Name"))
            .set("arn", &arn)
            .set("kms_key_id", text("KmsKeyId"))
            .set(
                "rotation_enabled",
                s.get("RotationEnabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
            .set("policy", policy);
    }
}
