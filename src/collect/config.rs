//! AWS Config, per region: recorders and their status, delivery channels, rules and
//! rule compliance.

use aws_sdk_config as cfg;
use futures::future::BoxFuture;
use serde_json::json;

use super::{Collector, Scope, Sink, Target};
use crate::aws::{client, opt_utc};
use crate::store::{col, ColumnType::*, TableDef};

pub static CONFIG_RECORDERS: TableDef = TableDef {
    name: "config_recorders",
    key: &["account_id", "region", "name"],
    doc: "AWS Config configuration recorders with what they record and whether they are recording.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("name", Text, "Recorder name"),
        col("role_arn", Text, "Role the recorder uses"),
        col("all_supported", Bool, "Records all supported resource types"),
        col("include_global_resource_types", Bool, "Records global resources (IAM)"),
        col("resource_types", TextList, "Resource types recorded when not all"),
        col("recording_strategy", Text, "ALL_SUPPORTED_RESOURCE_TYPES, INCLUSION_BY_RESOURCE_TYPES or EXCLUSION_BY_RESOURCE_TYPES"),
        col("recording", Bool, "True if the recorder is running"),
        col("last_status", Text, "Pending, Success or Failure"),
        col("last_status_change_time", Timestamp, "When the status last changed"),
        col("last_error_code", Text, "Last error code"),
        col("last_error_message", Text, "Last error message"),
    ],
};

pub static CONFIG_DELIVERY_CHANNELS: TableDef = TableDef {
    name: "config_delivery_channels",
    key: &["account_id", "region", "name"],
    doc: "Where AWS Config delivers configuration history and snapshots.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("name", Text, "Channel name"),
        col("s3_bucket_name", Text, "Delivery bucket"),
        col("s3_key_prefix", Text, "Key prefix"),
        col("s3_kms_key_arn", Text, "KMS key for delivered objects"),
        col("sns_topic_arn", Text, "Notification topic"),
        col("delivery_frequency", Text, "Snapshot delivery frequency"),
        col(
            "last_history_delivery_status",
            Text,
            "Success, Failure or Not_Applicable",
        ),
    ],
};

pub static CONFIG_RULES: TableDef = TableDef {
    name: "config_rules",
    key: &[],
    doc: "AWS Config rules.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("name", Text, "Rule name"),
        col("arn", Text, "Rule ARN"),
        col("rule_id", Text, "Rule id"),
        col("description", Text, "Description"),
        col("source_owner", Text, "AWS, CUSTOM_LAMBDA or CUSTOM_POLICY"),
        col(
            "source_identifier",
            Text,
            "Managed rule identifier or Lambda ARN",
        ),
        col("state", Text, "ACTIVE, DELETING, EVALUATING, ..."),
        col("input_parameters", Json, "Rule parameters"),
        col("scope", Json, "Resource scope as JSON"),
        col("maximum_execution_frequency", Text, "For periodic rules"),
        col("created_by", Text, "Service that created the rule, if any"),
    ],
};

pub static CONFIG_RULE_COMPLIANCE: TableDef = TableDef {
    name: "config_rule_compliance",
    key: &["account_id", "region", "rule_name"],
    doc: "Compliance of each AWS Config rule, where the API answers.",
    columns: &[
        col("account_id", Text, "Account"),
        col("region", Text, "Region"),
        col("rule_name", Text, "Rule name"),
        col(
            "compliance_type",
            Text,
            "COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA",
        ),
        col(
            "non_compliant_resources",
            Int,
            "Non-compliant resources (capped by AWS at 100)",
        ),
        col("capped", Bool, "True when the count reached the cap"),
    ],
};

static TABLES: &[&TableDef] = &[
    &CONFIG_RECORDERS,
    &CONFIG_DELIVERY_CHANNELS,
    &CONFIG_RULES,
    &CONFIG_RULE_COMPLIANCE,
];

pub struct ConfigCollector;

impl Collector for ConfigCollector {
    fn service(&self) -> &'static str {
        "config"
    }
    fn scope(&self) -> Scope {
        Scope::Regional
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_config(target, sink))
    }
}

async fn collect_config(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, cfg);
    collect_recorders(&client, target, sink).await;
    collect_delivery_channels(&client, target, sink).await;
    collect_rules(&client, target, sink).await;
    collect_rule_compliance(&client, target, sink).await;
}

/// The configuration recorders with their status.
async fn collect_recorders(client: &cfg::Client, target: &Target, sink: &mut Sink) {
    let account = &target.account_id;
    let region = &target.region;
    let statuses = match client.describe_configuration_recorder_status().send().await {
        Ok(out) => out.configuration_recorders_status.unwrap_or_default(),
        Err(e) => {
            sink.error("DescribeConfigurationRecorderStatus", None, &e);
            Vec::new()
        }
    };
    match client.describe_configuration_recorders().send().await {
        Ok(out) => {
            for r in out.configuration_recorders.unwrap_or_default() {
                let status = statuses.iter().find(|s| s.name == r.name);
                let group = r.recording_group.as_ref();
                sink.table(&CONFIG_RECORDERS)
                    .row()
                    .set("account_id", account)
                    .set("region", region)
                    .set("name", r.name.clone())
                    .set("role_arn", r.role_arn.clone())
                    .set("all_supported", group.map(|g| g.all_supported))
                    .set(
                        "include_global_resource_types",
                        group.map(|g| g.include_global_resource_types),
                    )
                    .set(
                        "resource_types",
                        group.map(|g| {
                            g.resource_types()
                                .iter()
                                .map(|t| t.as_str().to_owned())
                                .collect::<Vec<_>>()
                        }),
                    )
                    .set(
                        "recording_strategy",
                        group
                            .and_then(|g| g.recording_strategy.as_ref())
                            .and_then(|s| s.use_only.as_ref())
                            .map(|u| u.as_str().to_owned()),
                    )
                    .set("recording", status.map(|s| s.recording))
                    .set(
                        "last_status",
                        status.and_then(|s| s.last_status.as_ref().map(|v| v.as_str().to_owned())),
                    )
                    .set(
                        "last_status_change_time",
                        status.and_then(|s| opt_utc(s.last_status_change_time.as_ref())),
                    )
                    .set(
                        "last_error_code",
                        status.and_then(|s| s.last_error_code.clone()),
                    )
                    .set(
                        "last_error_message",
                        status.and_then(|s| s.last_error_message.clone()),
                    );
            }
        }
        Err(e) => sink.error("DescribeConfigurationRecorders", None, &e),
    }
}

