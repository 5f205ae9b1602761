//! S3: every bucket with its access, encryption, versioning, logging and retention settings,
//! and the account-level Block Public Access.
//!
//! The bucket list is account-wide; each bucket's settings are read from its own region.
//! A setting that is simply not configured (no policy, no encryption rule) is a null or
//! false column, not an error.

use std::collections::HashMap;

use aws_config::Region;
use aws_sdk_s3 as s3;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::future::BoxFuture;
use serde_json::json;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::{error_code, error_info, opt_utc, ErrorInfo};
use crate::store::{col, ColumnType::*, TableDef, Value};

pub static S3_BUCKETS: TableDef = TableDef {
    name: "s3_buckets",
    key: &[],
    doc: "S3 buckets with policy, public access, encryption, versioning, logging, object lock, ownership, ACL, replication and lifecycle.",
    columns: &[
        col("account_id", Text, "Account owning the bucket"),
        col("region", Text, "Bucket region"),
        col("bucket_name", Text, "Bucket name"),
        col("arn", Text, "Bucket ARN"),
        col("creation_date", Timestamp, "When the bucket was created"),
        col("policy", Json, "Bucket policy document; null when there is none"),
        col("policy_is_public", Bool, "AWS's own verdict (GetBucketPolicyStatus) that the policy is public"),
        col("public_access_block_configured", Bool, "True if the bucket has a Block Public Access configuration"),
        col("block_public_acls", Bool, "BlockPublicAcls (false when not configured)"),
        col("ignore_public_acls", Bool, "IgnorePublicAcls (false when not configured)"),
        col("block_public_policy", Bool, "BlockPublicPolicy (false when not configured)"),
        col("restrict_public_buckets", Bool, "RestrictPublicBuckets (false when not configured)"),
        col("encryption_algorithm", Text, "Default encryption: AES256, aws:kms, aws:kms:dsse; null if none"),
        col("kms_key_id", Text, "KMS key of default encryption"),
        col("bucket_key_enabled", Bool, "S3 Bucket Key enabled"),
        col("versioning_status", Text, "Enabled, Suspended, or null if never enabled"),
        col("mfa_delete", Text, "Enabled, Disabled, or null if never set"),
        col("logging_target_bucket", Text, "Server access logging target bucket; null if logging is off"),
        col("logging_target_prefix", Text, "Server access logging prefix"),
        col("object_lock_enabled", Bool, "Object Lock enabled"),
        col("object_lock_mode", Text, "Default retention mode: GOVERNANCE or COMPLIANCE"),
        col("object_lock_days", Int, "Default retention in days"),
        col("object_lock_years", Int, "Default retention in years"),
        col("object_ownership", Text, "BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter"),
        col("acl_owner_id", Text, "Canonical id of the ACL owner"),
        col("acl_grants", Json, "ACL grants as a JSON list of {grantee_type, id, uri, email, permission}"),
        col("acl_is_public", Bool, "True if the ACL grants anything to AllUsers or AuthenticatedUsers"),
        col("replication_enabled", Bool, "True if a replication configuration exists"),
        col("lifecycle_rule_count", Int, "Lifecycle rules (0 when none)"),
        col("tags", Json, "Tags as a JSON object"),
    ],
};

pub static S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: TableDef = TableDef {
    name: "s3_account_public_access_block",
    key: &["account_id"],
    doc: "The account-level S3 Block Public Access settings (one row per account).",
    columns: &[
        col("account_id", Text, "Account"),
        col(
            "configured",
            Bool,
            "False when the account has no configuration",
        ),
        col("block_public_acls", Bool, "BlockPublicAcls"),
        col("ignore_public_acls", Bool, "IgnorePublicAcls"),
        col("block_public_policy", Bool, "BlockPublicPolicy"),
        col("restrict_public_buckets", Bool, "RestrictPublicBuckets"),
    ],
};

static TABLES: &[&TableDef] = &[&S3_BUCKETS, &S3_ACCOUNT_PUBLIC_ACCESS_BLOCK];

pub struct S3Collector;

impl Collector for S3Collector {
    fn service(&self) -> &'static str {
        "s3"
    }
    fn scope(&self) -> Scope {
        Scope::Global
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_s3(target, sink))
    }
}

fn s3_client(target: &Target, region: &str) -> s3::Client {
    let conf = s3::config::Builder::from(&target.sdk)
        .region(Region::new(region.to_owned()))
        .force_path_style(target.s3_path_style)
        .interceptor(target.calls.clone())
        .build();
    s3::Client::from_conf(conf)
}

/// GetBucketLocation answers null for us-east-1 and "EU" for the oldest eu-west-1 buckets.
pub fn normalize_bucket_region(location: Option<&str>) -> String {
    match location {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(r) => r.to_owned(),
    }
}

