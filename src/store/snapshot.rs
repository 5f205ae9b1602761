//! Writing a snapshot atomically, and finding snapshots again.
//!
//! A snapshot is built in `snapshots/.tmp-<id>/` and renamed to `snapshots/<id>/` only after
//! every table and the manifest are on disk, so a crash never leaves a half snapshot that
//! looks whole. Readers only consider folders that hold a `manifest.json`.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;

use super::catalog::{complete_shards, Snapshot};
use super::manifest::{Manifest, TableEntry};
use super::objects::DataStore;
use super::table::{TableDef, TableRows};
use super::{atomic_write, io_err, StoreError};

pub const MANIFEST_FILE: &str = "manifest.json";
const TMP_PREFIX: &str = ".tmp-";
/// Parts of a snapshot collected by separate runs (`collect --snapshot-id`), waiting for
/// `snapshots finalize`: `snapshots/.shards/<id>/<shard>/`, each a whole snapshot of its
/// accounts with its own manifest.
pub const SHARDS: &str = ".shards";

pub fn shards_dir(data_dir: &Path, id: &str) -> PathBuf {
    snapshots_dir(data_dir).join(SHARDS).join(id)
}

/// A snapshot id given on the command line: a plain name (it becomes a folder name).
pub fn check_snapshot_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?}: a snapshot id is letters, digits, '-', '_' and '.', not starting with '.'"
        ))
    }
}

pub fn snapshots_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("snapshots")
}

/// A sortable id: the UTC start time, then a few characters that keep two runs started in
/// the same second apart.
pub fn new_snapshot_id(started_at: DateTime<Utc>) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let salt = (nanos ^ std::process::id().rotate_left(16)) & 0xffff;
    format!("{}-{salt:04x}", started_at.format("%Y%m%dT%H%M%SZ"))
}

pub struct SnapshotWriter {
    id: String,
    tmp_dir: PathBuf,
    final_dir: PathBuf,
    tables: std::collections::BTreeMap<String, TableEntry>,
    /// Tables being appended to (`open_tables`), written out by `close_tables`.
    open: std::collections::BTreeMap<&'static str, TableFile>,
}

/// A table's one Parquet file, open for appending. The writer keeps the row group in
/// progress in memory, encoded and compressed, and flushes it once it reaches
/// `ROW_GROUP_BYTES`: what a table holds in memory is bounded, whatever the rows written.
struct TableFile {
    writer: ArrowWriter<File>,
    path: PathBuf,
    file_name: String,
    rows: u64,
}

/// The encoded size at which a table's row group in progress is flushed to its file.
const ROW_GROUP_BYTES: usize = 4 << 20;

impl TableFile {
    /// `<name>/part-00000.parquet` under `dir`: a folder per table is what Athena, Trino
    /// and Spark take as a table location.
    fn create(dir: &Path, def: &'static TableDef) -> Result<Self, StoreError> {
        let name = def.name;
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).map_err(io_err(&folder))?;
        let file_name = format!("{name}/part-00000.parquet");
        let path = dir.join(&file_name);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let file = File::create(&path).map_err(io_err(&path))?;
        let writer = ArrowWriter::try_new(file, def.schema(), Some(props)).map_err(|source| {
            StoreError::Parquet {
                path: path.clone(),
                source,
            }
        })?;
        Ok(Self {
            writer,
            path,
            file_name,
            rows: 0,
        })
    }

    fn append(&mut self, rows: &TableRows) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let batch = rows.to_record_batch().map_err(|source| StoreError::Arrow {
            table: rows.def.name.to_owned(),
            source,
        })?;
        let parquet_err = |source| StoreError::Parquet {
            path: self.path.clone(),
            source,
        };
        self.writer.write(&batch).map_err(parquet_err)?;
        if self.writer.in_progress_size() >= ROW_GROUP_BYTES {
            self.writer.flush().map_err(parquet_err)?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Closes the file (an empty table still has its schema, so a query never fails
    /// because a table happened to have no rows) and syncs it.
    fn finish(self) -> Result<TableEntry, StoreError> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|source| StoreError::Parquet {
                path: path.clone(),
                source,
            })?;
        file.sync_all().map_err(io_err(&path))?;
        super::crash::wrote(&path);
        Ok(TableEntry {
            file: self.file_name,
            rows: self.rows,
        })
    }
}

