//! AWS calls without a service SDK crate: the wire layer (SigV4 signing, sending, retries,
//! error bodies, counting) that aws::ec2 builds on, and S3 Control GetPublicAccessBlock.
//!
//! Why: aws-sdk-ec2 is 88 MB of generated source, more than every other SDK crate govscan uses
//! together, and aws-sdk-s3control another 11 MB; each was here for one call. A cold build
//! spent a large part of its time on them. These calls are signed with SigV4 by aws-sigv4 (the
//! SDK's own signer) and sent with reqwest (which object_store already brings), using the SDK
//! config's credentials, endpoint and retry budget, and counted like every SDK call.

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use serde::Deserialize;

use super::{error_chain, truncate_message, ApiCallCounter, ErrorInfo};

/// One request before signing.
pub struct SignedRequest {
    /// The signing name: "ec2", "s3".
    pub service: &'static str,
    pub region: String,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// S3 signs the payload hash into an x-amz-content-sha256 header.
    pub payload_hash_header: bool,
}

/// An answer that came back with a success status: its body.
pub type ResponseBody = String;

/// Error codes AWS uses for throttling; these, and 5xx answers, are retried.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "TooManyRequestsException",
];

fn http_client() -> Result<reqwest::Client, ErrorInfo> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| ErrorInfo {
            code: "ConstructionFailure".to_owned(),
            message: e.to_string(),
        })
}

/// Sends `request`, retrying throttling and server errors with exponential backoff up to the
/// SDK config's attempt budget.
pub async fn send(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    request: &SignedRequest,
) -> Result<ResponseBody, ErrorInfo> {
    let max_attempts = sdk
        .retry_config()
        .map(|r| r.max_attempts())
        .unwrap_or(3)
        .max(1);
    let client = http_client()?;
    let mut backoff = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match send_once(sdk, calls, &client, request).await {
            Err(failure) if failure.retryable && attempt < max_attempts => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(20));
                attempt += 1;
            }
            Err(failure) => return Err(failure.info),
            Ok(body) => return Ok(body),
        }
    }
}

struct Failure {
    info: ErrorInfo,
    retryable: bool,
}

impl Failure {
    fn fatal(code: &str, message: impl Into<String>) -> Self {
        Failure {
            info: ErrorInfo {
                code: code.to_owned(),
                message: message.into(),
            },
            retryable: false,
        }
    }
}

async fn send_once(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    client: &reqwest::Client,
    request: &SignedRequest,
) -> Result<ResponseBody, Failure> {
    let provider = sdk.credentials_provider().ok_or_else(|| {
        Failure::fatal("CredentialsNotLoaded", "no credentials provider configured")
    })?;
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|e| Failure::fatal("CredentialsNotLoaded", truncate_message(error_chain(&e))))?;
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    if request.payload_hash_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&request.region)
        .name(request.service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| Failure::fatal("ConstructionFailure", e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        request.method,
        request.url.as_str(),
        request.headers.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| Failure::fatal("ConstructionFailure", e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Failure::fatal("ConstructionFailure", e.to_string()))?
        .into_parts();

    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|e| Failure::fatal("ConstructionFailure", e.to_string()))?;
    let mut builder = client
        .request(method, &request.url)
        .body(request.body.clone());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    for (name, value) in instructions.headers() {
        builder = builder.header(name, value);
    }

    calls.record_attempt();
    let response = builder.send().await.map_err(|e| Failure {
        info: ErrorInfo {
            code: if e.is_timeout() {
                "Timeout"
            } else {
                "DispatchFailure"
            }
            .to_owned(),
            message: truncate_message(error_chain(&e)),
        },
        retryable: true,
    })?;
    let status = response.status();
    let body = response.text().await.map_err(|e| Failure {
        info: ErrorInfo {
            code: "ResponseError".to_owned(),
            message: truncate_message(error_chain(&e)),
        },
        retryable: true,
    })?;
    if status.is_success() {
        calls.record_success();
        return Ok(body);
    }
    let (code, message) = match error_code_and_message(&body) {
        Some((code, message)) => (code, message),
        // Bodies of failed responses that are not AWS errors (HTML pages) stay out.
        None => (
            format!("HTTP{}", status.as_u16()),
            format!(
                "HTTP {} with a response that is not an AWS error",
                status.as_u16()
            ),
        ),
    };
    let retryable = status.is_server_error() || THROTTLING_CODES.contains(&code.as_str());
    Err(Failure {
        info: ErrorInfo {
            code,
            message: truncate_message(message),
        },
        retryable,
    })
}

