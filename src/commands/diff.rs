//! `govscan diff A B`: what changed between two snapshots: rows added, removed and changed
//! per table (matched by each table's key), and check results that newly fail or were fixed.

use std::fmt::Write;

use crate::cli::{DiffArgs, DiffFormat};
use govscan::checks::run::{run_all, CheckResult};
use govscan::checks::verdict::result_changes;
use govscan::store::diff::diff_snapshots;

use super::CommandError;
use govscan::report::terminal::escape_for_terminal;

async fn check_results(engine: &govscan::engine::Engine) -> Result<Vec<CheckResult>, CommandError> {
    Ok(run_all(&engine.ctx, &govscan::checks::builtin_checks()?, 4).await?)
}

pub async fn run(
    sessions: &govscan::engine::Sessions,
    data_dir: &govscan::store::DataDir,
    args: &DiffArgs,
) -> Result<(), CommandError> {
    let from = govscan::checks::run::open(sessions, data_dir, Some(&args.from)).await?;
    let to = govscan::checks::run::open(sessions, data_dir, Some(&args.to)).await?;
    let (from_id, to_id) = (
        from.manifest.snapshot_id.clone(),
        to.manifest.snapshot_id.clone(),
    );
    let tables = diff_snapshots(
        &from.snapshot,
        &to.snapshot,
        &govscan::collect::all_tables(),
    )
    .await?;
    let checks = result_changes(&check_results(&from).await?, &check_results(&to).await?);
    let (newly_failing, fixed) = (&checks.newly_failing, &checks.fixed);

    let text = match args.format {
        DiffFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "from": from_id, "to": to_id, "tables": tables,
                "checks": checks,
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
            for c in newly_failing {
                writeln!(
                    out,
                    "  FAIL  {}  {}  {}",
                    c.check_id,
                    escape_for_terminal(&c.resource_id),
                    escape_for_terminal(&c.reason)
                )
                .expect("write");
            }
            for c in fixed {
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
