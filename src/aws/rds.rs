//! RDS through its Query API, signed by hand (aws::signed): DescribeDBInstances. The SDK
//! crate is 76 s of a cold build for this one call.

use aws_config::SdkConfig;
use serde::Deserialize;

use super::signed::{query_pages, unparseable};
use super::{ApiCallCounter, ErrorInfo};

/// A DB instance, as DescribeDBInstances gives it: what CIS section 3.2 asks of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance_identifier: String,
    #[serde(default, rename = "DBInstanceArn")]
    pub db_instance_arn: Option<String>,
    #[serde(default)]
    pub engine: Option<String>,
    #[serde(default, rename = "DBInstanceStatus")]
    pub db_instance_status: Option<String>,
    #[serde(default, rename = "DBClusterIdentifier")]
    pub db_cluster_identifier: Option<String>,
    /// Flags as text: quick-xml reads a bool in a nested element only as text.
    #[serde(default)]
    pub storage_encrypted: Option<String>,
    #[serde(default)]
    pub auto_minor_version_upgrade: Option<String>,
    #[serde(default)]
    pub publicly_accessible: Option<String>,
    #[serde(default, rename = "MultiAZ")]
    pub multi_az: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default, rename = "DBSubnetGroup")]
    pub db_subnet_group: Option<SubnetGroup>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetGroup {
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub subnets: Option<Subnets>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Subnets {
    #[serde(default, rename = "Subnet")]
    pub items: Vec<Subnet>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub subnet_identifier: String,
}

impl DbInstance {
    pub fn flag(value: &Option<String>) -> Option<bool> {
        value
            .as_deref()
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The subnets of its subnet group.
    pub fn subnet_ids(&self) -> Vec<String> {
        self.db_subnet_group
            .as_ref()
            .and_then(|g| g.subnets.as_ref())
            .map(|s| {
                s.items
                    .iter()
                    .map(|s| s.subnet_identifier.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeDbInstancesResponse {
    #[serde(rename = "DescribeDBInstancesResult")]
    result: DescribeDbInstancesResult,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeDbInstancesResult {
    #[serde(default, rename = "DBInstances")]
    db_instances: DbInstances,
    #[serde(default)]
    marker: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct DbInstances {
    #[serde(default, rename = "DBInstance")]
    items: Vec<DbInstance>,
}

/// RDS DescribeDBInstances: every DB instance of the region, page by page (Marker).
pub async fn db_instances(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
    region: &str,
) -> Result<Vec<DbInstance>, ErrorInfo> {
    let params = [("MaxRecords", "100".to_owned())];
    query_pages(
        sdk,
        calls,
        "rds",
        region,
        "2014-10-31",
        "DescribeDBInstances",
        &params,
        parse_db_instances,
    )
    .await
}

fn parse_db_instances(body: &str) -> Result<(Vec<DbInstance>, Option<String>), ErrorInfo> {
    // Only the action's own response counts: an unrelated body would read as "no instances".
    if !body.contains("<DescribeDBInstancesResponse") {
        return Err(unparseable(
            "DescribeDBInstances",
            "not a DescribeDBInstancesResponse",
        ));
    }
    let parsed: DescribeDbInstancesResponse =
        quick_xml::de::from_str(body).map_err(|e| unparseable("DescribeDBInstances", e))?;
    Ok((parsed.result.db_instances.items, parsed.result.marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the RDS API reference's DescribeDBInstances example, with a subnet
    /// group, an unencrypted public instance and a marker.
    #[test]
    fn db_instances_read_flags_subnets_and_the_marker() {
        let body = r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>mydb</DBInstanceIdentifier>
        <DBInstanceArn>arn:aws:rds:us-east-1:123456789012:db:mydb</DBInstanceArn>
        <Engine>mysql</Engine>
        <DBInstanceStatus>available</DBInstanceStatus>
        <StorageEncrypted>false</StorageEncrypted>
        <AutoMinorVersionUpgrade>true</AutoMinorVersionUpgrade>
        <PubliclyAccessible>true</PubliclyAccessible>
        <MultiAZ>false</MultiAZ>
        <DBSubnetGroup>
          <VpcId>vpc-1</VpcId>
          <Subnets>
            <Subnet><SubnetIdentifier>subnet-a</SubnetIdentifier><SubnetStatus>Active</SubnetStatus></Subnet>
            <Subnet><SubnetIdentifier>subnet-b</SubnetIdentifier></Subnet>
          </Subnets>
        </DBSubnetGroup>
      </DBInstance>
    </DBInstances>
    <Marker>next-page</Marker>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>"#;
        let (instances, marker) = parse_db_instances(body).unwrap();
        assert_eq!(marker.as_deref(), Some("next-page"));
        let db = &instances[0];
        assert_eq!(DbInstance::flag(&db.storage_encrypted), Some(false));
        assert_eq!(DbInstance::flag(&db.publicly_accessible), Some(true));
        assert_eq!(DbInstance::flag(&db.multi_az), Some(false));
        assert_eq!(db.subnet_ids(), ["subnet-a", "subnet-b"]);
        assert!(parse_db_instances("<ErrorResponse/>").is_err());
    }
}