/// An AWS error body in any of the XML shapes the query and REST protocols use:
/// `<Response><Errors><Error>` (EC2), `<ErrorResponse><Error>` (S3 Control, IAM) and a
/// bare `<Error>` (S3).
#[derive(Debug, Default, Deserialize)]
struct XmlError {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Error")]
    error: Option<Box<XmlError>>,
    #[serde(rename = "Errors")]
    errors: Option<Box<XmlError>>,
}

fn error_code_and_message(body: &str) -> Option<(String, String)> {
    if body.trim_start().starts_with('{') {
        return json_error(body);
    }
    let mut node: XmlError = quick_xml::de::from_str(body).ok()?;
    loop {
        if let Some(code) = node.code.filter(|c| !c.is_empty()) {
            return Some((code, node.message.unwrap_or_default()));
        }
        node = *node.error.or(node.errors)?;
    }
}

/// An AWS error body of the JSON protocols: `{"__type": "prefix#Code", "message": ..}`
/// (awsJson), `{"Code": .., "Message": ..}` (Security Hub) or `{"ErrorCode": ..}` (EFS).
fn json_error(body: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| v.get(*n).and_then(serde_json::Value::as_str))
            .map(str::to_owned)
    };
    let code = field(&["__type", "code", "Code", "ErrorCode"])?;
    // `com.amazonaws.kms#NotFoundException`, or `Code:http://internal...` in some services.
    let code = code.rsplit('#').next().unwrap_or(&code);
    let code = code.split(':').next().unwrap_or(code).to_owned();
    Some((code, field(&["message", "Message"]).unwrap_or_default()))
}

/// A call of an awsJson 1.1 API (CloudWatch Logs): a POST of `body` to the service's
/// regional endpoint with `X-Amz-Target: {target}`; the answer as JSON.
pub async fn json_rpc(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    region: &str,
    target: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, ErrorInfo> {
    let request = SignedRequest {
        service,
        region: region.to_owned(),
        method: "POST",
        url: format!("{}/", endpoint(sdk, service, region)),
        headers: vec![
            ("content-type", "application/x-amz-json-1.1".to_owned()),
            ("x-amz-target", target.to_owned()),
        ],
        body: body.to_string().into_bytes(),
        payload_hash_header: false,
    };
    let answer = send(sdk, calls, &request).await?;
    serde_json::from_str(&answer).map_err(|e| unparseable(target, e))
}

/// Every page of a JSON API paged by a token (Logs, Secrets Manager, EventBridge, EFS,
/// Lambda): `fetch(token)` asks for one page, `list` names its items and `next` the token
/// of the page after it. An answer without its list is an unparseable response, not "none".
pub async fn json_pages<F, Fut>(
    operation: &str,
    list: &str,
    next: &str,
    mut fetch: F,
) -> Result<Vec<serde_json::Value>, ErrorInfo>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, ErrorInfo>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = fetch(token.take()).await?;
        let Some(found) = page.get(list).and_then(serde_json::Value::as_array) else {
            return Err(unparseable(
                operation,
                format!("no {list} list in the answer"),
            ));
        };
        items.extend(found.iter().cloned());
        token = page
            .get(next)
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            return Ok(items);
        }
    }
}

/// A GET of a REST-JSON API (Security Hub, EFS, Lambda): the service's signing name, its
/// host prefix, the path with its query; the answer as JSON.
pub async fn rest_json_get(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    host: &str,
    region: &str,
    path: &str,
) -> Result<serde_json::Value, ErrorInfo> {
    rest_json(sdk, calls, service, host, region, "GET", path, None).await
}

