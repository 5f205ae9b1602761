//! `govscan snapshots`: what has been collected, newest last.

use crate::cli::{SnapshotsAction, SnapshotsArgs, SnapshotsFormat};
use govscan::store::{catalog, DataDir, DataStore};

use super::{stdout_write, CommandError};

pub async fn run(data_dir: &DataDir, args: &SnapshotsArgs) -> Result<(), CommandError> {
    let store = DataStore::open(data_dir).await?;
    if let Some(SnapshotsAction::Finalize { id }) = &args.action {
        let (path, manifest) = govscan::store::snapshot::finalize(&store, id).await?;
        eprintln!(
            "snapshot {id}: {} account(s), {} part(s), {} error(s)",
            manifest.accounts.len(),
            manifest.parts.len(),
            manifest.error_count
        );
        return stdout_write(&format!("{id}\t{path}\n"));
    }
    let listed = catalog::list_snapshots(&store).await?;
    let pending = catalog::pending_snapshots(&store).await?;
    // Shards collected but not merged yet: not readable, so said apart.
    for (id, shards) in pending {
        eprintln!(
            "pending: snapshot {id} has {shards} shard(s) and is not finalized (govscan snapshots finalize {id})"
        );
    }
    match args.format {
        SnapshotsFormat::Json => {
            let items: Vec<serde_json::Value> = listed
                .iter()
                .map(|(path, m)| match m {
                    Ok(m) => serde_json::json!({
                        "snapshot_id": m.snapshot_id,
                        "path": path,
                        "started_at": m.started_at,
                        "finished_at": m.finished_at,
                        "accounts": m.accounts.len(),
                        "regions": m.regions,
                        "failed_parts": m.failed_parts(),
                        "errors": m.error_count,
                    }),
                    Err(e) => serde_json::json!({ "path": path, "error": e.to_string() }),
                })
                .collect();
            stdout_write(&(serde_json::to_string_pretty(&items).expect("json") + "\n"))
        }
        SnapshotsFormat::Table => {
            if listed.is_empty() {
                eprintln!("No snapshots in {data_dir} yet; run `govscan collect`.");
                return Ok(());
            }
            let mut rows = vec![[
                "SNAPSHOT".to_owned(),
                "FINISHED (UTC)".into(),
                "ACCOUNTS".into(),
                "REGIONS".into(),
                "ERRORS".into(),
            ]];
            for (path, m) in &listed {
                rows.push(match m {
                    Ok(m) => [
                        m.snapshot_id.clone(),
                        m.finished_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        m.accounts.len().to_string(),
                        m.regions.len().to_string(),
                        if m.error_count == 0 {
                            "0".into()
                        } else {
                            format!("{} ({} parts)", m.error_count, m.failed_parts())
                        },
                    ],
                    Err(e) => [
                        path.clone(),
                        "unreadable".into(),
                        String::new(),
                        String::new(),
                        e.to_string(),
                    ],
                });
            }
            stdout_write(&align(&rows))
        }
    }
}

fn align<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
