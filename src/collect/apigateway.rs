//! API Gateway, per region: the stages of REST APIs (v1: GetRestApis, GetStages) and of HTTP
//! and WebSocket APIs (v2: GetApis, GetStages), with where each writes its access logs; sent
//! as signed REST calls (aws::signed).

use futures::future::BoxFuture;
use serde_json::Value;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{form_encode, json_pages, json_text, rest_json_get};
use crate::aws::ErrorInfo;
use crate::store::{col, ColumnType::*, TableDef};

pub static APIGATEWAY_STAGES: TableDef = TableDef {
    name: "apigateway_stages",
    key: &["arn"],
    doc: "Stages of the REST, HTTP and WebSocket APIs of each region, with their access logging (GetRestApis, GetApis, GetStages).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("arn", Text, "Stage ARN (arn:aws:apigateway:REGION::/restapis/ID/stages/NAME)"),
        col("api_id", Text, "API id"),
        col("api_name", Text, "API name"),
        col("protocol", Text, "REST, HTTP or WEBSOCKET"),
        col("stage_name", Text, "Stage name"),
        col(
            "access_log_destination",
            Text,
            "ARN of the log group or Firehose stream receiving access logs; NULL: none",
        ),
    ],
};

static TABLES: &[&TableDef] = &[&APIGATEWAY_STAGES];

pub struct ApiGatewayCollector;

impl Collector for ApiGatewayCollector {
    fn service(&self) -> &'static str {
        "apigateway"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_stages(target, sink))
    }
}

async fn get(target: &Target, path: &str) -> Result<Value, ErrorInfo> {
    rest_json_get(
        &target.sdk,
        &target.calls,
        "apigateway",
        "apigateway",
        &target.region,
        path,
    )
    .await
}

/// One API of either generation: where its stages are listed, and their list's key.
struct Api {
    id: String,
    name: Option<String>,
    protocol: String,
    stages_path: String,
    stages_list: &'static str,
    arn_path: String,
}

async fn collect_stages(target: &Target, sink: &mut Sink) {
    let mut apis = Vec::new();
    // REST APIs page with `position`, HTTP and WebSocket APIs with `nextToken`.
    let rest = json_pages("GetRestApis", "item", "position", |position| {
        let mut path = "/restapis?limit=500".to_owned();
        if let Some(p) = position {
            path.push_str("&position=");
            path.push_str(&form_encode(&p));
        }
        async move { get(target, &path).await }
    })
    .await;
    match rest {
        Ok(found) => apis.extend(found.iter().filter_map(|a| {
            let id = json_text(a, "id")?;
            Some(Api {
                stages_path: format!("/restapis/{}/stages", form_encode(&id)),
                stages_list: "item",
                arn_path: format!("/restapis/{id}"),
                name: json_text(a, "name"),
                protocol: "REST".to_owned(),
                id,
            })
        })),
        Err(info) => sink.record_error("GetRestApis", None, None, info),
    }
    let v2 = json_pages("GetApis", "items", "nextToken", |token| {
        let mut path = "/v2/apis?maxResults=500".to_owned();
        if let Some(t) = token {
            path.push_str("&nextToken=");
            path.push_str(&form_encode(&t));
        }
        async move { get(target, &path).await }
    })
    .await;
    match v2 {
        Ok(found) => apis.extend(found.iter().filter_map(|a| {
            let id = json_text(a, "apiId")?;
            Some(Api {
                stages_path: format!("/v2/apis/{}/stages", form_encode(&id)),
                stages_list: "items",
                arn_path: format!("/apis/{id}"),
                name: json_text(a, "name"),
                protocol: json_text(a, "protocolType").unwrap_or_else(|| "HTTP".to_owned()),
                id,
            })
        })),
        Err(info) => sink.record_error("GetApis", None, None, info),
    }
    for api in apis {
        let answer = get(target, &api.stages_path).await;
        let stages = match answer.as_ref().map(|v| v.get(api.stages_list)) {
            Ok(Some(Value::Array(stages))) => stages.clone(),
            // No stage yet: the list is left out.
            Ok(None) => Vec::new(),
            Ok(Some(_)) => {
                let info =
                    crate::aws::signed::unparseable("GetStages", "the stage list is not a list");
                sink.record_error("GetStages", Some(&api.id), None, info);
                continue;
            }
            Err(info) => {
                sink.record_error("GetStages", Some(&api.id), None, info.clone());
                continue;
            }
        };
        for stage in &stages {
            let Some(name) = json_text(stage, "stageName") else {
                continue;
            };
            let destination = stage
                .get("accessLogSettings")
                .and_then(|s| json_text(s, "destinationArn"))
                .filter(|d| !d.is_empty());
            sink.table(&APIGATEWAY_STAGES)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set(
                    "arn",
                    format!(
                        "arn:aws:apigateway:{}::{}/stages/{name}",
                        target.region, api.arn_path
                    ),
                )
                .set("api_id", &api.id)
                .set("api_name", api.name.clone())
                .set("protocol", &api.protocol)
                .set("stage_name", &name)
                .set("access_log_destination", destination);
        }
    }
}
