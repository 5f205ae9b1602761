//! Reading CloudTrail files in every form they come in, and normalizing each record to the
//! lake's columns.
//!
//! Forms, plain or gzipped (detected by content, not by name): `{"Records": [...]}` as a
//! trail writes them; a JSON array of records (console and CLI exports); JSON lines, one
//! record per line. Digest files are recognised and skipped; Insights events are counted and
//! skipped. Free-form fields (`requestParameters`, ...) are kept as the exact JSON text the
//! record held; unknown fields go to `extra`, never dropped.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// Files larger than this (decompressed) are rejected rather than read into memory; a trail
/// writes files of a few MB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug)]
pub enum FileKind {
    Records,
    Digest,
}

/// One record, ready for the lake.
#[derive(Debug)]
pub struct Normalized {
    pub event_id: String,
    pub event_date: NaiveDate,
    pub row: Value,
}

#[derive(Debug, Default)]
pub struct ParsedFile {
    pub records: Vec<Normalized>,
    /// (index of the record in the file, why it was rejected)
    pub rejected: Vec<(usize, String)>,
    pub insights_skipped: usize,
    pub digest: bool,
}

/// Reads a file's bytes, inflating gzip (by its magic number).
pub fn read_maybe_gzip(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip: {e} (truncated or corrupt)"))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Parses a decompressed file into normalized records.
pub fn parse_file(bytes: &[u8], source: &str) -> Result<ParsedFile, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut parsed = ParsedFile::default();
    let raw_records: Vec<Result<&RawValue, String>> = if trimmed.starts_with('[') {
        let list: Vec<&RawValue> =
            serde_json::from_str(trimmed).map_err(|e| format!("JSON array: {e}"))?;
        list.into_iter().map(Ok).collect()
    } else if trimmed.starts_with('{') {
        match serde_json::from_str::<BTreeMap<Cow<str>, &RawValue>>(trimmed) {
            Ok(top) if top.contains_key("Records") => {
                let list: Vec<&RawValue> = serde_json::from_str(top["Records"].get())
                    .map_err(|e| format!("Records: {e}"))?;
                list.into_iter().map(Ok).collect()
            }
            Ok(top)
                if top.contains_key("digestStartTime")
                    || top.contains_key("digestPublicKeyFingerprint") =>
            {
                parsed.digest = true;
                return Ok(parsed);
            }
            // A single object that is not a trail file: JSON lines, one record per line.
            _ => json_lines(trimmed)?,
        }
    } else if trimmed.is_empty() {
        Vec::new()
    } else {
        return Err("not JSON: expected {\"Records\": [...]}, a JSON array or JSON lines".into());
    };
    for (index, raw) in raw_records.into_iter().enumerate() {
        match raw.and_then(|r| normalize(r, source)) {
            Ok(Some(n)) => parsed.records.push(n),
            Ok(None) => parsed.insights_skipped += 1,
            Err(reason) => parsed.rejected.push((index, reason)),
        }
    }
    Ok(parsed)
}

fn json_lines(text: &str) -> Result<Vec<Result<&RawValue, String>>, String> {
    let lines: Vec<Result<&RawValue, String>> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str::<&RawValue>(l).map_err(|e| format!("JSON line: {e}")))
        .collect();
    if lines.iter().all(|l| l.is_err()) {
        return Err("not JSON: no line parses as a record".into());
    }
    Ok(lines)
}

/// Field names of the record format that become columns; anything else goes to `extra`.
const TOP_LEVEL: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "serviceEventDetails",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
    "edgeDeviceDetails",
    "insightDetails",
];

/// A string column from any JSON scalar; objects and arrays keep their JSON text.
fn text(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(other) => Value::String(other.to_string()),
    }
}

/// A boolean column from `true`/`false` or their strings (CloudTrail uses both).
fn boolean(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Bool(b)) => Value::Bool(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        _ => Value::Null,
    }
}

/// The exact JSON text of a free-form field; JSON null becomes a SQL NULL.
fn raw_text(v: Option<&&RawValue>) -> Value {
    match v {
        Some(r) if r.get() != "null" => Value::String(r.get().to_owned()),
        _ => Value::Null,
    }
}

fn object(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_object)
}

