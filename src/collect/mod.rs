//! Collectors: one file per AWS service, each filling the tables it declares.
//!
//! The unit of work is a *part*: one (account, region, service). Parts run concurrently and
//! independently; a part that fails records why in `collection_errors` and the manifest,
//! and the run goes on.

pub mod accessanalyzer;
pub mod account;
pub mod apigateway;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod ec2;
pub mod efs;
pub mod elbv2;
pub mod event_selectors;
pub mod events;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod org;
pub mod permissions;
pub mod rds;
pub mod run;
pub mod s3;
pub mod secretsmanager;
pub mod securityhub;
pub mod sns;
pub mod sqs;
pub mod tables;

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::Utc;
use futures::future::BoxFuture;

use crate::aws::{error_info, ApiCallCounter, ErrorInfo};
use crate::store::{TableDef, TableRows};

pub use run::{collect, CollectOptions, CollectOutcome, RegionSelection};

/// How often a collector runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per account, for an account-wide API (IAM, the S3 bucket list).
    Global,
    /// Once per (account, region).
    Regional,
}

pub trait Collector: Send + Sync {
    /// The `--services` name, also the `service` column of `collection_errors`.
    fn service(&self) -> &'static str;
    fn scope(&self) -> Scope;
    fn tables(&self) -> &'static [&'static TableDef];
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()>;
}

/// The one list of collectors, in the order their tables are documented.
pub fn all_collectors() -> Vec<Box<dyn Collector>> {
    vec![
        Box::new(org::OrgCollector),
        Box::new(iam::IamCollector),
        Box::new(s3::S3Collector),
        Box::new(config::ConfigCollector),
        Box::new(cloudtrail::CloudTrailCollector),
        Box::new(ec2::Ec2Collector),
        Box::new(kms::KmsCollector),
        Box::new(sns::SnsCollector),
        Box::new(sqs::SqsCollector),
        Box::new(accessanalyzer::AccessAnalyzerCollector),
        Box::new(securityhub::SecurityHubCollector),
        Box::new(efs::EfsCollector),
        Box::new(elbv2::Elbv2Collector),
        Box::new(cloudfront::CloudFrontCollector),
        Box::new(apigateway::ApiGatewayCollector),
        Box::new(rds::RdsCollector),
        Box::new(logs::LogsCollector),
        Box::new(cloudwatch::CloudWatchCollector),
        Box::new(lambda::LambdaCollector),
        Box::new(secretsmanager::SecretsManagerCollector),
        Box::new(events::EventsCollector),
        Box::new(account::AccountCollector),
    ]
}

/// Every table a snapshot holds: each collector's, then the collection bookkeeping.
pub fn all_tables() -> Vec<&'static TableDef> {
    let mut defs: Vec<&'static TableDef> = all_collectors()
        .iter()
        .flat_map(|c| c.tables().iter().copied())
        .collect();
    defs.extend([&tables::COLLECTION_ERRORS, &tables::COLLECTION_PARTS]);
    defs
}

/// What one part works on: an account's credentials, pinned to a region.
pub struct Target {
    pub account_id: String,
    pub partition: String,
    /// The region of a regional part; for a global part, the region its clients use.
    pub region: String,
    pub sdk: SdkConfig,
    /// Requests a part may have in flight for per-resource reads (per bucket, per user).
    pub fan_out: usize,
    /// Custom endpoints (moto, localstack) serve S3 by path, not by virtual host.
    pub s3_path_style: bool,
    pub calls: ApiCallCounter,
}

/// Rows and errors produced by one part.
pub struct Sink {
    pub account_id: String,
    /// None for global parts.
    pub region: Option<String>,
    pub service: &'static str,
    tables: BTreeMap<&'static str, TableRows>,
    errors: TableRows,
}

impl Sink {
    pub fn new(account_id: &str, region: Option<&str>, service: &'static str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            region: region.map(str::to_owned),
            service,
            tables: BTreeMap::new(),
            errors: TableRows::new(&tables::COLLECTION_ERRORS),
        }
    }

    pub fn table(&mut self, def: &'static TableDef) -> &mut TableRows {
        self.tables
            .entry(def.name)
            .or_insert_with(|| TableRows::new(def))
    }

    /// Records a failed call. `region` overrides the part's region for calls that went to
    /// another region (a bucket's own region, say).
    pub fn error<E>(
        &mut self,
        operation: &str,
        resource: Option<&str>,
        err: &SdkError<E, HttpResponse>,
    ) where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.record_error(operation, resource, None, error_info(err));
    }

    pub fn record_error(
        &mut self,
        operation: &str,
        resource: Option<&str>,
        region: Option<&str>,
        info: ErrorInfo,
    ) {
        // Info, not warn: a large organization can produce thousands of these, and every
        // one is kept in collection_errors and summarized at the end.
        tracing::info!(
            account = %self.account_id,
            region = self.region.as_deref().unwrap_or("global"),
            service = self.service,
            operation,
            code = %info.code,
            "{}", info.message
        );
        let region = region.map(str::to_owned).or_else(|| self.region.clone());
        self.errors
            .row()
            .set("account_id", &self.account_id)
            .set("region", region)
            .set("service", self.service)
            .set("operation", operation)
            .set("resource", resource)
            .set("error_code", info.code)
            .set("error_message", info.message)
            .set("occurred_at", Utc::now());
    }

    pub fn append_errors(&mut self, errors: TableRows) {
        self.errors.append(errors);
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    pub fn row_counts(&self) -> BTreeMap<String, u64> {
        self.tables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.len() as u64))
            .collect()
    }

    pub fn into_parts(self) -> (BTreeMap<&'static str, TableRows>, TableRows) {
        (self.tables, self.errors)
    }
}

/// Runs `f` over `items` with at most `limit` in flight, keeping the input order.
pub async fn fan_out<T, R, F, Fut>(items: impl IntoIterator<Item = T>, limit: usize, f: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = R>,
{
    use futures::stream::StreamExt;
    futures::stream::iter(items.into_iter().map(f))
        .buffered(limit.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_unique_snake_case_and_carry_account_id() {
        let defs = all_tables();
        let mut names = std::collections::HashSet::new();
        for def in &defs {
            assert!(names.insert(def.name), "duplicate table {}", def.name);
            assert!(
                def.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{} is not snake_case",
                def.name
            );
            assert!(
                def.columns.iter().any(|c| c.name == "account_id"),
                "{} lacks account_id",
                def.name
            );
            let mut cols = std::collections::HashSet::new();
            for c in def.columns {
                assert!(cols.insert(c.name), "{}.{} twice", def.name, c.name);
                assert!(!c.doc.is_empty(), "{}.{} has no doc", def.name, c.name);
            }
            for k in def.key {
                assert!(
                    cols.contains(k),
                    "{}: key column {k} is not a column",
                    def.name
                );
            }
            assert!(!def.doc.is_empty());
        }
    }

    #[test]
    fn every_collector_service_name_is_distinct() {
        let services: Vec<_> = all_collectors().iter().map(|c| c.service()).collect();
        let mut distinct = services.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), services.len(), "{services:?}");
        assert_eq!(&services[..3], ["org", "iam", "s3"]);
    }
}
