//! EC2, per region: security groups with every rule (one row per rule and source), network
//! ACL entries, whether new EBS volumes are encrypted by default, instances (their instance
//! profile and metadata options), VPCs and flow logs. Sent as signed Query API calls
//! (src/aws/ec2.rs): the EC2 SDK crate alone would be most of a cold build.

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::ec2::{
    ebs_encryption_by_default, flow_logs, instances, network_acls, route_tables, security_groups,
    vpc_endpoints, vpcs, IpPermission,
};
use crate::store::{col, ColumnType::*, TableDef};

pub static EC2_SECURITY_GROUPS: TableDef = TableDef {
    name: "ec2_security_groups",
    key: &[],
    doc: "Security groups of each region, with how many rules each has (DescribeSecurityGroups).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("group_id", Text, "sg-..."),
        col(
            "group_name",
            Text,
            "Name; a VPC's default group is named default",
        ),
        col("description", Text, "Description"),
        col("vpc_id", Text, "VPC"),
        col(
            "is_default",
            Bool,
            "True for a VPC's default security group",
        ),
        col("ingress_rules", Int, "Inbound rules"),
        col("egress_rules", Int, "Outbound rules"),
    ],
};

pub static EC2_SECURITY_GROUP_RULES: TableDef = TableDef {
    name: "ec2_security_group_rules",
    key: &[],
    doc: "Every security group rule, one row per rule and source (an IPv4 range, an IPv6 range or another group).",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("group_id", Text, "The group the rule belongs to"),
        col("direction", Text, "ingress or egress"),
        col("protocol", Text, "tcp, udp, icmp, a protocol number, or -1 for all"),
        col("from_port", Int, "First port (null for all protocols)"),
        col("to_port", Int, "Last port (null for all protocols)"),
        col("cidr", Text, "Source or destination range (IPv4 or IPv6); null for a group source"),
        col("ip_version", Int, "4 or 6 for a range; null for a group source"),
        col("source_group_id", Text, "The group a rule allows from or to"),
    ],
};

pub static EC2_EBS_ENCRYPTION: TableDef = TableDef {
    name: "ec2_ebs_encryption",
    key: &[],
    doc:
        "Whether new EBS volumes are encrypted by default, per region (GetEbsEncryptionByDefault).",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col(
            "encrypted_by_default",
            Bool,
            "True when new volumes are encrypted",
        ),
    ],
};

pub static EC2_NETWORK_ACL_ENTRIES: TableDef = TableDef {
    name: "ec2_network_acl_entries",
    key: &[],
    doc: "Every entry of every network ACL (DescribeNetworkAcls), evaluated by AWS in rule_number order, the first match deciding.",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("network_acl_id", Text, "acl-..."),
        col("vpc_id", Text, "VPC"),
        col("is_default", Bool, "True for a VPC's default ACL"),
        col("rule_number", Int, "Evaluation order (32767 is the final deny-all)"),
        col("egress", Bool, "True for an outbound entry"),
        col("rule_action", Text, "allow or deny"),
        col("protocol", Text, "A protocol number (6 TCP, 17 UDP) or -1 for all"),
        col("cidr", Text, "The IPv4 or IPv6 range"),
        col("ip_version", Int, "4 or 6"),
        col("from_port", Int, "First port (null for all)"),
        col("to_port", Int, "Last port (null for all)"),
    ],
};

pub static EC2_INSTANCES: TableDef = TableDef {
    name: "ec2_instances",
    key: &[],
    doc: "Instances of each region that are not terminated (DescribeInstances): their instance profile and metadata service options.",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("instance_id", Text, "i-..."),
        col("state", Text, "pending, running, stopping, stopped or shutting-down"),
        col("instance_profile_arn", Text, "The instance profile attached (null: none)"),
        col("http_tokens", Text, "required (IMDSv2 only) or optional (IMDSv1 answers too)"),
        col("http_endpoint", Text, "enabled or disabled: whether the metadata service answers"),
        col("vpc_id", Text, "VPC"),
        col("subnet_id", Text, "Subnet"),
        col("image_id", Text, "AMI"),
        col("public_ip", Text, "Public IPv4 address, if any"),
        col("launch_time", Text, "When it was launched (ISO 8601)"),
    ],
};

