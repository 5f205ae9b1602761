//! EC2, per region: security groups with every rule (one row per rule and source), network
//! ACL entries, and whether new EBS volumes are encrypted by default. Sent as signed Query API calls
//! (src/aws/signed.rs): the EC2 SDK crate alone would be most of a cold build.

use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{ebs_encryption_by_default, network_acls, security_groups, IpPermission};
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

static TABLES: &[&TableDef] = &[
    &EC2_SECURITY_GROUPS,
    &EC2_SECURITY_GROUP_RULES,
    &EC2_EBS_ENCRYPTION,
    &EC2_NETWORK_ACL_ENTRIES,
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