/// A read that may legitimately find nothing configured: those codes become `Ok(None)`.
async fn optional<T, E>(
    absent: &[&str],
    call: impl std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
) -> Result<Option<T>, ErrorInfo>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match call.await {
        Ok(v) => Ok(Some(v)),
        Err(e) if error_code(&e).is_some_and(|c| absent.contains(&c)) => Ok(None),
        Err(e) => Err(error_info(&e)),
    }
}

/// Cells of one bucket's row plus the calls that failed while reading it.
#[derive(Default)]
struct BucketRead {
    cells: Vec<(&'static str, Value)>,
    errors: Vec<(&'static str, ErrorInfo)>,
}

impl BucketRead {
    fn set(&mut self, column: &'static str, value: impl Into<Value>) {
        self.cells.push((column, value.into()));
    }

    /// Keeps the value of a read, or notes why it failed.
    fn take<T>(
        &mut self,
        operation: &'static str,
        result: Result<Option<T>, ErrorInfo>,
    ) -> Option<T> {
        match result {
            Ok(v) => v,
            Err(info) => {
                self.errors.push((operation, info));
                None
            }
        }
    }
}

async fn collect_s3(target: &Target, sink: &mut Sink) {
    collect_account_public_access_block(target, sink).await;
    let home = s3_client(target, &target.region);
    let buckets = match home
        .list_buckets()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(b) => b,
        Err(e) => return sink.error("ListBuckets", None, &e),
    };
    let mut clients: HashMap<String, s3::Client> = HashMap::new();
    let listed: Vec<(String, Option<String>)> = buckets
        .iter()
        .map(|b| (b.name.clone().unwrap_or_default(), b.bucket_region.clone()))
        .collect();
    let regions = fan_out(listed, target.fan_out, |(name, listed_region)| {
        let home = home.clone();
        async move {
            if let Some(region) = listed_region {
                return Ok(region);
            }
            home.get_bucket_location()
                .bucket(&name)
                .send()
                .await
                .map(|o| {
                    normalize_bucket_region(o.location_constraint.as_ref().map(|c| c.as_str()))
                })
                .map_err(|e| error_info(&e))
        }
    })
    .await;
    let mut located = Vec::new();
    for (bucket, region) in buckets.into_iter().zip(regions) {
        let name = bucket.name.clone().unwrap_or_default();
        match region {
            Ok(region) => {
                clients
                    .entry(region.clone())
                    .or_insert_with(|| s3_client(target, &region));
                located.push((bucket, region));
            }
            Err(info) => sink.record_error("GetBucketLocation", Some(&name), None, info),
        }
    }
    let reads = fan_out(located, target.fan_out, |(bucket, region)| {
        let client = clients[&region].clone();
        async move {
            let name = bucket.name.clone().unwrap_or_default();
            let read = read_bucket(&client, &name).await;
            (bucket, region, read)
        }
    })
    .await;
    for (bucket, region, read) in reads {
        let name = bucket.name.clone().unwrap_or_default();
        let mut row = sink.table(&S3_BUCKETS).row();
        row.set("account_id", &target.account_id)
            .set("region", &region)
            .set("bucket_name", &name)
            .set("arn", format!("arn:{}:s3:::{name}", target.partition))
            .set("creation_date", opt_utc(bucket.creation_date.as_ref()));
        for (column, value) in read.cells {
            row.set(column, value);
        }
        for (operation, info) in read.errors {
            sink.record_error(operation, Some(&name), Some(&region), info);
        }
    }
}

/// Everything govscan reads of one bucket, one named step per configuration: a failed
/// call is recorded and the other steps still run.
async fn read_bucket(client: &s3::Client, name: &str) -> BucketRead {
    let mut r = BucketRead::default();
    read_policy(&mut r, client, name).await;
    read_public_access_block(&mut r, client, name).await;
    read_encryption(&mut r, client, name).await;
    read_versioning(&mut r, client, name).await;
    read_logging(&mut r, client, name).await;
    read_object_lock(&mut r, client, name).await;
    read_ownership(&mut r, client, name).await;
    read_acl(&mut r, client, name).await;
    read_replication(&mut r, client, name).await;
    read_lifecycle(&mut r, client, name).await;
    read_tags(&mut r, client, name).await;
    r
}

/// The bucket policy, and whether AWS judges it public.
async fn read_policy(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let policy = optional(
        &["NoSuchBucketPolicy"],
        client.get_bucket_policy().bucket(name).send(),
    )
    .await;
    let policy = r.take("GetBucketPolicy", policy).and_then(|p| p.policy);
    let has_policy = policy.is_some();
    r.set("policy", policy);
    if has_policy {
        let status = optional(
            &["NoSuchBucketPolicy"],
            client.get_bucket_policy_status().bucket(name).send(),
        )
        .await;
        let status = r.take("GetBucketPolicyStatus", status);
        r.set(
            "policy_is_public",
            status
                .and_then(|s| s.policy_status)
                .and_then(|s| s.is_public),
        );
    } else {
        r.set("policy_is_public", false);
    }
}

/// The bucket's four Block Public Access settings.
async fn read_public_access_block(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let pab = optional(
        &["NoSuchPublicAccessBlockConfiguration"],
        client.get_public_access_block().bucket(name).send(),
    )
    .await;
    match pab {
        Ok(found) => {
            let c = found.and_then(|o| o.public_access_block_configuration);
            r.set("public_access_block_configured", c.is_some());
            r.set(
                "block_public_acls",
                c.as_ref()
                    .map(|c| c.block_public_acls.unwrap_or(false))
                    .unwrap_or(false),
            );
            r.set(
                "ignore_public_acls",
                c.as_ref()
                    .map(|c| c.ignore_public_acls.unwrap_or(false))
                    .unwrap_or(false),
            );
            r.set(
                "block_public_policy",
                c.as_ref()
                    .map(|c| c.block_public_policy.unwrap_or(false))
                    .unwrap_or(false),
            );
            r.set(
                "restrict_public_buckets",
                c.as_ref()
                    .map(|c| c.restrict_public_buckets.unwrap_or(false))
                    .unwrap_or(false),
            );
        }
        Err(info) => r.errors.push(("GetPublicAccessBlock", info)),
    }
}

/// Default encryption.
async fn read_encryption(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let enc = optional(
        &["ServerSideEncryptionConfigurationNotFoundError"],
        client.get_bucket_encryption().bucket(name).send(),
    )
    .await;
    let rule = r
        .take("GetBucketEncryption", enc)
        .and_then(|o| o.server_side_encryption_configuration)
        .and_then(|c| c.rules.into_iter().next());
    if let Some(rule) = rule {
        let default = rule.apply_server_side_encryption_by_default;
        r.set(
            "encryption_algorithm",
            default
                .as_ref()
                .map(|d| d.sse_algorithm.as_str().to_owned()),
        );
        r.set("kms_key_id", default.and_then(|d| d.kms_master_key_id));
        r.set("bucket_key_enabled", rule.bucket_key_enabled);
    }
}

/// Versioning and MFA delete.
async fn read_versioning(r: &mut BucketRead, client: &s3::Client, name: &str) {
    match client.get_bucket_versioning().bucket(name).send().await {
        Ok(v) => {
            r.set("versioning_status", v.status.map(|s| s.as_str().to_owned()));
            r.set("mfa_delete", v.mfa_delete.map(|s| s.as_str().to_owned()));
        }
        Err(e) => r.errors.push(("GetBucketVersioning", error_info(&e))),
    }
}

/// Server access logging.
async fn read_logging(r: &mut BucketRead, client: &s3::Client, name: &str) {
    match client.get_bucket_logging().bucket(name).send().await {
        Ok(l) => {
            let enabled = l.logging_enabled;
            r.set(
                "logging_target_bucket",
                enabled.as_ref().map(|e| e.target_bucket.clone()),
            );
            r.set("logging_target_prefix", enabled.map(|e| e.target_prefix));
        }
        Err(e) => r.errors.push(("GetBucketLogging", error_info(&e))),
    }
}

/// Object Lock and its default retention.
async fn read_object_lock(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let lock = optional(
        &["ObjectLockConfigurationNotFoundError"],
        client.get_object_lock_configuration().bucket(name).send(),
    )
    .await;
    match lock {
        Ok(found) => {
            let c = found.and_then(|o| o.object_lock_configuration);
            r.set(
                "object_lock_enabled",
                c.as_ref().is_some_and(|c| {
                    c.object_lock_enabled
                        .as_ref()
                        .is_some_and(|e| e.as_str() == "Enabled")
                }),
            );
            let retention = c
                .and_then(|c| c.rule)
                .and_then(|rule| rule.default_retention);
            r.set(
                "object_lock_mode",
                retention
                    .as_ref()
                    .and_then(|d| d.mode.as_ref().map(|m| m.as_str().to_owned())),
            );
            r.set("object_lock_days", retention.as_ref().and_then(|d| d.days));
            r.set("object_lock_years", retention.and_then(|d| d.years));
        }
        Err(info) => r.errors.push(("GetObjectLockConfiguration", info)),
    }
}

/// Object ownership.
async fn read_ownership(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let ownership = optional(
        &["OwnershipControlsNotFoundError"],
        client.get_bucket_ownership_controls().bucket(name).send(),
    )
    .await;
    let ownership = r
        .take("GetBucketOwnershipControls", ownership)
        .and_then(|o| o.ownership_controls)
        .and_then(|c| c.rules.into_iter().next())
        .map(|rule| rule.object_ownership.as_str().to_owned());
    r.set("object_ownership", ownership);
}

/// The ACL's grants, and whether one is to a public group.
async fn read_acl(r: &mut BucketRead, client: &s3::Client, name: &str) {
    match client.get_bucket_acl().bucket(name).send().await {
        Ok(acl) => {
            r.set("acl_owner_id", acl.owner.and_then(|o| o.id));
            let mut public = false;
            let grants: Vec<serde_json::Value> = acl
                .grants
                .unwrap_or_default()
                .into_iter()
                .map(|g| {
                    let grantee = g.grantee;
                    let uri = grantee.as_ref().and_then(|g| g.uri.clone());
                    public |= uri.as_deref().is_some_and(is_public_group_uri);
                    json!({
                        "grantee_type": grantee.as_ref().map(|g| g.r#type.as_str().to_owned()),
                        "id": grantee.as_ref().and_then(|g| g.id.clone()),
                        "uri": uri,
                        "email": grantee.as_ref().and_then(|g| g.email_address.clone()),
                        "permission": g.permission.map(|p| p.as_str().to_owned()),
                    })
                })
                .collect();
            r.set("acl_grants", serde_json::Value::Array(grants));
            r.set("acl_is_public", public);
        }
        Err(e) => r.errors.push(("GetBucketAcl", error_info(&e))),
    }
}

/// Whether replication is configured.
async fn read_replication(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let replication = optional(
        &["ReplicationConfigurationNotFoundError"],
        client.get_bucket_replication().bucket(name).send(),
    )
    .await;
    if let Ok(found) = &replication {
        r.set(
            "replication_enabled",
            found
                .as_ref()
                .is_some_and(|o| o.replication_configuration.is_some()),
        );
    }
    r.take("GetBucketReplication", replication);
}

/// How many lifecycle rules.
async fn read_lifecycle(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let lifecycle = optional(
        &["NoSuchLifecycleConfiguration"],
        client
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send(),
    )
    .await;
    if let Ok(found) = &lifecycle {
        r.set(
            "lifecycle_rule_count",
            found.as_ref().map_or(0, |o| o.rules().len() as i64),
        );
    }
    r.take("GetBucketLifecycleConfiguration", lifecycle);
}

/// Tags.
async fn read_tags(r: &mut BucketRead, client: &s3::Client, name: &str) {
    let tags = optional(
        &["NoSuchTagSet"],
        client.get_bucket_tagging().bucket(name).send(),
    )
    .await;
    let tags = r.take("GetBucketTagging", tags).map(|t| {
        serde_json::Value::Object(
            t.tag_set
                .into_iter()
                .map(|t| (t.key, serde_json::Value::String(t.value)))
                .collect(),
        )
    });
    r.set("tags", tags);
}

fn is_public_group_uri(uri: &str) -> bool {
    uri.ends_with("/global/AllUsers") || uri.ends_with("/global/AuthenticatedUsers")
}

async fn collect_account_public_access_block(target: &Target, sink: &mut Sink) {
    let result = crate::aws::signed::account_public_access_block(
        &target.sdk,
        &target.calls,
        &target.account_id,
        &target.region,
        target.s3_path_style,
    )
    .await;
    match result {
        Ok(found) => {
            let c = found.clone().unwrap_or_default();
            sink.table(&S3_ACCOUNT_PUBLIC_ACCESS_BLOCK)
                .row()
                .set("account_id", &target.account_id)
                .set("configured", found.is_some())
                .set("block_public_acls", c.block_public_acls)
                .set("ignore_public_acls", c.ignore_public_acls)
                .set("block_public_policy", c.block_public_policy)
                .set("restrict_public_buckets", c.restrict_public_buckets);
        }
        Err(info) => sink.record_error("GetPublicAccessBlock", None, None, info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_locations_are_normalized_to_region_names() {
        assert_eq!(normalize_bucket_region(None), "us-east-1");
        assert_eq!(normalize_bucket_region(Some("")), "us-east-1");
        assert_eq!(normalize_bucket_region(Some("EU")), "eu-west-1");
        assert_eq!(normalize_bucket_region(Some("ap-south-1")), "ap-south-1");
    }

    #[test]
    fn only_all_users_and_authenticated_users_grants_are_public() {
        assert!(is_public_group_uri(
            "http://acs.amazonaws.com/groups/global/AllUsers"
        ));
        assert!(is_public_group_uri(
            "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
        ));
        assert!(!is_public_group_uri(
            "http://acs.amazonaws.com/groups/s3/LogDelivery"
        ));
    }
}