fn user_identity(v: Option<&Value>) -> Value {
    let Some(u) = object(v) else {
        return Value::Null;
    };
    let sc = object(u.get("sessionContext"));
    let issuer = sc.and_then(|s| object(s.get("sessionIssuer")));
    let attrs = sc.and_then(|s| object(s.get("attributes")));
    let obo = object(u.get("onBehalfOf"));
    json!({
        "type": text(u.get("type")),
        "principal_id": text(u.get("principalId")),
        "arn": text(u.get("arn")),
        "account_id": text(u.get("accountId")),
        "access_key_id": text(u.get("accessKeyId")),
        "user_name": text(u.get("userName")),
        "invoked_by": text(u.get("invokedBy")),
        "identity_provider": text(u.get("identityProvider")),
        "credential_id": text(u.get("credentialId")),
        "session_context": sc.map(|s| json!({
            "session_issuer": issuer.map(|i| json!({
                "type": text(i.get("type")),
                "principal_id": text(i.get("principalId")),
                "arn": text(i.get("arn")),
                "account_id": text(i.get("accountId")),
                "user_name": text(i.get("userName")),
            })),
            "attributes": attrs.map(|a| json!({
                "creation_date": text(a.get("creationDate")),
                "mfa_authenticated": boolean(a.get("mfaAuthenticated")),
            })),
            "source_identity": text(s.get("sourceIdentity")),
            "ec2_role_delivery": text(s.get("ec2RoleDelivery")),
            "web_id_federation_data": s.get("webIdFederationData").filter(|w| !w.is_null()).map(|w| w.to_string()),
        })),
        "on_behalf_of": obo.map(|o| json!({
            "user_id": text(o.get("userId")),
            "identity_store_arn": text(o.get("identityStoreArn")),
        })),
    })
}

