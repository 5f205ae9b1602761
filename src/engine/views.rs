//! Views over the snapshot tables: logic several checks share (which organization policies
//! are in effect for an account) written once, and documented like a table.

use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;

use crate::store::table::{col, ColumnType::*, TableDef};

/// A view: its reference entry (name, meaning, columns) and the SQL that defines it.
pub struct ViewDef {
    pub def: TableDef,
    pub sql: &'static str,
}

pub static ORG_POLICIES_IN_EFFECT: ViewDef = ViewDef {
    def: TableDef {
        name: "org_policies_in_effect",
        key: &[],
        doc: "View: every organization policy in effect for each account, through an attachment to the account itself, to an OU above it or to the root.",
        columns: &[
            col("account_id", Text, "The account the policy applies to"),
            col("account_arn", Text, "Its ARN"),
            col(
                "is_management_account",
                Bool,
                "SCPs and RCPs do not restrict the management account",
            ),
            col("policy_id", Text, "p-xxxxxxxx"),
            col(
                "policy_type",
                Text,
                "SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, ...",
            ),
            col("policy_name", Text, "Policy name"),
            col("aws_managed", Bool, "True for FullAWSAccess and RCPFullAWSAccess"),
            col("content", Json, "The policy document"),
            col("attached_to", Text, "The root, OU or account it is attached to"),
            col("attached_to_type", Text, "ROOT, ORGANIZATIONAL_UNIT or ACCOUNT"),
        ],
    },
    sql: "SELECT DISTINCT a.account_id, a.arn AS account_arn, a.is_management_account,
              p.policy_id, p.policy_type, p.name AS policy_name, p.aws_managed, p.content,
              t.target_id AS attached_to, t.target_type AS attached_to_type
          FROM org_accounts a
          JOIN org_policy_targets t
            ON t.target_id = a.account_id
            OR strpos('/' || a.ou_id_path || '/', '/' || t.target_id || '/') > 0
          JOIN org_policies p ON p.policy_id = t.policy_id",
};

pub static LOG_METRIC_ALARMS: ViewDef = ViewDef {
    def: TableDef {
        name: "log_metric_alarms",
        key: &[],
        doc: "View: for each account, every chain CIS section 5 asks for: a logging multi-region trail recording all management events that the account sees (its own, or its organization's trail) delivers to a CloudWatch Logs group, a metric filter of that group counts into a metric, an alarm with its actions on watches the metric and notifies an SNS topic with a confirmed subscription. The group, filter, alarm and topic are in the account that owns the group, which for an organization trail is not the member's.",
        columns: &[
            col("account_id", Text, "The account whose events the chain watches"),
            col("trail_arn", Text, "The trail"),
            col("alarm_account_id", Text, "The account of the log group, filter, alarm and topic"),
            col("region", Text, "Their region"),
            col("log_group_name", Text, "The trail's log group"),
            col("filter_name", Text, "The metric filter"),
            col("filter_pattern", Text, "Its pattern"),
            col("metric_name", Text, "The metric it counts into"),
            col("alarm_name", Text, "The alarm on the metric"),
            col("topic_arn", Text, "The SNS topic the alarm notifies"),
            col("confirmed_subscriptions", Int, "Confirmed subscriptions of the topic"),
        ],
    },
    sql: "WITH trails AS (
            SELECT DISTINCT account_id AS seen_from, arn AS trail_arn, is_organization_trail,
                   cloudwatch_logs_log_group_arn AS log_group_arn
            FROM cloudtrail_trails
            WHERE is_multi_region AND is_logging AND cloudwatch_logs_log_group_arn IS NOT NULL
              AND trail_records(event_selectors, advanced_event_selectors, 'management')
          ), covered AS (
            SELECT seen_from AS account_id, trail_arn, log_group_arn FROM trails
            UNION
            SELECT m.account_id, t.trail_arn, t.log_group_arn
            FROM trails t
            JOIN org_accounts owner ON owner.account_id = t.seen_from AND owner.is_management_account
            CROSS JOIN org_accounts m
            WHERE t.is_organization_trail AND m.status = 'ACTIVE'
          ), groups AS (
            SELECT account_id, trail_arn, arn_account(log_group_arn) AS group_account,
                   arn_region(log_group_arn) AS group_region,
                   split_part(log_group_arn, ':', 7) AS group_name
            FROM covered
          ), actions AS (
            SELECT account_id, region, alarm_name, metric_name, namespace,
                   unnest(alarm_actions) AS action
            FROM cloudwatch_alarms WHERE actions_enabled IS DISTINCT FROM false
          ), subscribers AS (
            SELECT topic_arn, CAST(count(*) AS BIGINT) AS confirmed FROM sns_subscriptions
            WHERE subscription_arn LIKE 'arn:%' GROUP BY topic_arn
          )
          SELECT DISTINCT g.account_id, g.trail_arn, g.group_account AS alarm_account_id,
                 g.group_region AS region, g.group_name AS log_group_name, f.filter_name,
                 f.filter_pattern, f.metric_name, a.alarm_name, a.action AS topic_arn,
                 s.confirmed AS confirmed_subscriptions
          FROM groups g
          JOIN logs_metric_filters f ON f.account_id = g.group_account
               AND f.region = g.group_region AND f.log_group_name = g.group_name
          JOIN actions a ON a.account_id = f.account_id AND a.region = f.region
               AND a.metric_name = f.metric_name AND a.namespace = f.metric_namespace
          JOIN subscribers s ON s.topic_arn = a.action",
};

pub fn all_views() -> Vec<&'static ViewDef> {
    vec![&ORG_POLICIES_IN_EFFECT, &LOG_METRIC_ALARMS]
}

/// Creates every view; the tables they read must be registered first.
pub async fn register(ctx: &SessionContext) -> Result<(), DataFusionError> {
    for view in all_views() {
        super::cluster::prepare(ctx, view.sql).await?;
        let plan = ctx.state().create_logical_plan(view.sql).await?;
        let table = datafusion::datasource::ViewTable::new(plan, Some(view.sql.to_owned()));
        ctx.register_table(view.def.name, std::sync::Arc::new(table))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented columns are the view's columns, with the types written.
    #[tokio::test]
    async fn views_have_the_documented_columns() {
        let ctx = crate::engine::new_context().unwrap();
        for def in crate::collect::all_tables()
            .into_iter()
            .chain(crate::policy::tables::all_defs())
        {
            let empty =
                datafusion::datasource::MemTable::try_new(def.schema(), vec![vec![]]).unwrap();
            ctx.register_table(def.name, std::sync::Arc::new(empty))
                .unwrap();
        }
        register(&ctx).await.unwrap();
        let columns = |schema: &datafusion::arrow::datatypes::Schema| -> Vec<(String, String)> {
            schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().to_string()))
                .collect()
        };
        for view in all_views() {
            let df = ctx.table(view.def.name).await.unwrap();
            assert_eq!(
                columns(df.schema().as_arrow()),
                columns(&view.def.schema()),
                "{}",
                view.def.name
            );
        }
    }
}
