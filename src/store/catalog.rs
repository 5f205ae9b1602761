//! The snapshots a data directory holds, as readers see them: only a folder with its
//! `manifest.json` is a snapshot (or a shard); the rest is work in progress.

use std::path::Path;

use super::manifest::Manifest;
use super::objects::DataStore;
use super::snapshot::{MANIFEST_FILE, SHARDS};
use super::StoreError;

/// One published snapshot of a data directory.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub store: DataStore,
    /// Its folder, relative to the store's root (`snapshots/<id>`, or empty for a snapshot
    /// folder opened by its path).
    pub folder: String,
    pub id: String,
}

impl std::fmt::Display for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.store.display(&self.folder))
    }
}

/// The manifest at `folder`.
async fn read_manifest(store: &DataStore, folder: &str) -> Result<Manifest, StoreError> {
    let relative = join(folder, MANIFEST_FILE);
    let bytes = store
        .get(&relative)
        .await?
        .ok_or_else(|| StoreError::Remote(format!("{}: not found", store.display(&relative))))?;
    serde_json::from_slice(&bytes).map_err(|source| StoreError::Manifest {
        path: store.display(&relative).into(),
        source,
    })
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

/// The folders directly below `root` that are published: not hidden (work in progress),
/// and holding their manifest. In name order.
async fn published_below(store: &DataStore, root: &str) -> Result<Vec<String>, StoreError> {
    let mut published = Vec::new();
    for name in store.children(root).await? {
        if !name.starts_with('.')
            && store
                .exists(&format!("{root}/{name}/{MANIFEST_FILE}"))
                .await
        {
            published.push(name);
        }
    }
    Ok(published)
}

/// The ids of the published snapshots, oldest first.
pub async fn snapshot_ids(store: &DataStore) -> Result<Vec<String>, StoreError> {
    published_below(store, "snapshots").await
}

/// A snapshot folder and its manifest, or why the manifest could not be read.
pub type ListedSnapshot = (String, Result<Manifest, StoreError>);

/// Every published snapshot with its manifest (or why it could not be read), oldest first.
pub async fn list_snapshots(store: &DataStore) -> Result<Vec<ListedSnapshot>, StoreError> {
    let mut listed = Vec::new();
    for id in snapshot_ids(store).await? {
        let folder = format!("snapshots/{id}");
        let manifest = read_manifest(store, &folder).await;
        listed.push((store.display(&folder), manifest));
    }
    Ok(listed)
}

/// The published shards of snapshot `id` (their folder names), in name order.
pub async fn complete_shards(store: &DataStore, id: &str) -> Result<Vec<String>, StoreError> {
    published_below(store, &format!("snapshots/{SHARDS}/{id}")).await
}

/// Snapshot ids with shards waiting for `snapshots finalize`, and how many each has (not
/// the shards a finalize published and was stopped before deleting).
pub async fn pending_snapshots(store: &DataStore) -> Result<Vec<(String, usize)>, StoreError> {
    let mut pending = Vec::new();
    let finalized = snapshot_ids(store).await?;
    for id in store.children(&format!("snapshots/{SHARDS}")).await? {
        if finalized.contains(&id) {
            continue;
        }
        let complete = complete_shards(store, &id).await?.len();
        if complete > 0 {
            pending.push((id, complete));
        }
    }
    Ok(pending)
}

impl Snapshot {
    /// The snapshot `wanted` of the data directory: an id, the path of a snapshot folder on
    /// this machine, or (None) the latest. With its manifest.
    pub async fn resolve(
        store: &DataStore,
        wanted: Option<&str>,
    ) -> Result<(Snapshot, Manifest), StoreError> {
        let Some(wanted) = wanted else {
            let id = snapshot_ids(store)
                .await?
                .pop()
                .ok_or_else(|| StoreError::NoSnapshots {
                    dir: store.display("snapshots").into(),
                })?;
            return Self::at(store, format!("snapshots/{id}"), id).await;
        };
        let as_path = Path::new(wanted);
        if as_path.join(MANIFEST_FILE).is_file() {
            let folder = DataStore::local(as_path)?;
            let id = as_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Self::at(&folder, String::new(), id).await;
        }
        // Ids are plain names; anything with a separator is only ever a path.
        let plain = !wanted.contains(['/', '\\']) && !wanted.starts_with('.');
        if plain
            && store
                .exists(&format!("snapshots/{wanted}/{MANIFEST_FILE}"))
                .await
        {
            return Self::at(store, format!("snapshots/{wanted}"), wanted.to_owned()).await;
        }
        if plain {
            let shards = complete_shards(store, wanted).await?.len();
            if shards > 0 {
                return Err(StoreError::Shards {
                    id: wanted.to_owned(),
                    message: format!(
                        "is not finalized ({shards} shard(s) collected): run `govscan snapshots finalize {wanted}` when every shard is in"
                    ),
                });
            }
        }
        Err(StoreError::SnapshotNotFound {
            wanted: wanted.to_owned(),
            dir: store.display("snapshots").into(),
        })
    }

    /// The snapshot (or shard) in `folder` of the store, with its manifest.
    pub async fn at(
        store: &DataStore,
        folder: String,
        id: String,
    ) -> Result<(Snapshot, Manifest), StoreError> {
        let manifest = read_manifest(store, &folder).await?;
        let snapshot = Snapshot {
            store: store.clone(),
            folder,
            id,
        };
        Ok((snapshot, manifest))
    }

    /// `name` inside the snapshot's folder, relative to the store's root.
    pub fn path(&self, name: &str) -> String {
        join(&self.folder, name)
    }

    /// The Parquet files of `table`: the parts in `<table>/` (the layout since 0.1), or the
    /// one `<table>.parquet` of snapshots written before; none for a table it does not have.
    pub async fn table_parts(
        &self,
        table: &str,
    ) -> Result<Vec<object_store::path::Path>, StoreError> {
        let mut keys = self.store.list(&self.path(table)).await?;
        keys.retain(|k| k.as_ref().ends_with(".parquet"));
        let single = self.path(&format!("{table}.parquet"));
        if keys.is_empty() && self.store.exists(&single).await {
            keys.push(self.store.key(&single));
        }
        Ok(keys)
    }

    /// The rows of one of the snapshot's tables, as JSON objects by column name (every
    /// column present, NULL as null); an absent table (an older snapshot) has no rows.
    pub async fn read_rows(
        &self,
        table: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
        let mut rows = Vec::new();
        for key in self.table_parts(table).await? {
            let bytes = self.store.get_key(&key).await?;
            rows.extend(super::snapshot::rows_from_parquet(
                bytes,
                table,
                Path::new(key.as_ref()),
            )?);
        }
        Ok(rows)
    }
}
