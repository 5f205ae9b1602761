//! CloudTrail ingestion: files and folders of trail logs into a partitioned, deduplicated
//! Parquet lake at `<data dir>/trail/cloudtrail_events/event_date=YYYY-MM-DD/`.
//!
//! A run stages its Parquet files under `trail/.staging-<run>/`, then publishes them by
//! renaming each into its partition, and writes the checkpoint last. A crash before the
//! publish leaves the lake as it was; a crash during it leaves files whose events the next
//! run recognises by `event_id` and does not write again.

pub mod parse;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::{ArrowWriter, ProjectionMask};
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::store::{atomic_write, StoreError};
use parse::{parse_file, read_maybe_gzip, Normalized, MAX_FILE_BYTES};

pub const TABLE_DIR: &str = "cloudtrail_events";
const CHECKPOINT: &str = "ingested.json";
/// Rows buffered across partitions before they are written out: bounds memory.
const FLUSH_ROWS: usize = 50_000;

pub fn lake_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("trail").join(TABLE_DIR)
}

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub data_dir: PathBuf,
    pub sources: Vec<PathBuf>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct IngestSummary {
    pub files_read: usize,
    pub files_unchanged: usize,
    pub digest_files: usize,
    pub records_written: usize,
    pub duplicates_skipped: usize,
    pub insights_skipped: usize,
    pub filtered_out: usize,
    /// (file, reason)
    pub rejected_files: Vec<(String, String)>,
    /// (file, index of the record in the file, reason)
    pub rejected_records: Vec<(String, usize, String)>,
    pub partitions: BTreeSet<String>,
}

