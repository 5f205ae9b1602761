//! KMS, per region: every key with its manager, state, spec, origin, rotation status and key
//! policy, and the aliases. Key policies feed the policy engine (`policy explain` on a
//! `kms:` action) and resource exposure.

use aws_sdk_kms as kms;
use futures::future::BoxFuture;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::{client, error_code, opt_utc};
use crate::store::{col, ColumnType::*, TableDef};

pub static KMS_KEYS: TableDef = TableDef {
    name: "kms_keys",
    key: &["account_id", "region", "key_id"],
    doc: "KMS keys of each region (ListKeys, DescribeKey, GetKeyRotationStatus, GetKeyPolicy).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("key_id", Text, "Key id"),
        col("arn", Text, "Key ARN"),
        col("description", Text, "Description"),
        col(
            "key_manager",
            Text,
            "CUSTOMER (created by the account) or AWS (an AWS managed key)",
        ),
        col(
            "key_state",
            Text,
            "Enabled, Disabled, PendingDeletion, PendingImport, ...",
        ),
        col(
            "key_spec",
            Text,
            "SYMMETRIC_DEFAULT, RSA_2048, HMAC_256, ...",
        ),
        col(
            "key_usage",
            Text,
            "ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, ...",
        ),
        col(
            "origin",
            Text,
            "AWS_KMS, EXTERNAL (imported material), AWS_CLOUDHSM or EXTERNAL_KEY_STORE",
        ),
        col("multi_region", Bool, "True for a multi-Region key"),
        col("creation_date", Timestamp, "When the key was created"),
        col(
            "deletion_date",
            Timestamp,
            "When a key pending deletion will be deleted",
        ),
        col(
            "rotation_enabled",
            Bool,
            "Automatic rotation of the key material (null: not asked, for keys that cannot rotate)",
        ),
        col(
            "rotation_period_days",
            Int,
            "Days between automatic rotations",
        ),
        col("policy", Json, "The key policy (the one named default)"),
    ],
};

pub static KMS_ALIASES: TableDef = TableDef {
    name: "kms_aliases",
    key: &[],
    doc: "KMS aliases of each region (ListAliases), AWS managed ones (alias/aws/...) included.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("alias_name", Text, "alias/..."),
        col("alias_arn", Text, "Alias ARN"),
        col(
            "target_key_id",
            Text,
            "The key it names (null for an unused AWS alias)",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&KMS_KEYS, &KMS_ALIASES];

pub struct KmsCollector;

impl Collector for KmsCollector {
    fn service(&self) -> &'static str {
        "kms"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_kms(target, sink))
    }
}

async fn collect_kms(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, kms);
    collect_aliases(&client, target, sink).await;
    let mut ids = Vec::new();
    let mut pages = client.list_keys().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(out) => ids.extend(
                out.keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(str::to_owned)),
            ),
            Err(e) => return sink.error("ListKeys", None, &e),
        }
    }
    let details = fan_out(ids, target.fan_out, |id| {
        let client = client.clone();
        async move {
            let described = client.describe_key().key_id(&id).send().await;
            let policy = client
                .get_key_policy()
                .key_id(&id)
                .policy_name("default")
                .send()
                .await;
            (id, described, policy)
        }
    })
    .await;
    for (id, described, policy) in details {
        let meta = match described {
            Ok(out) => match out.key_metadata {
                Some(m) => m,
                None => continue,
            },
            Err(e) => {
                sink.error("DescribeKey", Some(&id), &e);
                continue;
            }
        };
        let policy = match policy {
            Ok(out) => out.policy,
            Err(e) => {
                sink.error("GetKeyPolicy", Some(&id), &e);
                None
            }
        };
        let rotation = if can_rotate(&meta) {
            match client.get_key_rotation_status().key_id(&id).send().await {
                Ok(out) => Some((out.key_rotation_enabled, out.rotation_period_in_days)),
                // A key that is pending deletion or import answers with a state error:
                // there is no rotation to report, and nothing is missing.
                Err(e) if error_code(&e) == Some("KMSInvalidStateException") => None,
                Err(e) => {
                    sink.error("GetKeyRotationStatus", Some(&id), &e);
                    None
                }
            }
        } else {
            None
        };
        let text = |v: Option<&str>| v.map(str::to_owned);
        sink.table(&KMS_KEYS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("key_id", &id)
            .set("arn", meta.arn.clone())
            .set("description", meta.description.clone())
            .set(
                "key_manager",
                text(meta.key_manager.as_ref().map(|m| m.as_str())),
            )
            .set(
                "key_state",
                text(meta.key_state.as_ref().map(|s| s.as_str())),
            )
            .set("key_spec", text(meta.key_spec.as_ref().map(|s| s.as_str())))
            .set(
                "key_usage",
                text(meta.key_usage.as_ref().map(|u| u.as_str())),
            )
            .set("origin", text(meta.origin.as_ref().map(|o| o.as_str())))
            .set("multi_region", meta.multi_region)
            .set("creation_date", opt_utc(meta.creation_date.as_ref()))
            .set("deletion_date", opt_utc(meta.deletion_date.as_ref()))
            .set("rotation_enabled", rotation.map(|(enabled, _)| enabled))
            .set(
                "rotation_period_days",
                rotation.and_then(|(_, days)| days).map(i64::from),
            )
            .set("policy", policy.map(|p| crate::aws::decode_policy(&p)));
    }
}

/// Whether AWS can rotate the key's material automatically: symmetric encryption keys whose
/// material KMS generated ("automatic key rotation is supported only on symmetric encryption
/// KMS keys with key material that AWS KMS generates", AWS KMS Developer Guide, Rotate
/// keys). Asking of any other key is an UnsupportedOperationException, not a finding.
fn can_rotate(meta: &kms::types::KeyMetadata) -> bool {
    meta.key_spec == Some(kms::types::KeySpec::SymmetricDefault)
        && meta.origin == Some(kms::types::OriginType::AwsKms)
}

async fn collect_aliases(client: &kms::Client, target: &Target, sink: &mut Sink) {
    let mut pages = client.list_aliases().into_paginator().send();
    while let Some(page) = pages.next().await {
        let out = match page {
            Ok(out) => out,
            Err(e) => return sink.error("ListAliases", None, &e),
        };
        for a in out.aliases() {
            sink.table(&KMS_ALIASES)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("alias_name", a.alias_name.clone())
                .set("alias_arn", a.alias_arn.clone())
                .set("target_key_id", a.target_key_id.clone());
        }
    }
}