pub static EC2_VPCS: TableDef = TableDef {
    name: "ec2_vpcs",
    key: &[],
    doc: "VPCs of each region (DescribeVpcs).",
    columns: &[
        col("account_id", Text, "Account the row was collected in"),
        col("region", Text, "Region"),
        col("vpc_id", Text, "vpc-..."),
        col(
            "owner_id",
            Text,
            "Owning account (a shared VPC's owner differs)",
        ),
        col("state", Text, "pending or available"),
        col("cidr_block", Text, "Primary IPv4 range"),
        col("is_default", Bool, "True for the region's default VPC"),
    ],
};

pub static EC2_FLOW_LOGS: TableDef = TableDef {
    name: "ec2_flow_logs",
    key: &[],
    doc: "Flow logs of each region (DescribeFlowLogs), of VPCs, subnets and network interfaces.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("flow_log_id", Text, "fl-..."),
        col(
            "resource_id",
            Text,
            "The VPC, subnet or network interface it records",
        ),
        col("status", Text, "ACTIVE once created"),
        col("traffic_type", Text, "ACCEPT, REJECT or ALL"),
        col(
            "destination_type",
            Text,
            "cloud-watch-logs, s3 or kinesis-data-firehose",
        ),
        col("destination", Text, "Log group or bucket ARN"),
        col(
            "log_group_name",
            Text,
            "CloudWatch Logs group, for that destination",
        ),
        col(
            "deliver_logs_status",
            Text,
            "SUCCESS, or FAILED when logs are not delivered",
        ),
    ],
};

pub static EC2_ROUTES: TableDef = TableDef {
    name: "ec2_routes",
    key: &[],
    doc:
        "Every route of every route table (DescribeRouteTables), with the subnets the table serves.",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("route_table_id", Text, "rtb-..."),
        col("vpc_id", Text, "VPC"),
        col(
            "is_main",
            Bool,
            "The VPC's main table: it serves every subnet without a table of its own",
        ),
        col(
            "subnet_ids",
            TextList,
            "Subnets explicitly associated with the table",
        ),
        col("destination", Text, "IPv4 or IPv6 range, or prefix list"),
        col(
            "target",
            Text,
            "igw-, nat-, tgw-, pcx-, eni- or i- id; local for the VPC itself",
        ),
        col(
            "state",
            Text,
            "active, or blackhole when the target is gone",
        ),
    ],
};

pub static EC2_VPC_ENDPOINTS: TableDef = TableDef {
    name: "ec2_vpc_endpoints",
    key: &[],
    doc: "VPC endpoints of each region (DescribeVpcEndpoints), with their endpoint policy.",
    columns: &[
        col("account_id", Text, "Owning account"),
        col("region", Text, "Region"),
        col("vpc_endpoint_id", Text, "vpce-..."),
        col("vpc_id", Text, "VPC"),
        col(
            "endpoint_type",
            Text,
            "Gateway, Interface or GatewayLoadBalancer",
        ),
        col(
            "service_name",
            Text,
            "com.amazonaws.REGION.SERVICE, or an endpoint service",
        ),
        col("state", Text, "available, pending, deleting, ..."),
        col("policy", Json, "The endpoint policy (null: full access)"),
    ],
};

static TABLES: &[&TableDef] = &[
    &EC2_SECURITY_GROUPS,
    &EC2_SECURITY_GROUP_RULES,
    &EC2_EBS_ENCRYPTION,
    &EC2_NETWORK_ACL_ENTRIES,
    &EC2_INSTANCES,
    &EC2_VPCS,
    &EC2_FLOW_LOGS,
    &EC2_ROUTES,
    &EC2_VPC_ENDPOINTS,
];

pub struct Ec2Collector;

impl Collector for Ec2Collector {
    fn service(&self) -> &'static str {
        "ec2"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_ec2(target, sink))
    }
}

