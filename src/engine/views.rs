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

pub fn all_views() -> Vec<&'static ViewDef> {
    vec![&ORG_POLICIES_IN_EFFECT]
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