impl IngestSummary {
    pub fn anything_rejected(&self) -> bool {
        !self.rejected_files.is_empty() || !self.rejected_records.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{path}: the ingest checkpoint is not valid JSON ({source}); move it away to ingest everything again")]
    Checkpoint {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// What the checkpoint remembers of an ingested file: if size and modification time are
/// unchanged, the file is not read again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Seen {
    size: u64,
    modified: i64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let meta = std::fs::metadata(path).map_err(io(path))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path).map_err(io(path))? {
        let p = entry.map_err(io(path))?.path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// One run's buffers, dedup sets and staged files.
struct LakeWriter {
    schema: SchemaRef,
    lake: PathBuf,
    staging: PathBuf,
    run_id: String,
    buffers: BTreeMap<NaiveDate, Vec<serde_json::Value>>,
    buffered: usize,
    known_ids: HashMap<NaiveDate, HashSet<String>>,
    staged: Vec<(NaiveDate, PathBuf)>,
    seq: usize,
}

impl LakeWriter {
    /// Event ids already in a partition of the lake, read once per partition per run.
    fn known(&mut self, date: NaiveDate) -> Result<&mut HashSet<String>, IngestError> {
        if !self.known_ids.contains_key(&date) {
            let mut ids = HashSet::new();
            let dir = self.lake.join(format!("event_date={date}"));
            if dir.exists() {
                for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
                    let path = entry.map_err(io(&dir))?.path();
                    if path.extension().is_none_or(|e| e != "parquet") {
                        continue;
                    }
                    let bad = |e: &dyn std::fmt::Display| IngestError::Write {
                        path: path.clone(),
                        message: format!("reading event ids: {e}"),
                    };
                    let file = File::open(&path).map_err(io(&path))?;
                    let builder =
                        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
                    let index = builder.schema().index_of("event_id").map_err(|e| bad(&e))?;
                    let mask = ProjectionMask::roots(builder.parquet_schema(), [index]);
                    for batch in builder.with_projection(mask).build().map_err(|e| bad(&e))? {
                        let batch = batch.map_err(|e| bad(&e))?;
                        let col = batch.column(0).as_string::<i32>();
                        ids.extend(
                            (0..col.len())
                                .filter(|i| !col.is_null(*i))
                                .map(|i| col.value(i).to_owned()),
                        );
                    }
                }
            }
            self.known_ids.insert(date, ids);
        }
        Ok(self.known_ids.get_mut(&date).expect("just inserted"))
    }

    /// Buffers a record unless its event id is already in the lake or this run.
    fn add(&mut self, record: Normalized) -> Result<bool, IngestError> {
        if !self.known(record.event_date)?.insert(record.event_id) {
            return Ok(false);
        }
        self.buffers
            .entry(record.event_date)
            .or_default()
            .push(record.row);
        self.buffered += 1;
        if self.buffered >= FLUSH_ROWS {
            self.flush()?;
        }
        Ok(true)
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        for (date, rows) in std::mem::take(&mut self.buffers) {
            self.seq += 1;
            let dir = self.staging.join(format!("event_date={date}"));
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let path = dir.join(format!("part-{}-{:05}.parquet", self.run_id, self.seq));
            let bad = |e: &dyn std::fmt::Display| IngestError::Write {
                path: path.clone(),
                message: e.to_string(),
            };
            let mut decoder = datafusion::arrow::json::ReaderBuilder::new(self.schema.clone())
                .with_batch_size(rows.len().max(1))
                .build_decoder()
                .map_err(|e| bad(&e))?;
            decoder.serialize(&rows).map_err(|e| bad(&e))?;
            let batch = decoder
                .flush()
                .map_err(|e| bad(&e))?
                .expect("rows were serialized");
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(
                    ZstdLevel::try_new(3).expect("valid level"),
                ))
                .build();
            let file = File::create(&path).map_err(io(&path))?;
            let mut writer = ArrowWriter::try_new(file, self.schema.clone(), Some(props))
                .map_err(|e| bad(&e))?;
            writer.write(&batch).map_err(|e| bad(&e))?;
            writer.close().map_err(|e| bad(&e))?;
            self.staged.push((date, path));
        }
        self.buffered = 0;
        Ok(())
    }

    /// Moves the staged files into the lake, one rename each.
    fn publish(mut self) -> Result<(), IngestError> {
        self.flush()?;
        for (date, staged) in &self.staged {
            let dir = self.lake.join(format!("event_date={date}"));
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let target = dir.join(staged.file_name().expect("a file"));
            std::fs::rename(staged, &target).map_err(io(&target))?;
        }
        let _ = std::fs::remove_dir_all(&self.staging);
        Ok(())
    }
}

/// Ingests every file below the sources. Rejected input is reported in the summary, never
/// fatal; an error is returned only when the lake itself cannot be written.
pub fn ingest(opts: &IngestOptions) -> Result<IngestSummary, IngestError> {
    let trail_dir = opts.data_dir.join("trail");
    std::fs::create_dir_all(&trail_dir).map_err(io(&trail_dir))?;
    let checkpoint_path = trail_dir.join(CHECKPOINT);
    let mut checkpoint: BTreeMap<String, Seen> = match std::fs::read(&checkpoint_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| IngestError::Checkpoint {
            path: checkpoint_path.clone(),
            source,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => {
            return Err(IngestError::Io {
                path: checkpoint_path,
                source: e,
            })
        }
    };
    let mut files = Vec::new();
    for source in &opts.sources {
        walk(source, &mut files)?;
    }
    files.sort();
    files.dedup();

    let run_id = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
        std::process::id()
    );
    let mut writer = LakeWriter {
        schema: schema::event_schema(),
        lake: lake_dir(&opts.data_dir),
        staging: trail_dir.join(format!(".staging-{run_id}")),
        run_id,
        buffers: BTreeMap::new(),
        buffered: 0,
        known_ids: HashMap::new(),
        staged: Vec::new(),
        seq: 0,
    };
    let mut summary = IngestSummary::default();
    for path in files {
        let name = path.display().to_string();
        let key = std::fs::canonicalize(&path)
            .unwrap_or(path.clone())
            .display()
            .to_string();
        let meta = std::fs::metadata(&path).map_err(io(&path))?;
        let seen = Seen {
            size: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs() as i64),
        };
        if checkpoint.get(&key) == Some(&seen) {
            summary.files_unchanged += 1;
            continue;
        }
        if meta.len() > MAX_FILE_BYTES {
            summary
                .rejected_files
                .push((name, format!("larger than {MAX_FILE_BYTES} bytes")));
            continue;
        }
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let parsed = read_maybe_gzip(bytes).and_then(|b| parse_file(&b, &name));
        let parsed = match parsed {
            Ok(p) => p,
            Err(reason) => {
                summary.rejected_files.push((name, reason));
                continue;
            }
        };
        summary.files_read += 1;
        if parsed.digest {
            summary.digest_files += 1;
        }
        summary.insights_skipped += parsed.insights_skipped;
        for (index, reason) in parsed.rejected {
            summary.rejected_records.push((name.clone(), index, reason));
        }
        for record in parsed.records {
            if !keep(opts, &record) {
                summary.filtered_out += 1;
                continue;
            }
            let date = record.event_date;
            if writer.add(record)? {
                summary.records_written += 1;
                summary.partitions.insert(date.to_string());
            } else {
                summary.duplicates_skipped += 1;
            }
        }
        checkpoint.insert(key, seen);
    }
    writer.publish()?;
    let bytes = serde_json::to_vec_pretty(&checkpoint).expect("checkpoint serializes");
    atomic_write(&checkpoint_path, &bytes)?;
    Ok(summary)
}

fn keep(opts: &IngestOptions, record: &Normalized) -> bool {
    let text = |k: &str| {
        record
            .row
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    opts.since.is_none_or(|d| record.event_date >= d)
        && opts.until.is_none_or(|d| record.event_date <= d)
        && (opts.accounts.is_empty()
            || opts
                .accounts
                .iter()
                .any(|a| a == text("recipient_account_id")))
        && (opts.regions.is_empty() || opts.regions.iter().any(|r| r == text("aws_region")))
}