/// A POST of a REST-JSON API with a JSON body (Account).
pub async fn rest_json_post(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    host: &str,
    region: &str,
    path: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, ErrorInfo> {
    rest_json(sdk, calls, service, host, region, "POST", path, Some(body)).await
}

#[allow(clippy::too_many_arguments)]
async fn rest_json(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    host: &str,
    region: &str,
    method: &'static str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Result<serde_json::Value, ErrorInfo> {
    let mut headers = vec![("accept", "application/json".to_owned())];
    if body.is_some() {
        headers.push(("content-type", "application/json".to_owned()));
    }
    let request = SignedRequest {
        service,
        region: region.to_owned(),
        method,
        url: format!("{}{path}", endpoint(sdk, host, region)),
        headers,
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
        payload_hash_header: false,
    };
    let answer = send(sdk, calls, &request).await?;
    serde_json::from_str(&answer).map_err(|e| unparseable(path, e))
}

/// A signed GET of a REST-XML API at `base` (CloudFront): the response body.
pub async fn rest_get(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    base: &str,
    region: &str,
    path: &str,
) -> Result<ResponseBody, ErrorInfo> {
    let request = SignedRequest {
        service,
        region: region.to_owned(),
        method: "GET",
        url: format!("{}{path}", base.trim_end_matches('/')),
        headers: Vec::new(),
        body: Vec::new(),
        payload_hash_header: false,
    };
    send(sdk, calls, &request).await
}

/// A text field of a JSON answer, owned; absent, null or not text as None.
pub fn json_text(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// The endpoint of a service in a region: the configured custom endpoint (moto, localstack)
/// as given, else the public one.
pub(super) fn endpoint(sdk: &SdkConfig, service_host: &str, region: &str) -> String {
    match sdk.endpoint_url() {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("https://{service_host}.{region}.amazonaws.com"),
    }
}

pub fn unparseable(what: &str, error: impl std::fmt::Display) -> ErrorInfo {
    ErrorInfo {
        code: "UnparseableResponse".to_owned(),
        message: truncate_message(format!(
            "{what}: the response body could not be parsed: {error}"
        )),
    }
}

/// An account's S3 Block Public Access settings; absent settings block nothing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

/// The body is the configuration itself (it is the output's HTTP payload); some servers wrap
/// it in a GetPublicAccessBlockOutput element, which is read too. Flags are read as text:
/// quick-xml cannot give a bool through the nested shape.
#[derive(Debug, Default, Deserialize)]
struct PublicAccessBlockXml {
    #[serde(rename = "BlockPublicAcls")]
    block_public_acls: Option<String>,
    #[serde(rename = "IgnorePublicAcls")]
    ignore_public_acls: Option<String>,
    #[serde(rename = "BlockPublicPolicy")]
    block_public_policy: Option<String>,
    #[serde(rename = "RestrictPublicBuckets")]
    restrict_public_buckets: Option<String>,
    #[serde(rename = "PublicAccessBlockConfiguration")]
    wrapped: Option<Box<PublicAccessBlockXml>>,
}

impl PublicAccessBlockXml {
    fn settings(self) -> PublicAccessBlock {
        if let Some(inner) = self.wrapped {
            return inner.settings();
        }
        let flag = |v: Option<String>| v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        PublicAccessBlock {
            block_public_acls: flag(self.block_public_acls),
            ignore_public_acls: flag(self.ignore_public_acls),
            block_public_policy: flag(self.block_public_policy),
            restrict_public_buckets: flag(self.restrict_public_buckets),
        }
    }
}

/// S3 Control GetPublicAccessBlock (REST-XML): None when the account has no configuration.
pub async fn account_public_access_block(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    account_id: &str,
    region: &str,
    path_style: bool,
) -> Result<Option<PublicAccessBlock>, ErrorInfo> {
    let base = match sdk.endpoint_url() {
        // Custom endpoints that serve S3 by path take the request as it is.
        Some(url) if path_style => url.trim_end_matches('/').to_owned(),
        // S3 Control puts the account id in front of the endpoint's host.
        Some(url) => {
            let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
            format!("{scheme}://{account_id}.{}", rest.trim_end_matches('/'))
        }
        None => format!("https://{account_id}.s3-control.{region}.amazonaws.com"),
    };
    let request = SignedRequest {
        service: "s3",
        region: region.to_owned(),
        method: "GET",
        url: format!("{base}/v20180820/configuration/publicAccessBlock"),
        headers: vec![("x-amz-account-id", account_id.to_owned())],
        body: Vec::new(),
        payload_hash_header: true,
    };
    match send(sdk, calls, &request).await {
        Ok(body) => parse_public_access_block(&body).map(Some),
        Err(e) if e.code == "NoSuchPublicAccessBlockConfiguration" => Ok(None),
        Err(e) => Err(e),
    }
}

fn parse_public_access_block(body: &str) -> Result<PublicAccessBlock, ErrorInfo> {
    let parsed: PublicAccessBlockXml =
        quick_xml::de::from_str(body).map_err(|e| unparseable("GetPublicAccessBlock", e))?;
    Ok(parsed.settings())
}

/// A Query API call (EC2, RDS): a form-encoded POST of the action, the API `version` and
/// the parameters (URL-encoded here) to the service's regional endpoint; the response body.
pub async fn query(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    region: &str,
    version: &str,
    action: &str,
    params: &[(&str, String)],
) -> Result<String, ErrorInfo> {
    let mut body = format!("Action={action}&Version={version}");
    for (key, value) in params {
        body.push('&');
        body.push_str(key);
        body.push('=');
        body.push_str(&form_encode(value));
    }
    let request = SignedRequest {
        service,
        url: format!("{}/", endpoint(sdk, service, region)),
        region: region.to_owned(),
        method: "POST",
        headers: vec![(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        )],
        body: body.into_bytes(),
        payload_hash_header: false,
    };
    send(sdk, calls, &request).await
}

/// Every page of a Query API action paged by `Marker` (RDS, ELBv2): `parse` reads a page's
/// items and the marker of the page after it; `params` are sent with every page.
#[allow(clippy::too_many_arguments)]
pub async fn query_pages<T>(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    service: &'static str,
    region: &str,
    version: &str,
    action: &str,
    params: &[(&str, String)],
    parse: impl Fn(&str) -> Result<(Vec<T>, Option<String>), ErrorInfo>,
) -> Result<Vec<T>, ErrorInfo> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut page_params = params.to_vec();
        if let Some(m) = marker.take() {
            page_params.push(("Marker", m));
        }
        let body = query(sdk, calls, service, region, version, action, &page_params).await?;
        let (items, next) = parse(&body)?;
        out.extend(items);
        marker = next.filter(|m| !m.is_empty());
        if marker.is_none() {
            return Ok(out);
        }
    }
}