impl SnapshotWriter {
    pub fn create(data_dir: &Path, id: &str) -> Result<Self, StoreError> {
        let root = snapshots_dir(data_dir);
        let tmp_dir = root.join(format!("{TMP_PREFIX}{id}"));
        std::fs::create_dir_all(&tmp_dir).map_err(io_err(&tmp_dir))?;
        Ok(Self {
            id: id.to_owned(),
            tmp_dir,
            final_dir: root.join(id),
            tables: Default::default(),
            open: Default::default(),
        })
    }

    /// A shard of snapshot `id`, published to `snapshots/.shards/<id>/<shard>/`.
    pub fn create_shard(data_dir: &Path, id: &str, shard: &str) -> Result<Self, StoreError> {
        let root = shards_dir(data_dir, id);
        let tmp_dir = root.join(format!("{TMP_PREFIX}{shard}"));
        std::fs::create_dir_all(&tmp_dir).map_err(io_err(&tmp_dir))?;
        Ok(Self {
            id: id.to_owned(),
            tmp_dir,
            final_dir: root.join(shard),
            tables: Default::default(),
            open: Default::default(),
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Writes one whole table.
    pub fn write_table(&mut self, rows: &TableRows) -> Result<(), StoreError> {
        let mut file = TableFile::create(&self.tmp_dir, rows.def)?;
        file.append(rows)?;
        self.record(rows.def.name, file.finish()?);
        Ok(())
    }

    /// Opens the files of `defs`, to be filled by `append` as rows arrive and closed by
    /// `close_tables`.
    pub fn open_tables(&mut self, defs: &[&'static TableDef]) -> Result<(), StoreError> {
        for &def in defs {
            let file = TableFile::create(&self.tmp_dir, def)?;
            self.open.insert(def.name, file);
        }
        Ok(())
    }

    /// Adds rows to their table's open file.
    pub fn append(&mut self, rows: &TableRows) -> Result<(), StoreError> {
        match self.open.get_mut(rows.def.name) {
            Some(file) => file.append(rows),
            None => Err(StoreError::Rows(format!(
                "table {} is not open for appending",
                rows.def.name
            ))),
        }
    }

    /// Closes every open table file.
    pub fn close_tables(&mut self) -> Result<(), StoreError> {
        for (name, file) in std::mem::take(&mut self.open) {
            self.record(name, file.finish()?);
        }
        Ok(())
    }

    fn record(&mut self, name: &str, entry: TableEntry) {
        self.tables.insert(name.to_owned(), entry);
    }

    pub fn tables(&self) -> &std::collections::BTreeMap<String, TableEntry> {
        &self.tables
    }

    /// Writes the manifest, then publishes the snapshot with one rename.
    pub fn finish(self, manifest: &Manifest) -> Result<PathBuf, StoreError> {
        debug_assert!(self.open.is_empty(), "close_tables before finish");
        let bytes = serde_json::to_vec_pretty(manifest).expect("a manifest always serializes");
        atomic_write(&self.tmp_dir.join(MANIFEST_FILE), &bytes)?;
        std::fs::rename(&self.tmp_dir, &self.final_dir).map_err(io_err(&self.final_dir))?;
        super::crash::wrote(&self.final_dir);
        Ok(self.final_dir)
    }

    /// Removes the temporary folder of an abandoned snapshot.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.tmp_dir);
    }
}

/// Writes a snapshot of the tables `defs` that holds `tables` (rows as JSON objects by column
/// name; every other table empty), collected at `collected_at` by `caller_account`: bundled
/// demo data and test fixtures, not AWS. `defs` is every table a snapshot has
/// (`collect::all_tables()`).
pub fn write_from_rows(
    data_dir: &Path,
    id: &str,
    defs: &[&'static TableDef],
    tables: &std::collections::BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>>,
    collected_at: DateTime<Utc>,
    caller_account: &str,
) -> Result<PathBuf, StoreError> {
    if let Some(unknown) = tables
        .keys()
        .find(|n| !defs.iter().any(|d| d.name == n.as_str()))
    {
        return Err(StoreError::Rows(format!("unknown table {unknown}")));
    }
    let mut writer = SnapshotWriter::create(data_dir, id)?;
    for &def in defs {
        let mut rows = TableRows::new(def);
        for row in tables.get(def.name).into_iter().flatten() {
            rows.push_json(row).map_err(StoreError::Rows)?;
        }
        writer.write_table(&rows)?;
    }
    let manifest = Manifest {
        snapshot_id: id.into(),
        schema_version: super::manifest::SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at: collected_at,
        finished_at: collected_at,
        caller: super::manifest::CallerIdentity {
            account_id: caller_account.into(),
            arn: format!("arn:aws:iam::{caller_account}:root"),
            user_id: "bundled".into(),
        },
        organization_id: None,
        accounts: vec![],
        regions: vec![],
        services: vec![],
        parts: vec![],
        tables: writer.tables().clone(),
        api_calls: 0,
        error_count: 0,
    };
    writer.finish(&manifest)
}

/// The rows of one Parquet file's bytes, as JSON objects (every column present).
pub fn rows_from_parquet(
    bytes: bytes::Bytes,
    table: &str,
    path: &Path,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, StoreError> {
    let parquet = |source| StoreError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let arrow = |source| StoreError::Arrow {
        table: table.to_owned(),
        source,
    };
    let reader =
        datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
            .map_err(parquet)?
            .build()
            .map_err(parquet)?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(arrow)?;
        let mut writer = datafusion::arrow::json::ArrayWriter::new(Vec::new());
        writer.write(&batch).map_err(arrow)?;
        writer.finish().map_err(arrow)?;
        let bytes = writer.into_inner();
        if bytes.is_empty() {
            continue;
        }
        let parsed: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(&bytes).expect("arrow writes valid JSON");
        // The JSON writer leaves nulls out; put them back so every column is present.
        for mut row in parsed {
            for field in batch.schema().fields() {
                row.entry(field.name().clone())
                    .or_insert(serde_json::Value::Null);
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Merges the shards of snapshot `id` into one published snapshot: their tables' parts are
/// linked (copied from S3) into `snapshots/<id>/<table>/`, and one manifest covers every
/// account, part and error. Two shards that collected the same account are refused (the
/// tables would hold it twice). The merge is staged and published with its manifest last;
/// the shards are deleted only then, so a finalize cut off at any point leaves the shards
/// whole, and the next one either merges them again or (published already) deletes them.
/// Answers where the snapshot is and its manifest.
pub async fn finalize(store: &DataStore, id: &str) -> Result<(String, Manifest), StoreError> {
    let fail = |message: String| StoreError::Shards {
        id: id.to_owned(),
        message,
    };
    check_snapshot_id(id).map_err(fail)?;
    let folder = format!("snapshots/{id}");
    let shards_root = format!("snapshots/{SHARDS}/{id}");
    if store.exists(&format!("{folder}/{MANIFEST_FILE}")).await {
        if complete_shards(store, id).await?.is_empty() {
            return Err(fail(format!(
                "is already finalized in {}",
                store.display("snapshots")
            )));
        }
        // Published, but the run that did it stopped before deleting the shards: finish it.
        let (_, manifest) = Snapshot::at(store, folder.clone(), id.to_owned()).await?;
        store.delete_under(&shards_root).await?;
        return Ok((store.display(&folder), manifest));
    }
    let shards = complete_shards(store, id).await?;
    if shards.is_empty() {
        return Err(fail(format!(
            "no shards in {} (collect them with `govscan collect --snapshot-id {id}`)",
            store.display(&shards_root)
        )));
    }
    let mut manifests = Vec::with_capacity(shards.len());
    let mut shard_snapshots = Vec::with_capacity(shards.len());
    for shard in &shards {
        let (snapshot, manifest) =
            Snapshot::at(store, format!("{shards_root}/{shard}"), id.to_owned()).await?;
        shard_snapshots.push(snapshot);
        manifests.push(manifest);
    }
    let mut seen: std::collections::BTreeMap<&str, &str> = Default::default();
    for (shard, m) in shards.iter().zip(&manifests) {
        if m.schema_version != manifests[0].schema_version {
            return Err(fail(format!(
                "shards of schema versions {} and {} cannot be merged",
                manifests[0].schema_version, m.schema_version
            )));
        }
        for a in &m.accounts {
            if let Some(other) = seen.insert(&a.account_id, shard) {
                return Err(fail(format!(
                    "account {} was collected by two shards ({} and {})",
                    a.account_id,
                    store.display(&format!("{shards_root}/{other}")),
                    store.display(&format!("{shards_root}/{shard}"))
                )));
            }
        }
    }
    let staging = store.staging("finalize")?;
    let mut tables: std::collections::BTreeMap<String, TableEntry> = Default::default();
    for ((shard, snapshot), m) in shards.iter().zip(&shard_snapshots).zip(&manifests) {
        for (table, entry) in &m.tables {
            let folder = staging.path().join(table);
            std::fs::create_dir_all(&folder).map_err(io_err(&folder))?;
            for (n, part) in snapshot.table_parts(table).await?.iter().enumerate() {
                let to = folder.join(format!("part-{shard}-{n:05}.parquet"));
                store.link_out(part, &to).await?;
            }
            let merged = tables.entry(table.clone()).or_insert(TableEntry {
                file: format!("{table}/"),
                rows: 0,
            });
            merged.rows += entry.rows;
        }
    }
    let manifest = merged_manifest(id, &manifests, tables);
    let bytes = serde_json::to_vec_pretty(&manifest).expect("a manifest always serializes");
    atomic_write(&staging.path().join(MANIFEST_FILE), &bytes)?;
    store.publish_folder(staging.path(), &folder).await?;
    store.delete_under(&shards_root).await?;
    Ok((store.display(&folder), manifest))
}

/// The shards of snapshot `id` collected so far, merged as `snapshots finalize` would merge
/// them into a data directory of their own (removed when the answer's folder is dropped);
/// the data directory itself is left as it is.
pub async fn merge_unfinalized(
    store: &DataStore,
    id: &str,
) -> Result<(tempfile::TempDir, Manifest), StoreError> {
    check_snapshot_id(id).map_err(|message| StoreError::Shards {
        id: id.to_owned(),
        message,
    })?;
    let tmp = std::env::temp_dir();
    let merged = tempfile::Builder::new()
        .prefix("govscan-unfinalized-")
        .tempdir_in(&tmp)
        .map_err(io_err(&tmp))?;
    let shards_root = format!("snapshots/{SHARDS}/{id}");
    for shard in complete_shards(store, id).await? {
        let folder = format!("{shards_root}/{shard}");
        store
            .download_folder(&folder, &merged.path().join(&folder))
            .await?;
    }
    let (_, manifest) = finalize(&DataStore::local(merged.path())?, id).await?;
    Ok((merged, manifest))
}

/// One manifest for the shards' `manifests`, whose tables are now `tables`.
fn merged_manifest(
    id: &str,
    manifests: &[Manifest],
    tables: std::collections::BTreeMap<String, TableEntry>,
) -> Manifest {
    let first = &manifests[0];
    let mut regions: Vec<String> = manifests.iter().flat_map(|m| m.regions.clone()).collect();
    regions.sort();
    regions.dedup();
    let mut services: Vec<String> = manifests.iter().flat_map(|m| m.services.clone()).collect();
    services.sort();
    services.dedup();
    Manifest {
        snapshot_id: id.to_owned(),
        schema_version: first.schema_version,
        tool_version: first.tool_version.clone(),
        started_at: manifests
            .iter()
            .map(|m| m.started_at)
            .min()
            .unwrap_or(first.started_at),
        finished_at: manifests
            .iter()
            .map(|m| m.finished_at)
            .max()
            .unwrap_or(first.finished_at),
        caller: first.caller.clone(),
        organization_id: manifests.iter().find_map(|m| m.organization_id.clone()),
        accounts: manifests.iter().flat_map(|m| m.accounts.clone()).collect(),
        regions,
        services,
        parts: manifests.iter().flat_map(|m| m.parts.clone()).collect(),
        tables,
        api_calls: manifests.iter().map(|m| m.api_calls).sum(),
        error_count: manifests.iter().map(|m| m.error_count).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::manifest::{CallerIdentity, SCHEMA_VERSION};
    use crate::store::table::{col, ColumnType, TableDef};

    static T: TableDef = TableDef {
        name: "things",
        key: &[],
        doc: "",
        columns: &[col("id", ColumnType::Text, "")],
    };

    static OTHER: TableDef = TableDef {
        name: "others",
        key: &[],
        doc: "",
        columns: &[col("id", ColumnType::Text, "")],
    };

    fn manifest(id: &str) -> Manifest {
        Manifest {
            snapshot_id: id.into(),
            schema_version: SCHEMA_VERSION,
            tool_version: "test".into(),
            started_at: Utc::now(),
            finished_at: Utc::now(),
            caller: CallerIdentity {
                account_id: "1".into(),
                arn: "a".into(),
                user_id: "u".into(),
            },
            organization_id: None,
            accounts: vec![],
            regions: vec![],
            services: vec![],
            parts: vec![],
            tables: Default::default(),
            api_calls: 0,
            error_count: 0,
        }
    }

    /// Rows appended part by part end up in one file, every row once, and the writer
    /// flushes row groups as it goes instead of holding the whole table.
    #[test]
    fn appended_tables_hold_every_row_and_flush_as_they_grow() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SnapshotWriter::create(dir.path(), "s1").unwrap();
        w.open_tables(&[&T]).unwrap();
        let (parts, per_part) = (40, 2_000);
        // Incompressible text (an LCG's digits), 200 bytes a row: 16 MB in all.
        let mut seed: u64 = 7;
        for _ in 0..parts {
            let mut rows = TableRows::new(&T);
            for _ in 0..per_part {
                let text: String = (0..200)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        char::from(b'a' + (seed >> 59) as u8 % 26)
                    })
                    .collect();
                rows.row().set("id", text);
            }
            w.append(&rows).unwrap();
        }
        assert!(
            w.append(&TableRows::new(&OTHER)).is_err(),
            "a table not opened is refused"
        );
        w.close_tables().unwrap();
        assert_eq!(w.tables()["things"].rows, (parts * per_part) as u64);
        let path = w.tmp_dir.join("things/part-00000.parquet");
        let reader = datafusion::parquet::file::reader::SerializedFileReader::new(
            File::open(&path).unwrap(),
        )
        .unwrap();
        use datafusion::parquet::file::reader::FileReader;
        let meta = reader.metadata();
        let total: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
        assert_eq!(total, (parts * per_part) as i64);
        assert!(
            meta.num_row_groups() > 1,
            "one row group: the table was held whole"
        );
    }

    #[tokio::test]
    async fn a_snapshot_is_invisible_until_finished_and_then_resolvable() {
        use crate::store::catalog::list_snapshots;
        let data = tempfile::tempdir().unwrap();
        let store = DataStore::local(data.path()).unwrap();
        let id = "20240101T000000Z-0001";
        let mut w = SnapshotWriter::create(data.path(), id).unwrap();
        let mut rows = TableRows::new(&T);
        rows.row().set("id", "a");
        w.write_table(&rows).unwrap();
        assert!(
            list_snapshots(&store).await.unwrap().is_empty(),
            "unfinished snapshot must not be listed"
        );
        assert!(matches!(
            Snapshot::resolve(&store, None).await,
            Err(StoreError::NoSnapshots { .. })
        ));

        let dir = w.finish(&manifest(id)).unwrap();
        assert!(dir.join("things/part-00000.parquet").exists());
        let (latest, _) = Snapshot::resolve(&store, None).await.unwrap();
        assert_eq!(latest.id, id);
        let written = latest.read_rows("things").await.unwrap();
        assert_eq!(written.len(), 1);
        // A snapshot of the older layout (one `<table>.parquet`) reads the same.
        std::fs::rename(
            dir.join("things/part-00000.parquet"),
            dir.join("things.parquet"),
        )
        .unwrap();
        std::fs::remove_dir(dir.join("things")).unwrap();
        assert_eq!(latest.read_rows("things").await.unwrap(), written);
        assert!(latest.read_rows("nothing").await.unwrap().is_empty());
        let (by_id, _) = Snapshot::resolve(&store, Some(id)).await.unwrap();
        assert_eq!(by_id.folder, format!("snapshots/{id}"));
        let (by_path, _) = Snapshot::resolve(&store, Some(dir.to_str().unwrap()))
            .await
            .unwrap();
        assert_eq!(by_path.read_rows("things").await.unwrap(), written);
        assert!(matches!(
            Snapshot::resolve(&store, Some("../etc")).await,
            Err(StoreError::SnapshotNotFound { .. })
        ));
    }

    #[tokio::test]
    async fn the_latest_snapshot_is_the_one_with_the_greatest_id() {
        let data = tempfile::tempdir().unwrap();
        for id in ["20240102T000000Z-0000", "20240101T000000Z-ffff"] {
            SnapshotWriter::create(data.path(), id)
                .unwrap()
                .finish(&manifest(id))
                .unwrap();
        }
        let store = DataStore::local(data.path()).unwrap();
        let (latest, _) = Snapshot::resolve(&store, None).await.unwrap();
        assert_eq!(latest.id, "20240102T000000Z-0000");
    }

    #[tokio::test]
    async fn a_corrupt_manifest_is_reported_not_hidden() {
        let data = tempfile::tempdir().unwrap();
        let dir = snapshots_dir(data.path()).join("20240101T000000Z-0000");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(MANIFEST_FILE), "{ not json").unwrap();
        let store = DataStore::local(data.path()).unwrap();
        let listed = crate::store::catalog::list_snapshots(&store).await.unwrap();
        assert_eq!(listed.len(), 1);
        let err = listed[0].1.as_ref().unwrap_err().to_string();
        assert!(err.contains("manifest is not valid"), "{err}");
    }

    #[test]
    fn snapshot_ids_sort_by_time() {
        let a = new_snapshot_id("2024-01-01T00:00:00Z".parse().unwrap());
        let b = new_snapshot_id("2024-01-01T00:00:01Z".parse().unwrap());
        assert!(a < b);
        assert_eq!(a.len(), "20240101T000000Z-0000".len());
    }
}
