//! govscan's SQL functions: ARN parts, CIDR membership, policy statements and their
//! conditions (`condition_values`, `policy_denies`), what a trail records
//! (`trail_records`), what a firewall rule admits (`rule_admits_port`), whether a metric
//! filter's pattern catches a benchmark pattern's events (`filter_pattern_covers`), and the
//! policy engine (`policy_allows`, `expand_actions`, `action_access_level`).
//!
//! Every function takes untrusted text: a value that is not an ARN, an address or a policy
//! document gives NULL, never an error that would stop a whole check.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use govscan_policy::net::cidr_contains;
use serde_json::Value as Json;

pub fn register(ctx: &SessionContext) {
    for function in all() {
        ctx.register_udf(function);
    }
}

/// Every function of govscan's own (the JSON functions come from datafusion-functions-json).
pub fn all() -> Vec<ScalarUDF> {
    let mut functions: Vec<ScalarUDF> = ArnPart::ALL
        .into_iter()
        .map(|part| ScalarUDF::new_from_impl(ArnFunction::new(part)))
        .collect();
    functions.push(ScalarUDF::new_from_impl(CidrContains::new()));
    functions.push(ScalarUDF::new_from_impl(PolicyStatements::new()));
    functions.push(ScalarUDF::new_from_impl(PolicyAllows {
        signature: Signature::string(3, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(ExpandActions {
        signature: Signature::string(1, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(ActionAccessLevel {
        signature: Signature::string(1, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(PolicyDenies {
        signature: Signature::string(2, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(ConditionValues {
        signature: Signature::string(3, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(TrailRecords {
        signature: Signature::string(3, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(FilterPatternCovers {
        signature: Signature::string(2, Volatility::Immutable),
    }));
    functions.push(ScalarUDF::new_from_impl(RuleAdmitsPort {
        // Ports come as integers, protocols as text; string_args reads them all as text.
        signature: Signature::any(4, Volatility::Immutable),
    }));
    functions
}

/// `rule_admits_port(protocol, from_port, to_port, port)`: whether a security group rule or
/// network ACL entry admits TCP or UDP traffic to `port`: every protocol (`-1`, all ports),
/// or TCP or UDP (by name or number, 6 and 17) with the port in its range, as the CIS audits
/// of 6.1.2 to 6.4 read them.
#[derive(Debug, PartialEq, Eq, Hash)]
struct RuleAdmitsPort {
    signature: Signature,
}

pub fn rule_admits_port(protocol: &str, from: Option<i64>, to: Option<i64>, port: i64) -> bool {
    match protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => true,
        "tcp" | "udp" | "6" | "17" => {
            matches!((from, to), (Some(f), Some(t)) if f <= port && port <= t)
        }
        _ => false,
    }
}

impl ScalarUDFImpl for RuleAdmitsPort {
    fn name(&self) -> &str {
        "rule_admits_port"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let number = |v: Option<&str>| v.and_then(|t| t.parse::<i64>().ok());
        let out: BooleanArray = (0..a[0].len())
            .map(|i| {
                let value = |k: usize| (!a[k].is_null(i)).then(|| a[k].value(i));
                let protocol = value(0)?;
                let port = number(value(3))?;
                Some(rule_admits_port(
                    protocol,
                    number(value(1)),
                    number(value(2)),
                    port,
                ))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `condition_values(condition, operator, key)`: the values a statement's Condition block
/// (JSON text) gives `key` under `operator`, both matched case-insensitively as AWS does,
/// as text (a single value, a list, booleans and numbers alike). NULL when the block has
/// no such operator or key, or is not a Condition block.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ConditionValues {
    signature: Signature,
}

impl ScalarUDFImpl for ConditionValues {
    fn name(&self) -> &str {
        "condition_values"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            true,
        ))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        use datafusion::arrow::array::{ListBuilder, StringBuilder};
        let a = string_args(&args)?;
        let mut out = ListBuilder::new(StringBuilder::new());
        for ((condition, operator), key) in a[0].iter().zip(a[1].iter()).zip(a[2].iter()) {
            match (condition, operator, key) {
                (Some(c), Some(o), Some(k)) => match condition_values(c, o, k) {
                    Some(values) => {
                        for v in values {
                            out.values().append_value(v);
                        }
                        out.append(true);
                    }
                    None => out.append(false),
                },
                _ => out.append(false),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

pub fn condition_values(condition: &str, operator: &str, key: &str) -> Option<Vec<String>> {
    let block: Json = serde_json::from_str(condition).ok()?;
    let (_, keys) = block
        .as_object()?
        .iter()
        .find(|(op, _)| op.eq_ignore_ascii_case(operator))?;
    let (_, values) = keys
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))?;
    let text = |v: &Json| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    Some(match values {
        Json::Array(items) => items.iter().map(text).collect(),
        one => vec![text(one)],
    })
}

/// `trail_records(event_selectors, advanced_event_selectors, what)`: whether a trail's
/// selectors record `what`: 'management' (every management event, reads and writes),
/// 's3_object_write' or 's3_object_read' (S3 object-level events of every bucket), each
/// selector judged on its own (see `collect::event_selectors`). NULL for another `what`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct TrailRecords {
    signature: Signature,
}

impl ScalarUDFImpl for TrailRecords {
    fn name(&self) -> &str {
        "trail_records"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        use crate::collect::event_selectors::{records, Records};
        let a = string_args(&args)?;
        let parse = |t: Option<&str>| t.and_then(|t| serde_json::from_str::<Json>(t).ok());
        let out: BooleanArray = a[0]
            .iter()
            .zip(a[1].iter())
            .zip(a[2].iter())
            .map(|((basic, advanced), what)| {
                let what = Records::parse(what?)?;
                Some(records(
                    parse(basic).as_ref(),
                    parse(advanced).as_ref(),
                    what,
                ))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `filter_pattern_covers(filter_pattern, benchmark_pattern)`: whether a CloudWatch Logs
/// metric filter's JSON pattern matches every event the benchmark's pattern matches, read
/// for meaning (spacing, quotes, order and grouping free; a broader filter covers), see
/// [`super::filter_pattern`]. NULL when either is not a JSON filter pattern.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FilterPatternCovers {
    signature: Signature,
}

impl ScalarUDFImpl for FilterPatternCovers {
    fn name(&self) -> &str {
        "filter_pattern_covers"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let out: BooleanArray = a[0]
            .iter()
            .zip(a[1].iter())
            .map(|(filter, benchmark)| super::filter_pattern::covers(filter?, benchmark?))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `policy_denies(document, action)`: whether the document denies `action` to every
/// principal it governs, unconditionally or with conditions that only exempt named
/// principals ("deny, except our security role"): the reading of an SCP guardrail (see
/// `govscan_policy::condition::denies_every_principal`). NULL when the document does not
/// parse.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PolicyDenies {
    signature: Signature,
}

impl ScalarUDFImpl for PolicyDenies {
    fn name(&self) -> &str {
        "policy_denies"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let mut parsed: std::collections::HashMap<&str, Option<govscan_policy::Policy>> =
            Default::default();
        let mut out = datafusion::arrow::array::BooleanBuilder::with_capacity(a[0].len());
        for (doc, action) in a[0].iter().zip(a[1].iter()) {
            let (Some(doc), Some(action)) = (doc, action) else {
                out.append_null();
                continue;
            };
            let policy = parsed
                .entry(doc)
                .or_insert_with(|| govscan_policy::Policy::parse(doc).ok());
            match policy {
                Some(p) => {
                    out.append_value(govscan_policy::condition::denies_every_principal(p, action))
                }
                None => out.append_null(),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// The arguments as UTF-8 string arrays of the batch's length.
fn string_args(args: &ScalarFunctionArgs) -> Result<Vec<StringArray>> {
    let arrays = ColumnarValue::values_to_arrays(&args.args)?;
    arrays
        .iter()
        .map(|a| Ok(cast(a, &DataType::Utf8)?.as_string::<i32>().clone()))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArnPart {
    Partition,
    Service,
    Region,
    Account,
    Resource,
}

impl ArnPart {
    const ALL: [ArnPart; 5] = [
        ArnPart::Partition,
        ArnPart::Service,
        ArnPart::Region,
        ArnPart::Account,
        ArnPart::Resource,
    ];

    fn name(self) -> &'static str {
        match self {
            ArnPart::Partition => "arn_partition",
            ArnPart::Service => "arn_service",
            ArnPart::Region => "arn_region",
            ArnPart::Account => "arn_account",
            ArnPart::Resource => "arn_resource",
        }
    }
}

/// `arn:partition:service:region:account:resource`; the resource keeps its own colons and
/// slashes. Empty region or account (IAM, S3) give an empty string, not NULL.
pub fn arn_part(arn: &str, part: ArnPart) -> Option<&str> {
    let mut fields = arn.splitn(6, ':');
    if fields.next()? != "arn" {
        return None;
    }
    let fields: Vec<&str> = fields.collect();
    if fields.len() != 5 {
        return None;
    }
    Some(match part {
        ArnPart::Partition => fields[0],
        ArnPart::Service => fields[1],
        ArnPart::Region => fields[2],
        ArnPart::Account => fields[3],
        ArnPart::Resource => fields[4],
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ArnFunction {
    part: ArnPart,
    signature: Signature,
}

impl ArnFunction {
    fn new(part: ArnPart) -> Self {
        Self {
            part,
            signature: Signature::string(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ArnFunction {
    fn name(&self) -> &str {
        self.part.name()
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = &string_args(&args)?[0];
        let out: StringArray = input
            .iter()
            .map(|v| v.and_then(|arn| arn_part(arn, self.part)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct CidrContains {
    signature: Signature,
}

impl CidrContains {
    fn new() -> Self {
        Self {
            signature: Signature::string(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CidrContains {
    fn name(&self) -> &str {
        "cidr_contains"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let out: BooleanArray = a[0]
            .iter()
            .zip(a[1].iter())
            .map(|(c, ip)| cidr_contains(c?, ip?))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The element type of `policy_statements`: one statement, normalized.
pub fn statement_fields() -> Fields {
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    Fields::from(vec![
        Field::new("sid", DataType::Utf8, true),
        Field::new("effect", DataType::Utf8, true),
        Field::new("actions", list(), true),
        Field::new("not_actions", list(), true),
        Field::new("resources", list(), true),
        Field::new("not_resources", list(), true),
        Field::new("principal", DataType::Utf8, true),
        Field::new("not_principal", DataType::Utf8, true),
        Field::new("condition", DataType::Utf8, true),
    ])
}

fn string_list(v: Option<&Json>) -> Option<Json> {
    match v? {
        Json::String(s) => Some(Json::Array(vec![Json::String(s.clone())])),
        Json::Array(items) => Some(Json::Array(
            items
                .iter()
                .map(|i| {
                    Json::String(
                        i.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i.to_string()),
                    )
                })
                .collect(),
        )),
        other => Some(Json::Array(vec![Json::String(other.to_string())])),
    }
}

/// A policy document's statements in one shape: Statement as object or list, Action and
/// Resource as string or list; Principal and Condition kept as JSON text. None when the
/// document is not a JSON object with statements.
pub fn normalize_statements(document: &str) -> Option<Json> {
    let doc: Json = serde_json::from_str(document).ok()?;
    let statements = match doc.get("Statement")? {
        Json::Array(list) => list.clone(),
        single @ Json::Object(_) => vec![single.clone()],
        _ => return None,
    };
    let normalized: Vec<Json> = statements
        .iter()
        .filter_map(|s| s.as_object())
        .map(|s| {
            let text = |k: &str| {
                s.get(k).map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
            };
            let json_text = |k: &str| s.get(k).map(|v| v.to_string());
            serde_json::json!({
                "sid": text("Sid"),
                "effect": text("Effect"),
                "actions": string_list(s.get("Action")),
                "not_actions": string_list(s.get("NotAction")),
                "resources": string_list(s.get("Resource")),
                "not_resources": string_list(s.get("NotResource")),
                "principal": json_text("Principal"),
                "not_principal": json_text("NotPrincipal"),
                "condition": json_text("Condition"),
            })
        })
        .collect();
    Some(Json::Array(normalized))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PolicyStatements {
    signature: Signature,
}

impl PolicyStatements {
    fn new() -> Self {
        Self {
            signature: Signature::string(1, Volatility::Immutable),
        }
    }

    fn return_type() -> DataType {
        DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(statement_fields()),
            true,
        )))
    }
}

impl ScalarUDFImpl for PolicyStatements {
    fn name(&self) -> &str {
        "policy_statements"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(Self::return_type())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let docs = &string_args(&args)?[0];
        // Normalize in Rust, then let arrow's JSON decoder build the nested arrays.
        let mut lines = String::new();
        for doc in docs.iter() {
            let statements = doc.and_then(normalize_statements).unwrap_or(Json::Null);
            lines.push_str(&serde_json::json!({ "s": statements }).to_string());
            lines.push('\n');
        }
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![Field::new(
            "s",
            Self::return_type(),
            true,
        )]));
        let mut reader = datafusion::arrow::json::ReaderBuilder::new(schema)
            .with_batch_size(docs.len().max(1))
            .build(lines.as_bytes())?;
        let column: ArrayRef = match reader.next() {
            Some(batch) => batch?.column(0).clone(),
            None => datafusion::arrow::array::new_null_array(&Self::return_type(), 0),
        };
        debug_assert_eq!(column.len(), docs.len());
        Ok(ColumnarValue::Array(column))
    }
}

/// `policy_allows(document, action, resource)`: whether the document alone, read as an
/// identity-based policy, allows `action` on `resource`, decided by the policy engine (no
/// request context: a condition on a key the request would carry is not met). NULL when the
/// document does not parse.
#[derive(Debug, PartialEq, Eq, Hash)]
struct PolicyAllows {
    signature: Signature,
}

impl ScalarUDFImpl for PolicyAllows {
    fn name(&self) -> &str {
        "policy_allows"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        use crate::policy::{evaluate, Context, DecisionKind, Policies, Policy, Request};
        let a = string_args(&args)?;
        // The same document usually repeats down a column: parse each text once.
        let mut parsed: std::collections::HashMap<&str, Option<Policy>> = Default::default();
        let mut out = datafusion::arrow::array::BooleanBuilder::with_capacity(a[0].len());
        for ((doc, action), resource) in a[0].iter().zip(a[1].iter()).zip(a[2].iter()) {
            let (Some(doc), Some(action), Some(resource)) = (doc, action, resource) else {
                out.append_null();
                continue;
            };
            let policy = parsed.entry(doc).or_insert_with(|| Policy::parse(doc).ok());
            let Some(policy) = policy else {
                out.append_null();
                continue;
            };
            // A principal of the resource's own account: the question is the document.
            let request = Request {
                principal: "arn:aws:iam::000000000000:user/policy-allows".into(),
                action: action.to_owned(),
                resource: resource.to_owned(),
                resource_account: Some("000000000000".into()),
                context: Context::new(),
            };
            let identity = std::slice::from_ref(policy);
            let decision = evaluate(
                &request,
                &Policies {
                    identity,
                    ..Default::default()
                },
            );
            out.append_value(decision.decision == DecisionKind::Allowed);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `expand_actions(pattern)`: the actions of the catalog an Action pattern covers
/// (`s3:Get*`), as `service:Name`; empty for an unknown service.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ExpandActions {
    signature: Signature,
}

impl ScalarUDFImpl for ExpandActions {
    fn name(&self) -> &str {
        "expand_actions"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            true,
        ))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let catalog = crate::policy::catalog::catalog();
        let mut out = datafusion::arrow::array::ListBuilder::new(
            datafusion::arrow::array::StringBuilder::new(),
        );
        for pattern in a[0].iter() {
            match pattern {
                Some(p) => {
                    for action in catalog.expand(p) {
                        out.values()
                            .append_value(format!("{}:{}", action.service, action.name));
                    }
                    out.append(true);
                }
                None => out.append(false),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `action_access_level(action)`: List, Read, Write, Permissions management or Tagging, from
/// the catalog; NULL for an action it does not know.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ActionAccessLevel {
    signature: Signature,
}

impl ScalarUDFImpl for ActionAccessLevel {
    fn name(&self) -> &str {
        "action_access_level"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = string_args(&args)?;
        let catalog = crate::policy::catalog::catalog();
        let out: StringArray = a[0]
            .iter()
            .map(|action| {
                catalog
                    .action(action?)
                    .and_then(|a| a.levels.first())
                    .map(|l| l.as_str())
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts_keep_the_resource_whole() {
        let arn = "arn:aws:iam::123456789012:role/path/app-role";
        assert_eq!(arn_part(arn, ArnPart::Account), Some("123456789012"));
        assert_eq!(arn_part(arn, ArnPart::Region), Some(""));
        assert_eq!(arn_part(arn, ArnPart::Service), Some("iam"));
        assert_eq!(arn_part(arn, ArnPart::Resource), Some("role/path/app-role"));
        assert_eq!(
            arn_part("arn:aws:logs:us-east-1:1:log-group:a:*", ArnPart::Resource),
            Some("log-group:a:*")
        );
        assert_eq!(arn_part("not-an-arn", ArnPart::Account), None);
        assert_eq!(arn_part("arn:aws:s3", ArnPart::Account), None);
    }

    #[test]
    fn statements_are_normalized_from_every_accepted_shape() {
        let single =
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}}"#;
        let s = normalize_statements(single).unwrap();
        assert_eq!(s[0]["actions"], serde_json::json!(["s3:*"]));
        assert_eq!(s[0]["principal"], "\"*\"");
        let list = r#"{"Statement":[{"Effect":"Deny","NotAction":["iam:*"],"Resource":["a","b"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        let s = normalize_statements(list).unwrap();
        assert_eq!(s[0]["not_actions"], serde_json::json!(["iam:*"]));
        assert_eq!(s[0]["actions"], Json::Null);
        assert!(s[0]["condition"]
            .as_str()
            .unwrap()
            .contains("SecureTransport"));
        assert_eq!(normalize_statements("{not json"), None);
        assert_eq!(normalize_statements(r#"{"Statement": 3}"#), None);
    }

    /// The policy engine's functions, through SQL.
    #[tokio::test]
    async fn policy_functions_answer_through_sql() {
        let ctx = crate::engine::new_context().unwrap();
        let sql = r#"SELECT
            policy_allows('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}', 's3:GetObject', 'arn:aws:s3:::b/k') AS get,
            policy_allows('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}', 's3:PutObject', 'arn:aws:s3:::b/k') AS put,
            policy_allows('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}', 'iam:CreateUser', '*') AS denied,
            policy_allows('not a policy', 's3:GetObject', '*') AS garbage,
            array_length(expand_actions('iam:*AccessKey*')) >= 4 AS expanded,
            action_access_level('iam:PutRolePolicy') AS level,
            action_access_level('nosuch:Thing') AS unknown"#;
        let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
        let b = &batches[0];
        let flag = |i: usize| {
            let c = b.column(i).as_boolean();
            (!c.is_null(0)).then(|| c.value(0))
        };
        assert_eq!(flag(0), Some(true));
        assert_eq!(flag(1), Some(false));
        assert_eq!(flag(2), Some(false));
        assert_eq!(flag(3), None);
        assert_eq!(flag(4), Some(true));
        assert_eq!(
            b.column(5).as_string::<i32>().value(0),
            "Permissions management"
        );
        assert!(b.column(6).is_null(0));
    }
}
