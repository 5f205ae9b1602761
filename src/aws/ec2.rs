//! EC2 through its Query API, signed by hand (aws::signed): DescribeRegions, EBS encryption by
//! default, security groups, network ACLs, instances, VPCs and flow logs. aws-sdk-ec2 is 88 MB
//! of generated source, more than every other SDK crate govscan uses together.

use aws_config::SdkConfig;
use serde::Deserialize;

use super::signed::{endpoint, query, send, unparseable, SignedRequest};
use super::{ApiCallCounter, ErrorInfo};

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

/// An EC2 Query API call in `region` (API version 2016-11-15); the response body.
async fn ec2_query(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
    action: &str,
    params: &[(&str, String)],
) -> Result<String, ErrorInfo> {
    query(sdk, calls, "ec2", region, "2016-11-15", action, params).await
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

/// An instance, as DescribeInstances gives it: what CIS asks of it (its instance profile and
/// its metadata service options) and where it runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub instance_state: Option<InstanceState>,
    #[serde(default)]
    pub iam_instance_profile: Option<InstanceProfileRef>,
    #[serde(default)]
    pub metadata_options: Option<MetadataOptions>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub image_id: Option<String>,
    #[serde(default)]
    pub launch_time: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstanceState {
    /// pending, running, shutting-down, terminated, stopping, stopped.
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstanceProfileRef {
    pub arn: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataOptions {
    /// required (IMDSv2 only) or optional (IMDSv1 too).
    #[serde(default)]
    pub http_tokens: Option<String>,
    /// enabled or disabled: whether the metadata service answers at all.
    #[serde(default)]
    pub http_endpoint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reservation {
    #[serde(default)]
    instances_set: Items<Instance>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InstancesXml {
    #[serde(default)]
    reservation_set: Items<Reservation>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeInstances: every instance of the region, terminated ones included (the
/// caller decides), page by page.
pub async fn instances(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<Instance>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeInstances", parse_instances).await
}

fn parse_instances(body: &str) -> Result<(Vec<Instance>, Option<String>), ErrorInfo> {
    let page: InstancesXml = parse_ec2_response(body, "DescribeInstances")?;
    let instances = page
        .reservation_set
        .items
        .into_iter()
        .flat_map(|r| r.instances_set.items)
        .collect();
    Ok((instances, page.next_token))
}

/// A VPC, as DescribeVpcs gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vpc {
    pub vpc_id: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub cidr_block: Option<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub owner_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VpcsXml {
    #[serde(default)]
    vpc_set: Items<Vpc>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeVpcs: every VPC of the region, page by page.
pub async fn vpcs(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<Vpc>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeVpcs", |body| {
        let page: VpcsXml = parse_ec2_response(body, "DescribeVpcs")?;
        Ok((page.vpc_set.items, page.next_token))
    })
    .await
}

/// A flow log, as DescribeFlowLogs gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowLog {
    pub flow_log_id: String,
    /// The VPC, subnet or network interface it records.
    pub resource_id: String,
    /// ACTIVE once created.
    #[serde(default)]
    pub flow_log_status: Option<String>,
    /// ACCEPT, REJECT or ALL.
    #[serde(default)]
    pub traffic_type: Option<String>,
    /// cloud-watch-logs, s3 or kinesis-data-firehose.
    #[serde(default)]
    pub log_destination_type: Option<String>,
    #[serde(default)]
    pub log_destination: Option<String>,
    #[serde(default)]
    pub log_group_name: Option<String>,
    /// SUCCESS, or FAILED when delivery does not work.
    #[serde(default)]
    pub deliver_logs_status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FlowLogsXml {
    #[serde(default)]
    flow_log_set: Items<FlowLog>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeFlowLogs: every flow log of the region, page by page.
pub async fn flow_logs(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<FlowLog>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeFlowLogs", |body| {
        let page: FlowLogsXml = parse_ec2_response(body, "DescribeFlowLogs")?;
        Ok((page.flow_log_set.items, page.next_token))
    })
    .await
}

/// A route table with its routes and the subnets it serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTable {
    pub route_table_id: String,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub route_set: Items<Route>,
    #[serde(default)]
    pub association_set: Items<RouteTableAssociation>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    #[serde(default)]
    pub destination_cidr_block: Option<String>,
    #[serde(default)]
    pub destination_ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub destination_prefix_list_id: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    #[serde(default)]
    pub nat_gateway_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    /// active, or blackhole when the target is gone.
    #[serde(default)]
    pub state: Option<String>,
}

impl Route {
    /// Where the route sends traffic: the first target it names.
    pub fn target(&self) -> Option<&str> {
        [
            &self.gateway_id,
            &self.nat_gateway_id,
            &self.transit_gateway_id,
            &self.vpc_peering_connection_id,
            &self.instance_id,
            &self.network_interface_id,
        ]
        .into_iter()
        .find_map(|t| t.as_deref())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTableAssociation {
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// The VPC's main table, which serves every subnet without its own association.
    #[serde(default)]
    pub main: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RouteTablesXml {
    #[serde(default)]
    route_table_set: Items<RouteTable>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeRouteTables: every route table of the region, page by page.
pub async fn route_tables(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<RouteTable>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeRouteTables", |body| {
        let page: RouteTablesXml = parse_ec2_response(body, "DescribeRouteTables")?;
        Ok((page.route_table_set.items, page.next_token))
    })
    .await
}

/// A VPC endpoint, as DescribeVpcEndpoints gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    #[serde(default)]
    pub vpc_endpoint_type: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// com.amazonaws.REGION.SERVICE for AWS services.
    #[serde(default)]
    pub service_name: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub policy_document: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VpcEndpointsXml {
    #[serde(default)]
    vpc_endpoint_set: Items<VpcEndpoint>,
    #[serde(default)]
    next_token: Option<String>,
}

/// EC2 DescribeVpcEndpoints: every VPC endpoint of the region, page by page.
pub async fn vpc_endpoints(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<VpcEndpoint>, ErrorInfo> {
    ec2_pages(sdk, calls, region, "DescribeVpcEndpoints", |body| {
        let page: VpcEndpointsXml = parse_ec2_response(body, "DescribeVpcEndpoints")?;
        Ok((page.vpc_endpoint_set.items, page.next_token))
    })
    .await
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

    /// The shape of the EC2 API reference's DescribeInstances example: two reservations, an
    /// instance with a profile and IMDSv2 required, one without either, and a next token.
    #[test]
    fn instances_read_profile_metadata_options_across_reservations() {
        let body = r#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
  <reservationSet>
    <item>
      <reservationId>r-1234567890abcdef0</reservationId><ownerId>123456789012</ownerId>
      <instancesSet>
        <item>
          <instanceId>i-1234567890abcdef0</instanceId><imageId>ami-bff32ccc</imageId>
          <instanceState><code>16</code><name>running</name></instanceState>
          <iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/app</arn><id>AIPAJ</id></iamInstanceProfile>
          <metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>1</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions>
          <vpcId>vpc-1a2b3c4d</vpcId><subnetId>subnet-1a2b3c4d</subnetId>
          <launchTime>2018-05-08T16:46:19.000Z</launchTime>
        </item>
      </instancesSet>
    </item>
    <item>
      <reservationId>r-2</reservationId>
      <instancesSet>
        <item>
          <instanceId>i-0598c7d356eba48d7</instanceId>
          <instanceState><code>80</code><name>stopped</name></instanceState>
          <metadataOptions><httpTokens>optional</httpTokens><httpEndpoint>enabled</httpEndpoint></metadataOptions>
        </item>
      </instancesSet>
    </item>
  </reservationSet>
  <nextToken>page-2</nextToken>
</DescribeInstancesResponse>"#;
        let (instances, next) = parse_instances(body).unwrap();
        assert_eq!(next.as_deref(), Some("page-2"));
        assert_eq!(instances.len(), 2);
        assert_eq!(
            instances[0]
                .iam_instance_profile
                .as_ref()
                .map(|p| p.arn.as_str()),
            Some("arn:aws:iam::123456789012:instance-profile/app")
        );
        let tokens = |i: &Instance| {
            i.metadata_options
                .as_ref()
                .and_then(|m| m.http_tokens.clone())
        };
        assert_eq!(tokens(&instances[0]).as_deref(), Some("required"));
        assert_eq!(tokens(&instances[1]).as_deref(), Some("optional"));
        assert!(instances[1].iam_instance_profile.is_none());
        assert_eq!(
            instances[1].instance_state.as_ref().unwrap().name,
            "stopped"
        );
        assert!(parse_instances("<DescribeVpcsResponse/>").is_err());
    }
}
