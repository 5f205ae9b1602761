//! CloudFront through its REST-XML API, signed by hand (aws::signed): ListDistributions and
//! GetDistributionConfig, for where each distribution writes its standard (legacy) access
//! logs. CloudFront is global: one endpoint, signed for us-east-1.

use aws_config::SdkConfig;
use serde::Deserialize;

use super::signed::{form_encode, rest_get, unparseable};
use super::{ApiCallCounter, ErrorInfo};

const API: &str = "/2020-05-31";
const SIGNING_REGION: &str = "us-east-1";

/// A distribution, as ListDistributions summarizes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionSummary {
    pub id: String,
    #[serde(default, rename = "ARN")]
    pub arn: Option<String>,
    #[serde(default)]
    pub domain_name: Option<String>,
    /// Deployed or InProgress.
    #[serde(default)]
    pub status: Option<String>,
    /// As text: quick-xml reads a bool in a nested element only as text.
    #[serde(default)]
    pub enabled: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DistributionList {
    #[serde(default)]
    items: Option<Summaries>,
    #[serde(default)]
    is_truncated: Option<String>,
    #[serde(default)]
    next_marker: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Summaries {
    #[serde(default, rename = "DistributionSummary")]
    items: Vec<DistributionSummary>,
}

/// The standard logging part of a distribution's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Logging {
    #[serde(default)]
    pub enabled: Option<String>,
    /// `bucket.s3.amazonaws.com`
    #[serde(default)]
    pub bucket: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DistributionConfig {
    #[serde(default)]
    logging: Option<Logging>,
}

/// The endpoint: the configured custom one (moto), else CloudFront's global one.
fn base(sdk: &SdkConfig) -> String {
    sdk.endpoint_url()
        .map(|u| u.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| "https://cloudfront.amazonaws.com".to_owned())
}

/// ListDistributions: every distribution of the account, page by page (Marker).
pub async fn distributions(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
) -> Result<Vec<DistributionSummary>, ErrorInfo> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut path = format!("{API}/distribution?MaxItems=100");
        if let Some(m) = &marker {
            path.push_str("&Marker=");
            path.push_str(&form_encode(m));
        }
        let body = rest_get(sdk, calls, "cloudfront", &base(sdk), SIGNING_REGION, &path).await?;
        let (items, next) = parse_distributions(&body)?;
        out.extend(items);
        marker = next;
        if marker.is_none() {
            return Ok(out);
        }
    }
}

/// GetDistributionConfig: the standard logging settings of one distribution (none given:
/// logging off).
pub async fn distribution_logging(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    id: &str,
) -> Result<Logging, ErrorInfo> {
    let path = format!("{API}/distribution/{}/config", form_encode(id));
    let body = rest_get(sdk, calls, "cloudfront", &base(sdk), SIGNING_REGION, &path).await?;
    parse_logging(&body)
}

fn parse_distributions(
    body: &str,
) -> Result<(Vec<DistributionSummary>, Option<String>), ErrorInfo> {
    const WHAT: &str = "ListDistributions";
    if !body.contains("<DistributionList") {
        return Err(unparseable(WHAT, "not a DistributionList"));
    }
    let list: DistributionList = quick_xml::de::from_str(body).map_err(|e| unparseable(WHAT, e))?;
    let truncated = list
        .is_truncated
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("true"));
    let next = list.next_marker.filter(|m| truncated && !m.is_empty());
    Ok((list.items.unwrap_or_default().items, next))
}

fn parse_logging(body: &str) -> Result<Logging, ErrorInfo> {
    const WHAT: &str = "GetDistributionConfig";
    if !body.contains("<DistributionConfig") {
        return Err(unparseable(WHAT, "not a DistributionConfig"));
    }
    let config: DistributionConfig =
        quick_xml::de::from_str(body).map_err(|e| unparseable(WHAT, e))?;
    Ok(config.logging.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shapes of the CloudFront API reference's examples, cut to what is read.
    #[test]
    fn distributions_and_their_logging_are_read() {
        let list = r#"<?xml version="1.0" encoding="UTF-8"?>
<DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <Marker></Marker>
  <NextMarker>EMLARXS9EXAMPLE</NextMarker>
  <MaxItems>1</MaxItems>
  <IsTruncated>true</IsTruncated>
  <Quantity>1</Quantity>
  <Items>
    <DistributionSummary>
      <Id>EDFDVBD6EXAMPLE</Id>
      <ARN>arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE</ARN>
      <Status>Deployed</Status>
      <DomainName>d111111abcdef8.cloudfront.net</DomainName>
      <Aliases><Quantity>0</Quantity></Aliases>
      <Enabled>true</Enabled>
    </DistributionSummary>
  </Items>
</DistributionList>"#;
        let (found, next) = parse_distributions(list).unwrap();
        assert_eq!(next.as_deref(), Some("EMLARXS9EXAMPLE"));
        assert_eq!(found[0].id, "EDFDVBD6EXAMPLE");
        assert_eq!(found[0].enabled.as_deref(), Some("true"));
        // The last page: a NextMarker without IsTruncated is not followed.
        let last = list.replace("<IsTruncated>true", "<IsTruncated>false");
        assert_eq!(parse_distributions(&last).unwrap().1, None);
        let empty = r#"<DistributionList><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>"#;
        assert!(parse_distributions(empty).unwrap().0.is_empty());

        let config = r#"<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <CallerReference>x</CallerReference>
  <Logging><Enabled>true</Enabled><IncludeCookies>false</IncludeCookies><Bucket>logs.s3.amazonaws.com</Bucket><Prefix>cf/</Prefix></Logging>
  <Enabled>true</Enabled>
</DistributionConfig>"#;
        let logging = parse_logging(config).unwrap();
        assert_eq!(logging.enabled.as_deref(), Some("true"));
        assert_eq!(logging.bucket.as_deref(), Some("logs.s3.amazonaws.com"));
        assert!(parse_logging("<Error><Code>x</Code></Error>").is_err());
    }
}
