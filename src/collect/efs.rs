//! EFS, per region: file systems and whether they are encrypted at rest
//! (DescribeFileSystems), sent as signed REST calls (aws::signed).

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{form_encode, json_pages, json_text, rest_json_get};
use crate::store::{col, ColumnType::*, TableDef};

pub static EFS_FILE_SYSTEMS: TableDef = TableDef {
    name: "efs_file_systems",
    key: &["file_system_id"],
    doc: "EFS file systems of each region (DescribeFileSystems).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("file_system_id", Text, "fs-..."),
        col("arn", Text, "File system ARN"),
        col("name", Text, "Its Name tag"),
        col("encrypted", Bool, "Encrypted at rest"),
        col("kms_key_id", Text, "KMS key of the encryption"),
        col(
            "life_cycle_state",
            Text,
            "creating, available, updating, deleting, deleted, error",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&EFS_FILE_SYSTEMS];

pub struct EfsCollector;

impl Collector for EfsCollector {
    fn service(&self) -> &'static str {
        "efs"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_file_systems(target, sink))
    }
}

async fn collect_file_systems(target: &Target, sink: &mut Sink) {
    let systems = json_pages(
        "DescribeFileSystems",
        "FileSystems",
        "NextMarker",
        |marker| {
            let mut path = "/2015-02-01/file-systems?MaxItems=100".to_owned();
            if let Some(m) = marker {
                path.push_str("&Marker=");
                path.push_str(&form_encode(&m));
            }
            async move {
                rest_json_get(
                    &target.sdk,
                    &target.calls,
                    "elasticfilesystem",
                    "elasticfilesystem",
                    &target.region,
                    &path,
                )
                .await
            }
        },
    )
    .await;
    let systems = match systems {
        Ok(systems) => systems,
        Err(info) => return sink.record_error("DescribeFileSystems", None, None, info),
    };
    for fs in &systems {
        let text = |k: &str| json_text(fs, k);
        sink.table(&EFS_FILE_SYSTEMS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("file_system_id", text("FileSystemId"))
            .set("arn", text("FileSystemArn"))
            .set("name", text("Name"))
            .set("encrypted", fs.get("Encrypted").and_then(Value::as_bool))
            .set("kms_key_id", text("KmsKeyId"))
            .set("life_cycle_state", text("LifeCycleState"));
    }
}
