//! `govscan diff A B`: what changed between two snapshots: rows added, removed and changed
//! per table (matched by each table's key), and check results that newly fail or were fixed.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::checks::run::{run_all, CheckResult, Status};
use crate::cli::{DiffArgs, DiffFormat};
use crate::store::TableDef;

use super::query::escape_for_terminal;
use super::CommandError;

/// The columns that identify a row of `def` across snapshots: its ARN (with the region,
/// as a trail has a row per region it is visible in), or the table's natural key; a table
/// without either is matched on whole rows (a change shows as removed + added).
fn key_columns(def: &TableDef) -> Vec<&'static str> {
    let has = |c: &str| def.columns.iter().any(|col| col.name == c);
    let explicit: &[&str] = match def.name {
        "org_policy_targets" => &["policy_id", "target_id"],
        "org_delegated_admins" => &["delegated_account_id", "service_principal"],
        "iam_group_members" => &["group_arn", "user_name"],
        "iam_access_keys" => &["access_key_id"],
        "iam_mfa_devices" => &["account_id", "serial_number"],
        "iam_password_policy" | "s3_account_public_access_block" => &["account_id"],
        "iam_account_summary" => &["account_id", "name"],
        "config_recorders" | "config_delivery_channels" => &["account_id", "region", "name"],
        "config_rule_compliance" => &["account_id", "region", "rule_name"],
        _ => &[],
    };
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    if has("arn") {
        return if has("region") {
            vec!["arn", "region"]
        } else {
            vec!["arn"]
        };
    }
    def.columns.iter().map(|c| c.name).collect()
}

fn key_of(row: &Map<String, Value>, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| match row.get(*c) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Default, Serialize)]
struct TableDiff {
    added: Vec<String>,
    removed: Vec<String>,
    /// key → column → (from, to)
    changed: BTreeMap<String, BTreeMap<String, (Value, Value)>>,
}

#[derive(Debug, Serialize)]
struct ResultChange {
    check_id: String,
    resource_id: String,
    account_id: String,
    from: Option<&'static str>,
    to: Option<&'static str>,
    reason: String,
}

async fn check_results(engine: &crate::engine::Engine) -> Result<Vec<CheckResult>, CommandError> {
    Ok(run_all(&engine.ctx, &crate::checks::builtin_checks()?, 4).await?)
}

pub async fn run(data_dir: &crate::store::DataDir, args: &DiffArgs) -> Result<(), CommandError> {
    let from = super::check::open_for_checks(data_dir, Some(&args.from)).await?;
    let to = super::check::open_for_checks(data_dir, Some(&args.to)).await?;
    let (from_id, to_id) = (
        from.manifest.snapshot_id.clone(),
        to.manifest.snapshot_id.clone(),
    );
    let mut tables = BTreeMap::new();
    for def in crate::collect::all_tables() {
        if def.name.starts_with("collection_") {
            continue; // bookkeeping of each run, different by nature
        }
        let columns = key_columns(def);
        let index = |rows: Vec<Map<String, Value>>| -> BTreeMap<String, Map<String, Value>> {
            rows.into_iter()
                .map(|r| (key_of(&r, &columns), r))
                .collect()
        };
        let before = index(from.snapshot.read_rows(def.name).await?);
        let after = index(to.snapshot.read_rows(def.name).await?);
        let mut diff = TableDiff::default();
        for (key, row) in &after {
            match before.get(key) {
                None => diff.added.push(key.clone()),
                Some(old) => {
                    let changes: BTreeMap<String, (Value, Value)> = row
                        .iter()
                        .filter(|(c, v)| old.get(*c) != Some(*v))
                        .map(|(c, v)| {
                            (
                                c.clone(),
                                (old.get(c).cloned().unwrap_or(Value::Null), v.clone()),
                            )
                        })
                        .collect();
                    if !changes.is_empty() {
                        diff.changed.insert(key.clone(), changes);
                    }
                }
            }
        }
        diff.removed = before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .cloned()
            .collect();
        if !(diff.added.is_empty() && diff.removed.is_empty() && diff.changed.is_empty()) {
            tables.insert(def.name, diff);
        }
    }

    let status_of =
        |results: &[CheckResult]| -> BTreeMap<(String, String), (Status, String, String)> {
            results
                .iter()
                .map(|r| {
                    (
                        (r.check_id.clone(), r.resource_id.clone()),
                        (r.status, r.account_id.clone(), r.reason.clone()),
                    )
                })
                .collect()
        };
    let before = status_of(&check_results(&from).await?);
    let after = status_of(&check_results(&to).await?);
    let mut newly_failing = Vec::new();
    let mut fixed = Vec::new();
    for ((check_id, resource_id), (status, account_id, reason)) in &after {
        let was = before
            .get(&(check_id.clone(), resource_id.clone()))
            .map(|b| b.0);
        let change = |to: Status| ResultChange {
            check_id: check_id.clone(),
            resource_id: resource_id.clone(),
            account_id: account_id.clone(),
            from: was.map(Status::as_str),
            to: Some(to.as_str()),
            reason: reason.clone(),
        };
        if *status == Status::Fail && was != Some(Status::Fail) {
            newly_failing.push(change(Status::Fail));
        } else if *status == Status::Pass && was == Some(Status::Fail) {
            fixed.push(change(Status::Pass));
        }
    }

    let text = match args.format {
        DiffFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "from": from_id, "to": to_id, "tables": tables,
                "checks": {"newly_failing": newly_failing, "fixed": fixed},
            }))
            .expect("json")
                + "\n"
        }
        DiffFormat::Table => {
            let mut out = format!("{from_id} → {to_id}\n");
            for (name, d) in &tables {
                writeln!(
                    out,
                    "{name}: {} added, {} removed, {} changed",
                    d.added.len(),
                    d.removed.len(),
                    d.changed.len()
                )
                .expect("write");
                for k in &d.added {
                    writeln!(out, "  + {}", escape_for_terminal(k)).expect("write");
                }
                for k in &d.removed {
                    writeln!(out, "  - {}", escape_for_terminal(k)).expect("write");
                }
                for (k, cols) in &d.changed {
                    let what: Vec<String> = cols
                        .iter()
                        .map(|(c, (a, b))| format!("{c}: {a} → {b}"))
                        .collect();
                    writeln!(
                        out,
                        "  ~ {}  {}",
                        escape_for_terminal(k),
                        escape_for_terminal(&what.join(", "))
                    )
                    .expect("write");
                }
            }
            writeln!(
                out,
                "checks: {} newly failing, {} fixed",
                newly_failing.len(),
                fixed.len()
            )
            .expect("write");
            for c in &newly_failing {
                writeln!(
                    out,
                    "  FAIL  {}  {}  {}",
                    c.check_id,
                    escape_for_terminal(&c.resource_id),
                    escape_for_terminal(&c.reason)
                )
                .expect("write");
            }
            for c in &fixed {
                writeln!(
                    out,
                    "  fixed {}  {}",
                    c.check_id,
                    escape_for_terminal(&c.resource_id)
                )
                .expect("write");
            }
            out
        }
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(())
}
