//! `govscan snapshots`: what has been collected, newest last.

use crate::cli::{SnapshotsAction, SnapshotsArgs, SnapshotsFormat};
use crate::store::list_snapshots;
use crate::store::remote::{self, S3Dir};
use crate::store::DataDir;
use crate::store::Manifest;

use super::{stdout_write, CommandError};

pub async fn run(data_dir: &DataDir, args: &SnapshotsArgs) -> Result<(), CommandError> {
    if let Some(SnapshotsAction::Finalize { id }) = &args.action {
        let (path, manifest) = match data_dir {
            DataDir::S3(dir) => {
                let store = remote::open_store(dir).await?;
                finalize_on_s3(store.as_ref(), dir, id).await?
            }
            DataDir::Local(data_dir) => {
                let (path, manifest) = crate::store::snapshot::finalize(data_dir, id)?;
                (path.display().to_string(), manifest)
            }
        };
        eprintln!(
            "snapshot {id}: {} account(s), {} part(s), {} error(s)",
            manifest.accounts.len(),
            manifest.parts.len(),
            manifest.error_count
        );
        return stdout_write(&format!("{id}\t{path}\n"));
    }
    let (listed, pending) = match data_dir {
        DataDir::S3(dir) => {
            let store = remote::open_store(dir).await?;
            (
                remote::list_snapshots(store.as_ref(), dir).await?,
                remote::pending_snapshots(store.as_ref(), dir).await?,
            )
        }
        DataDir::Local(data_dir) => (
            list_snapshots(data_dir)?,
            crate::store::snapshot::pending_snapshots(data_dir),
        ),
    };
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
                        path.display().to_string(),
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

/// `snapshots finalize` on S3: the shards are merged in a local staging folder, the
/// snapshot is uploaded with its manifest last, and only then are the shards deleted.
async fn finalize_on_s3(
    store: &dyn object_store::ObjectStore,
    dir: &S3Dir,
    id: &str,
) -> Result<(String, Manifest), CommandError> {
    crate::store::snapshot::check_snapshot_id(id)
        .map_err(|e| CommandError::Usage(format!("snapshot {e}")))?;
    if remote::snapshot_ids(store, dir)
        .await?
        .iter()
        .any(|s| s == id)
    {
        return Err(CommandError::Usage(format!(
            "snapshot {id} is already finalized in {}",
            dir.url("snapshots/")
        )));
    }
    let staging = remote::Staging::new("finalize")?;
    let shards = format!("snapshots/{}/{id}", crate::store::snapshot::SHARDS);
    let local_shards = crate::store::snapshot::shards_dir(staging.path(), id);
    remote::download_folder(store, dir, &shards, &local_shards).await?;
    let (local, manifest) = crate::store::snapshot::finalize(staging.path(), id)?;
    let relative = format!("snapshots/{id}");
    remote::upload_folder(store, dir, &local, &relative).await?;
    remote::delete_folder(store, dir, &shards).await?;
    Ok((dir.url(&relative), manifest))
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