async fn collect_ec2(target: &Target, sink: &mut Sink) {
    collect_instances(target, sink).await;
    collect_vpcs(target, sink).await;
    collect_routes(target, sink).await;
    match ebs_encryption_by_default(&target.sdk, &target.calls, &target.region).await {
        Ok(encrypted) => {
            sink.table(&EC2_EBS_ENCRYPTION)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("encrypted_by_default", encrypted);
        }
        Err(info) => sink.record_error("GetEbsEncryptionByDefault", None, None, info),
    }
    match network_acls(&target.sdk, &target.calls, &target.region).await {
        Ok(acls) => {
            for acl in acls {
                for e in &acl.entry_set.items {
                    let (cidr, version) = match (&e.cidr_block, &e.ipv6_cidr_block) {
                        (Some(c), _) => (Some(c.clone()), Some(4i64)),
                        (None, Some(c)) => (Some(c.clone()), Some(6i64)),
                        (None, None) => (None, None),
                    };
                    sink.table(&EC2_NETWORK_ACL_ENTRIES)
                        .row()
                        .set("account_id", &target.account_id)
                        .set("region", &target.region)
                        .set("network_acl_id", &acl.network_acl_id)
                        .set("vpc_id", acl.vpc_id.clone())
                        .set("is_default", acl.default)
                        .set("rule_number", e.rule_number)
                        .set("egress", e.egress)
                        .set("rule_action", &e.rule_action)
                        .set("protocol", &e.protocol)
                        .set("cidr", cidr)
                        .set("ip_version", version)
                        .set("from_port", e.port_range.as_ref().and_then(|p| p.from))
                        .set("to_port", e.port_range.as_ref().and_then(|p| p.to));
                }
            }
        }
        Err(info) => sink.record_error("DescribeNetworkAcls", None, None, info),
    }
    let groups = match security_groups(&target.sdk, &target.calls, &target.region).await {
        Ok(g) => g,
        Err(info) => return sink.record_error("DescribeSecurityGroups", None, None, info),
    };
    for g in groups {
        sink.table(&EC2_SECURITY_GROUPS)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("group_id", &g.group_id)
            .set("group_name", &g.group_name)
            .set("description", g.group_description.clone())
            .set("vpc_id", g.vpc_id.clone())
            .set("is_default", g.group_name == "default")
            .set("ingress_rules", g.ip_permissions.items.len() as i64)
            .set("egress_rules", g.ip_permissions_egress.items.len() as i64);
        for (direction, rules) in [
            ("ingress", &g.ip_permissions.items),
            ("egress", &g.ip_permissions_egress.items),
        ] {
            for rule in rules {
                rule_rows(target, sink, &g.group_id, direction, rule);
            }
        }
    }
}

async fn collect_instances(target: &Target, sink: &mut Sink) {
    let found = match instances(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => found,
        Err(info) => return sink.record_error("DescribeInstances", None, None, info),
    };
    for i in found {
        let state = i.instance_state.as_ref().map(|s| s.name.clone());
        // A terminated instance is gone; DescribeInstances still lists it for about an hour.
        if state.as_deref() == Some("terminated") {
            continue;
        }
        let metadata = i.metadata_options.as_ref();
        sink.table(&EC2_INSTANCES)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("instance_id", &i.instance_id)
            .set("state", state)
            .set(
                "instance_profile_arn",
                i.iam_instance_profile.as_ref().map(|p| p.arn.clone()),
            )
            .set("http_tokens", metadata.and_then(|m| m.http_tokens.clone()))
            .set(
                "http_endpoint",
                metadata.and_then(|m| m.http_endpoint.clone()),
            )
            .set("vpc_id", i.vpc_id.clone())
            .set("subnet_id", i.subnet_id.clone())
            .set("image_id", i.image_id.clone())
            .set("public_ip", i.ip_address.clone())
            .set("launch_time", i.launch_time.clone());
    }
}

