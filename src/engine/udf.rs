//! govscan's SQL functions: ARN parts, CIDR membership, and policy statements.
//!
//! Every function takes untrusted text: a value that is not an ARN, an address or a policy
//! document gives NULL, never an error that would stop a whole check.

use std::net::IpAddr;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use serde_json::Value as Json;

pub fn register(ctx: &SessionContext) {
    for part in ArnPart::ALL {
        ctx.register_udf(ScalarUDF::new_from_impl(ArnFunction::new(part)));
    }
    ctx.register_udf(ScalarUDF::new_from_impl(CidrContains::new()));
    ctx.register_udf(ScalarUDF::new_from_impl(PolicyStatements::new()));
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

/// True if `ip` lies in `cidr` (IPv4 or IPv6; a bare address is a /32 or /128).
pub fn cidr_contains(cidr: &str, ip: &str) -> Option<bool> {
    let (net, prefix) = match cidr.trim().split_once('/') {
        Some((net, prefix)) => (
            net.parse::<IpAddr>().ok()?,
            Some(prefix.parse::<u32>().ok()?),
        ),
        None => (cidr.trim().parse::<IpAddr>().ok()?, None),
    };
    let ip = ip.trim().parse::<IpAddr>().ok()?;
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let prefix = prefix.unwrap_or(32);
            if prefix > 32 {
                return None;
            }
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - prefix)
            };
            Some(u32::from(n) & mask == u32::from(a) & mask)
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let prefix = prefix.unwrap_or(128);
            if prefix > 128 {
                return None;
            }
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - prefix)
            };
            Some(u128::from(n) & mask == u128::from(a) & mask)
        }
        _ => Some(false),
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
    fn cidr_membership_for_v4_and_v6_and_garbage() {
        assert_eq!(cidr_contains("10.0.0.0/8", "10.2.3.4"), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", "11.0.0.1"), Some(false));
        assert_eq!(cidr_contains("0.0.0.0/0", "8.8.8.8"), Some(true));
        assert_eq!(cidr_contains("192.0.2.1", "192.0.2.1"), Some(true));
        assert_eq!(cidr_contains("2001:db8::/32", "2001:db8:1::1"), Some(true));
        assert_eq!(cidr_contains("2001:db8::/32", "10.0.0.1"), Some(false));
        assert_eq!(cidr_contains("10.0.0.0/33", "10.0.0.1"), None);
        assert_eq!(cidr_contains("nonsense", "10.0.0.1"), None);
        assert_eq!(cidr_contains("10.0.0.0/8", "AWS Internal"), None);
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
}
