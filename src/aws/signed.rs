//! The two AWS calls govscan makes without a service SDK crate: EC2 DescribeRegions and S3
//! Control GetPublicAccessBlock.
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
    let mut node: XmlError = quick_xml::de::from_str(body).ok()?;
    loop {
        if let Some(code) = node.code.filter(|c| !c.is_empty()) {
            return Some((code, node.message.unwrap_or_default()));
        }
        node = *node.error.or(node.errors)?;
    }
}

/// The endpoint of a service in a region: the configured custom endpoint (moto, localstack)
/// as given, else the public one.
fn endpoint(sdk: &SdkConfig, service_host: &str, region: &str) -> String {
    match sdk.endpoint_url() {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("https://{service_host}.{region}.amazonaws.com"),
    }
}

#[derive(Debug, Deserialize)]
struct DescribeRegionsResponse {
    #[serde(rename = "regionInfo", default)]
    region_info: RegionInfo,
}

#[derive(Debug, Default, Deserialize)]
struct RegionInfo {
    #[serde(rename = "item", default)]
    items: Vec<RegionItem>,
}

#[derive(Debug, Deserialize)]
struct RegionItem {
    #[serde(rename = "regionName")]
    region_name: String,
    #[serde(rename = "optInStatus")]
    opt_in_status: Option<String>,
}

/// EC2 DescribeRegions (query protocol): the regions the account can use, that is opted in
/// or not needing opt-in, sorted.
pub async fn enabled_regions(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
) -> Result<Vec<String>, ErrorInfo> {
    let region = sdk
        .region()
        .map(|r| r.as_ref().to_owned())
        .unwrap_or_else(|| super::DEFAULT_REGION.to_owned());
    let request = SignedRequest {
        service: "ec2",
        url: format!("{}/", endpoint(sdk, "ec2", &region)),
        region,
        method: "POST",
        headers: vec![(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
        )],
        body: b"Action=DescribeRegions&Version=2016-11-15&AllRegions=false".to_vec(),
        payload_hash_header: false,
    };
    let body = send(sdk, calls, &request).await?;
    parse_describe_regions(&body)
}

fn unparseable(what: &str, error: impl std::fmt::Display) -> ErrorInfo {
    ErrorInfo {
        code: "UnparseableResponse".to_owned(),
        message: truncate_message(format!(
            "{what}: the response body could not be parsed: {error}"
        )),
    }
}

