//! Elastic Load Balancing v2, per region: load balancers and whether they write access logs
//! (DescribeLoadBalancers, DescribeLoadBalancerAttributes), sent as signed Query API calls
//! (aws::elbv2).

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::elbv2::{attribute, load_balancer_attributes, load_balancers};
use crate::store::{col, ColumnType::*, TableDef};

pub static ELBV2_LOAD_BALANCERS: TableDef = TableDef {
    name: "elbv2_load_balancers",
    key: &["arn"],
    doc: "Application, network and gateway load balancers of each region, with their access logging (DescribeLoadBalancers, DescribeLoadBalancerAttributes).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("arn", Text, "Load balancer ARN"),
        col("name", Text, "Name"),
        col("type", Text, "application, network or gateway"),
        col("scheme", Text, "internet-facing or internal"),
        col("vpc_id", Text, "VPC"),
        col("state", Text, "active, provisioning, active_impaired, failed"),
        col(
            "access_logs_enabled",
            Bool,
            "access_logs.s3.enabled; NULL when its attributes could not be read",
        ),
        col(
            "access_logs_bucket",
            Text,
            "access_logs.s3.bucket: where the logs go",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&ELBV2_LOAD_BALANCERS];

pub struct Elbv2Collector;

impl Collector for Elbv2Collector {
    fn service(&self) -> &'static str {
        "elbv2"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_load_balancers(target, sink))
    }
}

async fn collect_load_balancers(target: &Target, sink: &mut Sink) {
    let found = match load_balancers(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => found,
        Err(info) => return sink.record_error("DescribeLoadBalancers", None, None, info),
    };
    for lb in found {
        let arn = &lb.load_balancer_arn;
        let attributes =
            match load_balancer_attributes(&target.sdk, &target.calls, &target.region, arn).await {
                Ok(attributes) => Some(attributes),
                Err(info) => {
                    sink.record_error("DescribeLoadBalancerAttributes", Some(arn), None, info);
                    None
                }
            };
        let value = |key: &str| {
            attributes
                .as_deref()
                .and_then(|a| attribute(a, key))
                .map(str::to_owned)
        };
        // An absent access_logs.s3.enabled is the default, off.
        let enabled = attributes.as_ref().map(|_| {
            value("access_logs.s3.enabled").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        });
        sink.table(&ELBV2_LOAD_BALANCERS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("arn", arn)
            .set("name", lb.load_balancer_name.clone())
            .set("type", lb.kind.clone())
            .set("scheme", lb.scheme.clone())
            .set("vpc_id", lb.vpc_id.clone())
            .set("state", lb.state.as_ref().and_then(|s| s.code.clone()))
            .set("access_logs_enabled", enabled)
            .set(
                "access_logs_bucket",
                value("access_logs.s3.bucket").filter(|b| !b.is_empty()),
            );
    }
}
