//! CloudFront, once per account (it is global): distributions and where their standard
//! access logs go (ListDistributions, GetDistributionConfig), sent as signed REST calls
//! (aws::cloudfront).

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::cloudfront::{distribution_logging, distributions};
use crate::store::{col, ColumnType::*, TableDef};

pub static CLOUDFRONT_DISTRIBUTIONS: TableDef = TableDef {
    name: "cloudfront_distributions",
    key: &["arn"],
    doc: "CloudFront distributions of each account, with their standard access logging (ListDistributions, GetDistributionConfig).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("id", Text, "Distribution id"),
        col("arn", Text, "Distribution ARN"),
        col("domain_name", Text, "d111111abcdef8.cloudfront.net"),
        col("status", Text, "Deployed or InProgress"),
        col("enabled", Bool, "Serving requests"),
        col(
            "logging_enabled",
            Bool,
            "Standard (legacy) logging to S3 is on; NULL when its configuration could not be read",
        ),
        col(
            "logging_bucket",
            Text,
            "The bucket of the standard logs (bucket.s3.amazonaws.com)",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&CLOUDFRONT_DISTRIBUTIONS];

pub struct CloudFrontCollector;

impl Collector for CloudFrontCollector {
    fn service(&self) -> &'static str {
        "cloudfront"
    }
    fn scope(&self) -> Scope {
        Scope::Global
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_distributions(target, sink))
    }
}

async fn collect_distributions(target: &Target, sink: &mut Sink) {
    let found = match distributions(&target.sdk, &target.calls).await {
        Ok(found) => found,
        Err(info) => return sink.record_error("ListDistributions", None, None, info),
    };
    let flag = |v: &Option<String>| v.as_deref().map(|v| v.trim().eq_ignore_ascii_case("true"));
    for d in found {
        let logging = match distribution_logging(&target.sdk, &target.calls, &d.id).await {
            Ok(logging) => Some(logging),
            Err(info) => {
                sink.record_error("GetDistributionConfig", Some(&d.id), None, info);
                None
            }
        };
        let arn = d.arn.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:cloudfront::{}:distribution/{}",
                target.account_id, d.id
            )
        });
        sink.table(&CLOUDFRONT_DISTRIBUTIONS)
            .row()
            .set("account_id", &target.account_id)
            .set("id", &d.id)
            .set("arn", arn)
            .set("domain_name", d.domain_name.clone())
            .set("status", d.status.clone())
            .set("enabled", flag(&d.enabled))
            .set(
                "logging_enabled",
                logging.as_ref().map(|l| flag(&l.enabled).unwrap_or(false)),
            )
            .set(
                "logging_bucket",
                logging
                    .and_then(|l| l.bucket)
                    .filter(|b| !b.trim().is_empty()),
            );
    }
}