fn parse_describe_regions(body: &str) -> Result<Vec<String>, ErrorInfo> {
    let parsed: DescribeRegionsResponse =
        quick_xml::de::from_str(body).map_err(|e| unparseable("DescribeRegions", e))?;
    let mut regions: Vec<String> = parsed
        .region_info
        .items
        .into_iter()
        .filter(|r| r.opt_in_status.as_deref() != Some("not-opted-in"))
        .map(|r| r.region_name)
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
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

/// An EC2 Query API call in `region`: the action, its parameters (URL-encoded here) and
/// API version 2016-11-15; the response body.
async fn ec2_query(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
    action: &str,
    params: &[(&str, String)],
) -> Result<String, ErrorInfo> {
    let mut body = format!("Action={action}&Version=2016-11-15");
    for (key, value) in params {
        body.push('&');
        body.push_str(key);
        body.push('=');
        body.push_str(&form_encode(value));
    }
    let request = SignedRequest {
        service: "ec2",
        url: format!("{}/", endpoint(sdk, "ec2", region)),
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

/// `application/x-www-form-urlencoded` for one value: unreserved characters as they are,
/// every other byte as %XX.
fn form_encode(value: &str) -> String {
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EbsEncryptionXml {
    ebs_encryption_by_default: bool,
}

/// EC2 GetEbsEncryptionByDefault: whether new EBS volumes of the region are encrypted.
pub async fn ebs_encryption_by_default(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<bool, ErrorInfo> {
    let body = ec2_query(sdk, calls, region, "GetEbsEncryptionByDefault", &[]).await?;
    let parsed: EbsEncryptionXml =
        quick_xml::de::from_str(&body).map_err(|e| unparseable("GetEbsEncryptionByDefault", e))?;
    Ok(parsed.ebs_encryption_by_default)
}

/// A security group and its rules, as DescribeSecurityGroups gives them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    #[serde(default)]
    pub group_description: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub ip_permissions: Items<IpPermission>,
    #[serde(default)]
    pub ip_permissions_egress: Items<IpPermission>,
}

/// EC2's `<x><item>..</item><item>..</item></x>` lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Items<T> {
    #[serde(default, rename = "item")]
    pub items: Vec<T>,
}

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items { items: Vec::new() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpPermission {
    /// tcp, udp, icmp, icmpv6, a protocol number, or -1 for every protocol.
    pub ip_protocol: String,
    #[serde(default)]
    pub from_port: Option<i64>,
    #[serde(default)]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub ip_ranges: Items<IpRange>,
    #[serde(default)]
    pub ipv6_ranges: Items<Ipv6Range>,
    #[serde(default)]
    pub groups: Items<GroupPair>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    pub cidr_ip: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPair {
    #[serde(default)]
    pub group_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecurityGroupsXml {
    #[serde(default)]
    security_group_info: Items<SecurityGroup>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeSecurityGroups: every security group of the region, page by page.
pub async fn security_groups(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<SecurityGroup>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeSecurityGroups", |body| {
        parse_security_groups(body).map(|p| (p.security_group_info.items, p.next_token))
    })
    .await
}

/// Every page of an EC2 Describe call (MaxResults 1000, then NextToken), each read by
/// `page` into its items and the next token.
async fn ec2_pages<T>(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
    action: &str,
    page: impl Fn(&str) -> Result<(Vec<T>, Option<String>), ErrorInfo>,
) -> Result<Vec<T>, ErrorInfo> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = vec![("MaxResults", "1000".to_owned())];
        if let Some(t) = &token {
            params.push(("NextToken", t.clone()));
        }
        let body = ec2_query(sdk, calls, region, action, &params).await?;
        let (items, next) = page(&body)?;
        out.extend(items);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(out);
        }
    }
}

fn parse_security_groups(body: &str) -> Result<SecurityGroupsXml, ErrorInfo> {
    parse_ec2_response(body, "DescribeSecurityGroups")
}

/// An EC2 response body of `action`. Every field of the lists has a default, so an
/// unrelated body (a proxy's error page) would read as "nothing there", a false PASS: only
/// the action's own response element counts.
fn parse_ec2_response<T: serde::de::DeserializeOwned>(
    body: &str,
    action: &str,
) -> Result<T, ErrorInfo> {
    if !body.contains(&format!("<{action}Response")) {
        return Err(unparseable(action, format!("not a {action}Response")));
    }
    quick_xml::de::from_str(body).map_err(|e| unparseable(action, e))
}

/// A network ACL and its entries, as DescribeNetworkAcls gives them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcl {
    pub network_acl_id: String,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub entry_set: Items<NetworkAclEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAclEntry {
    pub rule_number: i64,
    /// A protocol number (6 TCP, 17 UDP) or -1 for all.
    pub protocol: String,
    /// allow or deny.
    pub rule_action: String,
    #[serde(default)]
    pub egress: bool,
    #[serde(default)]
    pub cidr_block: Option<String>,
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub port_range: Option<PortRange>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PortRange {
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkAclsXml {
    #[serde(default)]
    network_acl_set: Items<NetworkAcl>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeNetworkAcls: every network ACL of the region, page by page.
pub async fn network_acls(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<NetworkAcl>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeNetworkAcls", |body| {
        parse_network_acls(body).map(|p| (p.network_acl_set.items, p.next_token))
    })
    .await
}

fn parse_network_acls(body: &str) -> Result<NetworkAclsXml, ErrorInfo> {
    parse_ec2_response(body, "DescribeNetworkAcls")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The response documented in the EC2 API reference for DescribeRegions, with an
    /// opt-in region that is not opted in.
    #[test]
    fn describe_regions_keeps_regions_usable_by_the_account() {
        let body = r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <regionInfo>
      <item><regionName>us-west-2</regionName><regionEndpoint>ec2.us-west-2.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>
      <item><regionName>af-south-1</regionName><regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint><optInStatus>not-opted-in</optInStatus></item>
      <item><regionName>ap-east-1</regionName><regionEndpoint>ec2.ap-east-1.amazonaws.com</regionEndpoint><optInStatus>opted-in</optInStatus></item>
      <item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item>
   </regionInfo>
</DescribeRegionsResponse>"#;
        assert_eq!(
            parse_describe_regions(body).unwrap(),
            ["ap-east-1", "eu-west-1", "us-west-2"]
        );
    }

    #[test]
    fn a_body_that_is_not_describe_regions_is_an_unparseable_response() {
        let err = parse_describe_regions("<html><body>gateway</body>").unwrap_err();
        assert_eq!(err.code, "UnparseableResponse");
        assert!(parse_describe_regions("<DescribeRegionsResponse><regionInfo><item>").is_err());
    }

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

    /// A server that answers 503 and then SlowDown is retried until the attempt budget is
    /// spent, and every attempt is counted; a 403 is not retried.
    #[tokio::test]
    async fn throttling_and_server_errors_are_retried_and_counted_client_errors_are_not() {
        use std::io::{Read, Write};
        use std::net::TcpListener;

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let answers = [
            ("503 Service Unavailable", "<html>busy</html>".to_owned()),
            (
                "503 Slow Down",
                "<Error><Code>SlowDown</Code><Message>slow</Message></Error>".to_owned(),
            ),
            (
                "403 Forbidden",
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no</Message></Error></Errors></Response>".to_owned(),
            ),
        ];
        let server = std::thread::spawn(move || {
            for (status, body) in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf).unwrap();
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(reply.as_bytes()).unwrap();
            }
        });
        let sdk = aws_config::SdkConfig::builder()
            .endpoint_url(&url)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::new(
                        "AKIDTEST", "secret", None, None, "test",
                    ),
                ),
            )
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(5))
            .build();
        let calls = ApiCallCounter::default();
        let err = enabled_regions(&sdk, &calls).await.unwrap_err();
        server.join().unwrap();
        assert_eq!(err.code, "UnauthorizedOperation");
        assert_eq!(calls.get(), 3);
        assert_eq!(calls.successes(), 0);
    }

    /// The shape of the EC2 API reference's DescribeSecurityGroups example: a group with an
    /// IPv4 and an IPv6 world-open SSH rule, a rule from another group, and an egress rule.
    #[test]
    fn security_groups_read_rules_ranges_and_pages() {
        let body = r#"<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <securityGroupInfo>
    <item>
      <ownerId>123456789012</ownerId>
      <groupId>sg-1a2b3c4d</groupId>
      <groupName>WebServers</groupName>
      <groupDescription>Web Servers</groupDescription>
      <vpcId>vpc-614cc409</vpcId>
      <ipPermissions>
        <item>
          <ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>
          <groups/>
          <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges>
          <ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges>
          <prefixListIds/>
        </item>
        <item>
          <ipProtocol>-1</ipProtocol>
          <groups><item><userId>123456789012</userId><groupId>sg-9a8d7f5c</groupId></item></groups>
          <ipRanges/>
        </item>
      </ipPermissions>
      <ipPermissionsEgress>
        <item><ipProtocol>-1</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item>
      </ipPermissionsEgress>
    </item>
  </securityGroupInfo>
  <nextToken>page-2</nextToken>
</DescribeSecurityGroupsResponse>"#;
        let page = parse_security_groups(body).unwrap();
        assert_eq!(page.next_token.as_deref(), Some("page-2"));
        let g = &page.security_group_info.items[0];
        assert_eq!(
            (g.group_id.as_str(), g.vpc_id.as_deref()),
            ("sg-1a2b3c4d", Some("vpc-614cc409"))
        );
        let ssh = &g.ip_permissions.items[0];
        assert_eq!((ssh.from_port, ssh.to_port), (Some(22), Some(22)));
        assert_eq!(ssh.ip_ranges.items[0].cidr_ip, "0.0.0.0/0");
        assert_eq!(ssh.ipv6_ranges.items[0].cidr_ipv6, "::/0");
        let from_group = &g.ip_permissions.items[1];
        assert_eq!(from_group.ip_protocol, "-1");
        assert_eq!(
            from_group.groups.items[0].group_id.as_deref(),
            Some("sg-9a8d7f5c")
        );
        assert_eq!(g.ip_permissions_egress.items.len(), 1);
        assert!(parse_security_groups("<html>not ec2</html>").is_err());
        assert!(parse_security_groups(
            "<DescribeSecurityGroupsResponse><securityGroupInfo><item><groupId>"
        )
        .is_err());
    }

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_encode("a b/c=d+e~"), "a%20b%2Fc%3Dd%2Be~");
    }

    /// The shape of the EC2 API reference's DescribeNetworkAcls example: a default ACL with
    /// its allow-all and deny-all entries, one with a port range.
    #[test]
    fn network_acls_read_entries_and_port_ranges() {
        let body = r#"<DescribeNetworkAclsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <networkAclSet>
    <item>
      <networkAclId>acl-5566953c</networkAclId>
      <vpcId>vpc-5266953b</vpcId>
      <default>true</default>
      <entrySet>
        <item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
        <item><ruleNumber>110</ruleNumber><protocol>6</protocol><ruleAction>deny</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock><portRange><from>22</from><to>22</to></portRange></item>
        <item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>false</egress><ipv6CidrBlock>::/0</ipv6CidrBlock></item>
      </entrySet>
    </item>
  </networkAclSet>
</DescribeNetworkAclsResponse>"#;
        let page = parse_network_acls(body).unwrap();
        let acl = &page.network_acl_set.items[0];
        assert!(acl.default);
        assert_eq!(acl.entry_set.items.len(), 3);
        let ssh = &acl.entry_set.items[1];
        assert_eq!(
            (
                ssh.rule_number,
                ssh.protocol.as_str(),
                ssh.rule_action.as_str()
            ),
            (110, "6", "deny")
        );
        assert_eq!(ssh.port_range.as_ref().and_then(|p| p.from), Some(22));
        assert_eq!(
            acl.entry_set.items[2].ipv6_cidr_block.as_deref(),
            Some("::/0")
        );
        assert!(parse_network_acls("<Error/>").is_err());
    }
}