/// The delivery channels with their last delivery.
async fn collect_delivery_channels(client: &cfg::Client, target: &Target, sink: &mut Sink) {
    let account = &target.account_id;
    let region = &target.region;
    let channel_statuses = match client.describe_delivery_channel_status().send().await {
        Ok(out) => out.delivery_channels_status.unwrap_or_default(),
        Err(e) => {
            sink.error("DescribeDeliveryChannelStatus", None, &e);
            Vec::new()
        }
    };
    match client.describe_delivery_channels().send().await {
        Ok(out) => {
            for c in out.delivery_channels.unwrap_or_default() {
                let status = channel_statuses.iter().find(|s| s.name == c.name);
                sink.table(&CONFIG_DELIVERY_CHANNELS)
                    .row()
                    .set("account_id", account)
                    .set("region", region)
                    .set("name", c.name.clone())
                    .set("s3_bucket_name", c.s3_bucket_name)
                    .set("s3_key_prefix", c.s3_key_prefix)
                    .set("s3_kms_key_arn", c.s3_kms_key_arn)
                    .set("sns_topic_arn", c.sns_topic_arn)
                    .set(
                        "delivery_frequency",
                        c.config_snapshot_delivery_properties
                            .and_then(|p| p.delivery_frequency)
                            .map(|f| f.as_str().to_owned()),
                    )
                    .set(
                        "last_history_delivery_status",
                        status
                            .and_then(|s| s.config_history_delivery_info.as_ref())
                            .and_then(|i| i.last_status.as_ref())
                            .map(|s| s.as_str().to_owned()),
                    );
            }
        }
        Err(e) => sink.error("DescribeDeliveryChannels", None, &e),
    }
}

/// Config rules, page by page.
async fn collect_rules(client: &cfg::Client, target: &Target, sink: &mut Sink) {
    let account = &target.account_id;
    let region = &target.region;
    let mut token: Option<String> = None;
    loop {
        match client
            .describe_config_rules()
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(out) => {
                for rule in out.config_rules.unwrap_or_default() {
                    let source = rule.source.as_ref();
                    let scope = rule.scope.as_ref().map(|s| {
                        json!({
                            "compliance_resource_types": s.compliance_resource_types(),
                            "tag_key": s.tag_key,
                            "tag_value": s.tag_value,
                            "compliance_resource_id": s.compliance_resource_id,
                        })
                    });
                    sink.table(&CONFIG_RULES)
                        .row()
                        .set("account_id", account)
                        .set("region", region)
                        .set("name", rule.config_rule_name.clone())
                        .set("arn", rule.config_rule_arn.clone())
                        .set("rule_id", rule.config_rule_id.clone())
                        .set("description", rule.description.clone())
                        .set("source_owner", source.map(|s| s.owner.as_str().to_owned()))
                        .set(
                            "source_identifier",
                            source.and_then(|s| s.source_identifier.clone()),
                        )
                        .set(
                            "state",
                            rule.config_rule_state
                                .as_ref()
                                .map(|s| s.as_str().to_owned()),
                        )
                        .set("input_parameters", rule.input_parameters.clone())
                        .set("scope", scope)
                        .set(
                            "maximum_execution_frequency",
                            rule.maximum_execution_frequency
                                .as_ref()
                                .map(|f| f.as_str().to_owned()),
                        )
                        .set("created_by", rule.created_by.clone());
                }
                token = out.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                sink.error("DescribeConfigRules", None, &e);
                break;
            }
        }
    }
}

/// Each rule's compliance, page by page.
async fn collect_rule_compliance(client: &cfg::Client, target: &Target, sink: &mut Sink) {
    let account = &target.account_id;
    let region = &target.region;
    let mut token: Option<String> = None;
    loop {
        match client
            .describe_compliance_by_config_rule()
            .set_next_token(token.clone())
            .send()
            .await
        {
            Ok(out) => {
                for c in out.compliance_by_config_rules.unwrap_or_default() {
                    let compliance = c.compliance.as_ref();
                    let count = compliance.and_then(|c| c.compliance_contributor_count.as_ref());
                    sink.table(&CONFIG_RULE_COMPLIANCE)
                        .row()
                        .set("account_id", account)
                        .set("region", region)
                        .set("rule_name", c.config_rule_name.clone())
                        .set(
                            "compliance_type",
                            compliance
                                .and_then(|c| c.compliance_type.as_ref())
                                .map(|t| t.as_str().to_owned()),
                        )
                        .set("non_compliant_resources", count.map(|c| c.capped_count))
                        .set("capped", count.map(|c| c.cap_exceeded));
                }
                token = out.next_token;
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                sink.error("DescribeComplianceByConfigRule", None, &e);
                break;
            }
        }
    }
}