/// `application/x-www-form-urlencoded` for one value: unreserved characters as they are,
/// every other byte as %XX.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_every_xml_error_shape() {
        let ec2 = "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized &amp; denied</Message></Error></Errors><RequestID>x</RequestID></Response>";
        assert_eq!(
            error_code_and_message(ec2),
            Some((
                "UnauthorizedOperation".to_owned(),
                "You are not authorized & denied".to_owned()
            ))
        );
        let s3control = "<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error><RequestId>1</RequestId></ErrorResponse>";
        assert_eq!(
            error_code_and_message(s3control).unwrap().0,
            "NoSuchPublicAccessBlockConfiguration"
        );
        let s3 =
            "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>no</Message></Error>";
        assert_eq!(error_code_and_message(s3).unwrap().0, "AccessDenied");
        assert_eq!(error_code_and_message("<html>502 Bad Gateway</html>"), None);
        // The JSON protocols.
        let kms = r#"{"__type":"com.amazonaws.kms#NotFoundException","message":"Key 'x' does not exist"}"#;
        assert_eq!(
            error_code_and_message(kms),
            Some(("NotFoundException".into(), "Key 'x' does not exist".into()))
        );
        let hub = r#"{"Code":"InvalidAccessException","Message":"Account 1 is not subscribed to AWS Security Hub"}"#;
        assert_eq!(
            error_code_and_message(hub).unwrap().0,
            "InvalidAccessException"
        );
        let efs = r#"{"ErrorCode":"FileSystemNotFound","Message":"none"}"#;
        assert_eq!(error_code_and_message(efs).unwrap().0, "FileSystemNotFound");
        assert_eq!(error_code_and_message(r#"{"unrelated": 1}"#), None);
        assert_eq!(error_code_and_message("not xml at all"), None);
    }

    #[test]
    fn public_access_block_reads_bare_and_wrapped_bodies_and_missing_flags_are_false() {
        let bare = r#"<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"#;
        assert_eq!(
            parse_public_access_block(bare).unwrap(),
            PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: false,
                block_public_policy: false,
                restrict_public_buckets: true,
            }
        );
        let wrapped = "<GetPublicAccessBlockOutput><PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration></GetPublicAccessBlockOutput>";
        assert!(
            parse_public_access_block(wrapped)
                .unwrap()
                .block_public_policy
        );
        assert!(parse_public_access_block("<html>oops").is_err());
    }

    /// Pages are followed by their token until a page without one; an answer without its
    /// list is an error, not an empty result.
    #[tokio::test]
    async fn json_pages_follow_the_token_and_refuse_an_answer_without_its_list() {
        let pages = |token: Option<String>| async move {
            Ok(match token.as_deref() {
                None => serde_json::json!({"Items": [1, 2], "Next": "p2"}),
                Some("p2") => serde_json::json!({"Items": [3], "Next": ""}),
                Some(other) => panic!("unexpected token {other}"),
            })
        };
        let all = json_pages("List", "Items", "Next", pages).await.unwrap();
        assert_eq!(all, [1, 2, 3]);
        let err = json_pages("List", "Items", "Next", |_| async {
            Ok(serde_json::json!({"Message": "a proxy page"}))
        })
        .await
        .unwrap_err();
        assert_eq!(err.code, "UnparseableResponse");
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_encode("a b/c=d+e~"), "a%20b%2Fc%3Dd%2Be~");
    }
}
