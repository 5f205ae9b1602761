//! Lambda, per region: functions and their resource-based policies (ListFunctions,
//! GetPolicy), sent as signed REST calls (aws::signed): the SDK crate is 60 s of a cold
//! build for two calls.

use futures::future::BoxFuture;
use serde_json::Value;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::signed::{form_encode, json_pages, json_text, rest_json_get};
use crate::store::{col, ColumnType::*, TableDef};

pub static LAMBDA_FUNCTIONS: TableDef = TableDef {
    name: "lambda_functions",
    key: &["function_arn"],
    doc: "Lambda functions of each region with their resource-based policy (ListFunctions, GetPolicy).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("function_name", Text, "Function name"),
        col("function_arn", Text, "Function ARN"),
        col("runtime", Text, "python3.12, nodejs20.x, ..."),
        col("role", Text, "The execution role"),
        col("policy", Json, "Who else may invoke or manage it (null: no policy)"),
    ],
};

static TABLES: &[&TableDef] = &[&LAMBDA_FUNCTIONS];

pub struct LambdaCollector;

impl Collector for LambdaCollector {
    fn service(&self) -> &'static str {
        "lambda"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_functions(target, sink))
    }
}

async fn collect_functions(target: &Target, sink: &mut Sink) {
    let get = |path: String| async move {
        rest_json_get(
            &target.sdk,
            &target.calls,
            "lambda",
            "lambda",
            &target.region,
            &path,
        )
        .await
    };
    let functions = json_pages("ListFunctions", "Functions", "NextMarker", |marker| {
        let mut path = "/2015-03-31/functions/?MaxItems=50".to_owned();
        if let Some(m) = marker {
            path.push_str("&Marker=");
            path.push_str(&form_encode(&m));
        }
        get(path)
    })
    .await;
    let functions = match functions {
        Ok(functions) => functions,
        Err(info) => return sink.record_error("ListFunctions", None, None, info),
    };
    let policies = fan_out(functions, target.fan_out, |f| async move {
        let name = f
            .get("FunctionName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let policy = get(format!(
            "/2015-03-31/functions/{}/policy",
            form_encode(&name)
        ))
        .await;
        (f, name, policy)
    })
    .await;
    for (f, name, policy) in policies {
        let policy = match policy {
            Ok(p) => json_text(&p, "Policy"),
            // A function without a policy: only its own account may use it.
            Err(e) if e.code == "ResourceNotFoundException" => None,
            Err(info) => {
                sink.record_error("GetPolicy", Some(&name), None, info);
                None
            }
        };
        let text = |k: &str| json_text(&f, k);
        sink.table(&LAMBDA_FUNCTIONS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("function_name", &name)
            .set("function_arn", text("FunctionArn"))
            .set("runtime", text("Runtime"))
            .set("role", text("Role"))
            .set("policy", policy);
    }
}