async fn collect_routes(target: &Target, sink: &mut Sink) {
    let tables = match route_tables(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => found,
        Err(info) => return sink.record_error("DescribeRouteTables", None, None, info),
    };
    for t in tables {
        let is_main = t.association_set.items.iter().any(|a| a.main);
        let subnets: Vec<String> = t
            .association_set
            .items
            .iter()
            .filter_map(|a| a.subnet_id.clone())
            .collect();
        for r in &t.route_set.items {
            let destination = r
                .destination_cidr_block
                .clone()
                .or_else(|| r.destination_ipv6_cidr_block.clone())
                .or_else(|| r.destination_prefix_list_id.clone());
            sink.table(&EC2_ROUTES)
                .row()
                .set("account_id", &target.account_id)
                .set("region", &target.region)
                .set("route_table_id", &t.route_table_id)
                .set("vpc_id", t.vpc_id.clone())
                .set("is_main", is_main)
                .set("subnet_ids", subnets.clone())
                .set("destination", destination)
                .set("target", r.target().map(str::to_owned))
                .set("state", r.state.clone());
        }
    }
}

async fn collect_vpcs(target: &Target, sink: &mut Sink) {
    match vpcs(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => {
            for v in found {
                sink.table(&EC2_VPCS)
                    .row()
                    .set("account_id", &target.account_id)
                    .set("region", &target.region)
                    .set("vpc_id", &v.vpc_id)
                    .set("owner_id", v.owner_id.clone())
                    .set("state", v.state.clone())
                    .set("cidr_block", v.cidr_block.clone())
                    .set("is_default", v.is_default);
            }
        }
        Err(info) => sink.record_error("DescribeVpcs", None, None, info),
    }
    match vpc_endpoints(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => {
            for e in found {
                sink.table(&EC2_VPC_ENDPOINTS)
                    .row()
                    .set("account_id", &target.account_id)
                    .set("region", &target.region)
                    .set("vpc_endpoint_id", &e.vpc_endpoint_id)
                    .set("vpc_id", e.vpc_id.clone())
                    .set("endpoint_type", e.vpc_endpoint_type.clone())
                    .set("service_name", e.service_name.clone())
                    .set("state", e.state.clone())
                    .set("policy", e.policy_document.clone());
            }
        }
        Err(info) => sink.record_error("DescribeVpcEndpoints", None, None, info),
    }
    match flow_logs(&target.sdk, &target.calls, &target.region).await {
        Ok(found) => {
            for f in found {
                sink.table(&EC2_FLOW_LOGS)
                    .row()
                    .set("account_id", &target.account_id)
                    .set("region", &target.region)
                    .set("flow_log_id", &f.flow_log_id)
                    .set("resource_id", &f.resource_id)
                    .set("status", f.flow_log_status.clone())
                    .set("traffic_type", f.traffic_type.clone())
                    .set("destination_type", f.log_destination_type.clone())
                    .set("destination", f.log_destination.clone())
                    .set("log_group_name", f.log_group_name.clone())
                    .set("deliver_logs_status", f.deliver_logs_status.clone());
            }
        }
        Err(info) => sink.record_error("DescribeFlowLogs", None, None, info),
    }
}

/// One row per source of a rule: each IPv4 range, IPv6 range and group it names.
fn rule_rows(target: &Target, sink: &mut Sink, group: &str, direction: &str, rule: &IpPermission) {
    let sources = rule
        .ip_ranges
        .items
        .iter()
        .map(|r| (Some(r.cidr_ip.clone()), Some(4i64), None))
        .chain(
            rule.ipv6_ranges
                .items
                .iter()
                .map(|r| (Some(r.cidr_ipv6.clone()), Some(6i64), None)),
        )
        .chain(
            rule.groups
                .items
                .iter()
                .map(|g| (None, None, g.group_id.clone())),
        );
    for (cidr, version, source_group) in sources {
        sink.table(&EC2_SECURITY_GROUP_RULES)
            .row()
            .set("account_id", &target.account_id)
            .set("region", &target.region)
            .set("group_id", group)
            .set("direction", direction)
            .set("protocol", &rule.ip_protocol)
            .set("from_port", rule.from_port)
            .set("to_port", rule.to_port)
            .set("cidr", cidr)
            .set("ip_version", version)
            .set("source_group_id", source_group);
    }
}
