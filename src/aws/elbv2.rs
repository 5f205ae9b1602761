//! Elastic Load Balancing v2 (application, network and gateway load balancers) through its
//! Query API, signed by hand (aws::signed): DescribeLoadBalancers and
//! DescribeLoadBalancerAttributes, for where each load balancer writes its access logs.

use aws_config::SdkConfig;
use serde::Deserialize;

use super::signed::{query, query_pages, unparseable};
use super::{ApiCallCounter, ErrorInfo};

const VERSION: &str = "2015-12-01";

/// A load balancer, as DescribeLoadBalancers gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    pub load_balancer_arn: String,
    #[serde(default)]
    pub load_balancer_name: Option<String>,
    /// application, network or gateway.
    #[serde(default, rename = "Type")]
    pub kind: Option<String>,
    /// internet-facing or internal.
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub state: Option<State>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct State {
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Members<T> {
    #[serde(default = "Vec::new", rename = "member")]
    items: Vec<T>,
}

// By hand: the derive would ask T for a Default it does not need.
impl<T> Default for Members<T> {
    fn default() -> Self {
        Members { items: Vec::new() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeLoadBalancersResponse {
    describe_load_balancers_result: DescribeLoadBalancersResult,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeLoadBalancersResult {
    #[serde(default)]
    load_balancers: Members<LoadBalancer>,
    #[serde(default)]
    next_marker: Option<String>,
}

/// One attribute, `access_logs.s3.enabled` = `true`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeLoadBalancerAttributesResponse {
    describe_load_balancer_attributes_result: DescribeLoadBalancerAttributesResult,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeLoadBalancerAttributesResult {
    #[serde(default)]
    attributes: Members<Attribute>,
}

/// DescribeLoadBalancers: every load balancer of the region, page by page (Marker).
pub async fn load_balancers(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<LoadBalancer>, ErrorInfo> {
    let params = [("PageSize", "400".to_owned())];
    query_pages(
        sdk,
        calls,
        "elasticloadbalancing",
        region,
        VERSION,
        "DescribeLoadBalancers",
        &params,
        parse_load_balancers,
    )
    .await
}

/// DescribeLoadBalancerAttributes of one load balancer.
pub async fn load_balancer_attributes(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
    arn: &str,
) -> Result<Vec<Attribute>, ErrorInfo> {
    let body = query(
        sdk,
        calls,
        "elasticloadbalancing",
        region,
        VERSION,
        "DescribeLoadBalancerAttributes",
        &[("LoadBalancerArn", arn.to_owned())],
    )
    .await?;
    parse_attributes(&body)
}

fn parse_load_balancers(body: &str) -> Result<(Vec<LoadBalancer>, Option<String>), ErrorInfo> {
    const WHAT: &str = "DescribeLoadBalancers";
    // Only the action's own response counts: an unrelated body would read as "none".
    if !body.contains("<DescribeLoadBalancersResponse") {
        return Err(unparseable(WHAT, "not a DescribeLoadBalancersResponse"));
    }
    let parsed: DescribeLoadBalancersResponse =
        quick_xml::de::from_str(body).map_err(|e| unparseable(WHAT, e))?;
    let result = parsed.describe_load_balancers_result;
    Ok((result.load_balancers.items, result.next_marker))
}

fn parse_attributes(body: &str) -> Result<Vec<Attribute>, ErrorInfo> {
    const WHAT: &str = "DescribeLoadBalancerAttributes";
    if !body.contains("<DescribeLoadBalancerAttributesResponse") {
        return Err(unparseable(
            WHAT,
            "not a DescribeLoadBalancerAttributesResponse",
        ));
    }
    let parsed: DescribeLoadBalancerAttributesResponse =
        quick_xml::de::from_str(body).map_err(|e| unparseable(WHAT, e))?;
    Ok(parsed
        .describe_load_balancer_attributes_result
        .attributes
        .items)
}

/// The value of attribute `key`, if it is set.
pub fn attribute<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes of the ELBv2 API reference's examples.
    #[test]
    fn load_balancers_and_their_attributes_are_read() {
        let body = r#"<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancersResult>
    <LoadBalancers>
      <member>
        <LoadBalancerArn>arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188</LoadBalancerArn>
        <Scheme>internet-facing</Scheme>
        <LoadBalancerName>my-load-balancer</LoadBalancerName>
        <VpcId>vpc-3ac0fb5f</VpcId>
        <Type>application</Type>
        <State><Code>active</Code></State>
        <AvailabilityZones><member><ZoneName>us-west-2a</ZoneName></member></AvailabilityZones>
      </member>
    </LoadBalancers>
    <NextMarker>page-2</NextMarker>
  </DescribeLoadBalancersResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</DescribeLoadBalancersResponse>"#;
        let (found, next) = parse_load_balancers(body).unwrap();
        assert_eq!(next.as_deref(), Some("page-2"));
        assert_eq!(found[0].kind.as_deref(), Some("application"));
        assert_eq!(
            found[0].state.as_ref().and_then(|s| s.code.as_deref()),
            Some("active")
        );
        let attributes = r#"<DescribeLoadBalancerAttributesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
  <DescribeLoadBalancerAttributesResult>
    <Attributes>
      <member><Value>true</Value><Key>access_logs.s3.enabled</Key></member>
      <member><Value>my-logs</Value><Key>access_logs.s3.bucket</Key></member>
      <member><Value/><Key>access_logs.s3.prefix</Key></member>
    </Attributes>
  </DescribeLoadBalancerAttributesResult>
</DescribeLoadBalancerAttributesResponse>"#;
        let attributes = parse_attributes(attributes).unwrap();
        assert_eq!(
            attribute(&attributes, "access_logs.s3.enabled"),
            Some("true")
        );
        assert_eq!(
            attribute(&attributes, "access_logs.s3.bucket"),
            Some("my-logs")
        );
        assert_eq!(attribute(&attributes, "no.such.key"), None);
        assert!(parse_attributes("<ErrorResponse/>").is_err());
        assert!(parse_load_balancers("<DescribeLoadBalancersResponse><oops").is_err());
    }
}