fn resources(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|r| json!({ "arn": text(r.get("ARN")), "account_id": text(r.get("accountId")), "type": text(r.get("type")) }))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Normalizes one record; Ok(None) for an Insights event (it has no place in this table).
pub fn normalize(raw: &RawValue, source: &str) -> Result<Option<Normalized>, String> {
    let fields: BTreeMap<Cow<str>, &RawValue> = serde_json::from_str(raw.get())
        .map_err(|_| "the record is not a JSON object".to_owned())?;
    let parse = |k: &str| -> Option<Value> {
        fields
            .get(k)
            .and_then(|r| serde_json::from_str(r.get()).ok())
    };
    if parse("eventType").as_ref().and_then(Value::as_str) == Some("AwsCloudTrailInsight") {
        return Ok(None);
    }
    let event_time: DateTime<Utc> = parse("eventTime")
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| "eventTime is missing or not an RFC 3339 time".to_owned())?;
    let event_id = parse("eventID")
        .as_ref()
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| "eventID is missing".to_owned())?;
    let extra: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| !TOP_LEVEL.contains(&k.as_ref()))
        .map(|(k, v)| {
            (
                k.to_string(),
                serde_json::from_str(v.get()).unwrap_or(Value::Null),
            )
        })
        .collect();
    let row = json!({
        "event_version": text(parse("eventVersion").as_ref()),
        "user_identity": user_identity(parse("userIdentity").as_ref()),
        "event_time": event_time.timestamp_micros(),
        "event_source": text(parse("eventSource").as_ref()),
        "event_name": text(parse("eventName").as_ref()),
        "aws_region": text(parse("awsRegion").as_ref()),
        "source_ip_address": text(parse("sourceIPAddress").as_ref()),
        "user_agent": text(parse("userAgent").as_ref()),
        "error_code": text(parse("errorCode").as_ref()),
        "error_message": text(parse("errorMessage").as_ref()),
        "request_parameters": raw_text(fields.get("requestParameters")),
        "response_elements": raw_text(fields.get("responseElements")),
        "additional_event_data": raw_text(fields.get("additionalEventData")),
        "request_id": text(parse("requestID").as_ref()),
        "event_id": event_id,
        "read_only": boolean(parse("readOnly").as_ref()),
        "resources": resources(parse("resources").as_ref()),
        "event_type": text(parse("eventType").as_ref()),
        "api_version": text(parse("apiVersion").as_ref()),
        "management_event": boolean(parse("managementEvent").as_ref()),
        "recipient_account_id": text(parse("recipientAccountId").as_ref()),
        "shared_event_id": text(parse("sharedEventID").as_ref()),
        "service_event_details": raw_text(fields.get("serviceEventDetails")),
        "vpc_endpoint_id": text(parse("vpcEndpointId").as_ref()),
        "vpc_endpoint_account_id": text(parse("vpcEndpointAccountId").as_ref()),
        "event_category": text(parse("eventCategory").as_ref()),
        "tls_details": object(parse("tlsDetails").as_ref()).map(|t| json!({
            "tls_version": text(t.get("tlsVersion")),
            "cipher_suite": text(t.get("cipherSuite")),
            "client_provided_host_header": text(t.get("clientProvidedHostHeader")),
        })),
        "session_credential_from_console": boolean(parse("sessionCredentialFromConsole").as_ref()),
        "edge_device_details": raw_text(fields.get("edgeDeviceDetails")),
        "insight_details": raw_text(fields.get("insightDetails")),
        "extra": (!extra.is_empty()).then(|| Value::Object(extra).to_string()),
        "source_file": source,
    });
    Ok(Some(Normalized {
        event_id,
        event_date: event_time.date_naive(),
        row,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r"},"attributes":{"creationDate":"2023-07-10T11:42:31Z","mfaAuthenticated":"false"}}},"eventTime":"2023-07-10T23:59:59Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName" : "b","n":1.50},"responseElements":null,"eventID":"e1","readOnly":true,"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"sessionCredentialFromConsole":"true","futureField":{"x":1}}"#;

    #[test]
    fn records_are_normalized_with_free_form_fields_byte_for_byte() {
        let raw: &RawValue = serde_json::from_str(RECORD).unwrap();
        let n = normalize(raw, "f.json").unwrap().unwrap();
        assert_eq!(n.event_id, "e1");
        assert_eq!(n.event_date.to_string(), "2023-07-10");
        assert_eq!(
            n.row["request_parameters"],
            r#"{"bucketName" : "b","n":1.50}"#
        );
        assert_eq!(n.row["response_elements"], Value::Null);
        assert_eq!(
            n.row["user_identity"]["session_context"]["session_issuer"]["arn"],
            "arn:aws:iam::1:role/r"
        );
        assert_eq!(
            n.row["user_identity"]["session_context"]["attributes"]["mfa_authenticated"],
            false
        );
        assert_eq!(n.row["session_credential_from_console"], true);
        assert_eq!(n.row["resources"][0]["arn"], "arn:aws:s3:::b");
        assert_eq!(
            n.row["extra"], r#"{"futureField":{"x":1}}"#,
            "unknown fields are kept"
        );
    }

    #[test]
    fn every_file_form_is_read() {
        let trail = format!(r#"{{"Records":[{RECORD}]}}"#);
        let array = format!("[{RECORD}]");
        let lines = format!("{RECORD}\n\n{}\n", RECORD.replace("\"e1\"", "\"e2\""));
        for (form, text, n) in [
            ("trail", trail.as_str(), 1),
            ("array", array.as_str(), 1),
            ("lines", lines.as_str(), 2),
        ] {
            let parsed = parse_file(text.as_bytes(), "f").unwrap();
            assert_eq!(parsed.records.len(), n, "{form}");
            assert!(parsed.rejected.is_empty(), "{form}");
        }
        let digest =
            r#"{"awsAccountId":"1","digestStartTime":"2023-07-10T00:00:00Z","logFiles":[]}"#;
        assert!(parse_file(digest.as_bytes(), "d").unwrap().digest);
    }

    #[test]
    fn bad_records_are_rejected_with_their_index_and_the_rest_kept() {
        let text = format!(
            r#"{{"Records":[{RECORD}, 42, {{"eventID":"x","eventTime":"yesterday"}}, {{"eventTime":"2023-07-10T00:00:00Z"}}]}}"#
        );
        let parsed = parse_file(text.as_bytes(), "f").unwrap();
        assert_eq!(parsed.records.len(), 1);
        let rejected: Vec<usize> = parsed.rejected.iter().map(|r| r.0).collect();
        assert_eq!(rejected, [1, 2, 3]);
        assert!(parsed.rejected[0].1.contains("not a JSON object"));
        assert!(parsed.rejected[1].1.contains("eventTime"));
        assert!(parsed.rejected[2].1.contains("eventID"));
    }

    #[test]
    fn insights_events_are_skipped_and_counted() {
        let text = r#"{"Records":[{"eventVersion":"1.07","eventTime":"2023-07-10T00:00:00Z","eventType":"AwsCloudTrailInsight","eventID":"i1"}]}"#;
        let parsed = parse_file(text.as_bytes(), "f").unwrap();
        assert_eq!((parsed.records.len(), parsed.insights_skipped), (0, 1));
    }

    #[test]
    fn garbage_and_truncated_gzip_are_errors() {
        assert!(parse_file(b"hello", "f").unwrap_err().contains("not JSON"));
        assert!(parse_file(b"{\"Records\": [", "f").is_err());
        assert!(parse_file(&[0xff, 0xfe, 0x00], "f").is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, RECORD.repeat(50).as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let truncated = bytes[..bytes.len() / 2].to_vec();
        assert!(read_maybe_gzip(truncated).unwrap_err().contains("gzip"));
        assert_eq!(
            read_maybe_gzip(bytes).unwrap(),
            RECORD.repeat(50).as_bytes()
        );
    }
}
