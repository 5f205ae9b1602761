//! RDS, per region: DB instances with what CIS section 3.2 asks of them (encryption, minor
//! version upgrades, public accessibility and the subnets behind it, Multi-AZ). Sent as
//! signed Query API calls (aws::rds).

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::rds::{db_instances, DbInstance};
use crate::store::{col, ColumnType::*, TableDef};

pub static RDS_DB_INSTANCES: TableDef = TableDef {
    name: "rds_db_instances",
    key: &[],
    doc: "RDS DB instances of each region (DescribeDBInstances).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("db_instance_identifier", Text, "Instance name"),
        col("arn", Text, "Instance ARN"),
        col("engine", Text, "mysql, postgres, aurora-postgresql, ..."),
        col(
            "status",
            Text,
            "available, stopped, creating, deleting, ...",
        ),
        col(
            "db_cluster_identifier",
            Text,
            "The Aurora or Multi-AZ cluster it belongs to",
        ),
        col("storage_encrypted", Bool, "Encrypted at rest"),
        col("kms_key_id", Text, "KMS key of the encryption"),
        col(
            "auto_minor_version_upgrade",
            Bool,
            "Minor engine upgrades are applied automatically",
        ),
        col(
            "publicly_accessible",
            Bool,
            "Its endpoint resolves to a public address",
        ),
        col("multi_az", Bool, "A standby in another Availability Zone"),
        col("vpc_id", Text, "VPC of its subnet group"),
        col("subnet_ids", TextList, "Subnets of its subnet group"),
    ],
};

static TABLES: &[&TableDef] = &[&RDS_DB_INSTANCES];

pub struct RdsCollector;

impl Collector for RdsCollector {
    fn service(&self) -> &'static str {
        "rds"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_rds(target, sink))
    }
}

async fn collect_rds(target: &Target, sink: &mut Sink) {
    let instances = match db_instances(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => found,
        Err(info) => return sink.record_error("DescribeDBInstances", None, None, info),
    };
    for db in instances {
        sink.table(&RDS_DB_INSTANCES)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("db_instance_identifier", &db.db_instance_identifier)
            .set("arn", db.db_instance_arn.clone())
            .set("engine", db.engine.clone())
            .set("status", db.db_instance_status.clone())
            .set("db_cluster_identifier", db.db_cluster_identifier.clone())
            .set("storage_encrypted", DbInstance::flag(&db.storage_encrypted))
            .set("kms_key_id", db.kms_key_id.clone())
            .set(
                "auto_minor_version_upgrade",
                DbInstance::flag(&db.auto_minor_version_upgrade),
            )
            .set(
                "publicly_accessible",
                DbInstance::flag(&db.publicly_accessible),
            )
            .set("multi_az", DbInstance::flag(&db.multi_az))
            .set(
                "vpc_id",
                db.db_subnet_group.as_ref().and_then(|g| g.vpc_id.clone()),
            )
            .set("subnet_ids", db.subnet_ids());
    }
}
