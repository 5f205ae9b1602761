//! CloudTrail ingestion: files and folders of trail logs into a partitioned, deduplicated
//! Parquet lake at `<data dir>/trail/cloudtrail_events/event_date=YYYY-MM-DD/`.
//!
//! A run stages its Parquet files under `trail/.staging-<run>/`, then publishes them by
//! renaming each into its partition, and writes the checkpoint last. A crash before the
//! publish leaves the lake as it was; a crash during it leaves files whose events the next
//! run recognises by `event_id` and does not write again.

pub mod lookup;
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
use futures::stream::StreamExt;
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
    /// Files, folders, or `s3://bucket/prefix`.
    pub sources: Vec<String>,
    /// For S3 sources: credentials, endpoint and region.
    pub aws: crate::collect::aws::AwsOptions,
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
    #[error("listing {url}: {code}: {message}")]
    S3List {
        url: String,
        code: String,
        message: String,
    },
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

/// Where an input file is.
#[derive(Debug, Clone)]
enum Location {
    Local(PathBuf),
    S3 { bucket: String, key: String },
}

/// A file to ingest: its name in reports, its checkpoint key, and what identifies its version.
#[derive(Debug, Clone)]
struct InputFile {
    name: String,
    checkpoint_key: String,
    seen: Seen,
    location: Location,
}

/// `s3://bucket/prefix` → (bucket, prefix).
pub fn parse_s3_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    (!bucket.is_empty()).then(|| (bucket.to_owned(), prefix.to_owned()))
}

fn local_inputs(path: &Path, out: &mut Vec<InputFile>) -> Result<(), IngestError> {
    let mut files = Vec::new();
    walk(path, &mut files)?;
    for f in files {
        let meta = std::fs::metadata(&f).map_err(io(&f))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        out.push(InputFile {
            name: f.display().to_string(),
            checkpoint_key: std::fs::canonicalize(&f)
                .unwrap_or(f.clone())
                .display()
                .to_string(),
            seen: Seen {
                size: meta.len(),
                modified,
            },
            location: Location::Local(f),
        });
    }
    Ok(())
}

async fn s3_inputs(
    client: &aws_sdk_s3::Client,
    url: &str,
    bucket: &str,
    prefix: &str,
    out: &mut Vec<InputFile>,
) -> Result<(), IngestError> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            let info = crate::collect::aws::error_info(&e);
            IngestError::S3List {
                url: url.to_owned(),
                code: info.code,
                message: info.message,
            }
        })?;
        for object in page.contents.unwrap_or_default() {
            let Some(key) = object.key else { continue };
            if key.ends_with('/') {
                continue;
            }
            out.push(InputFile {
                name: format!("s3://{bucket}/{key}"),
                checkpoint_key: format!("s3://{bucket}/{key}"),
                seen: Seen {
                    size: object.size.unwrap_or(0).max(0) as u64,
                    modified: object.last_modified.map_or(0, |t| t.secs()),
                },
                location: Location::S3 {
                    bucket: bucket.to_owned(),
                    key,
                },
            });
        }
    }
    Ok(())
}

async fn fetch(client: Option<&aws_sdk_s3::Client>, file: &InputFile) -> Result<Vec<u8>, String> {
    match &file.location {
        Location::Local(path) => std::fs::read(path).map_err(|e| e.to_string()),
        Location::S3 { bucket, key } => {
            let client = client.expect("an S3 client exists when an S3 source was given");
            let object = client
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| {
                    let info = crate::collect::aws::error_info(&e);
                    format!("{}: {}", info.code, info.message)
                })?;
            let body = object
                .body
                .collect()
                .await
                .map_err(|e| format!("reading the object: {e}"))?;
            Ok(body.into_bytes().to_vec())
        }
    }
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
    fn new(data_dir: &Path) -> Self {
        let run_id = format!(
            "{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            std::process::id()
        );
        Self {
            schema: schema::event_schema(),
            lake: lake_dir(data_dir),
            staging: data_dir.join("trail").join(format!(".staging-{run_id}")),
            run_id,
            buffers: BTreeMap::new(),
            buffered: 0,
            known_ids: HashMap::new(),
            staged: Vec::new(),
            seq: 0,
        }
    }

    /// Counts a parsed record in the summary and, unless filtered out or a duplicate,
    /// buffers it for the lake.
    fn take(
        &mut self,
        opts: &IngestOptions,
        record: Normalized,
        summary: &mut IngestSummary,
    ) -> Result<(), IngestError> {
        if !keep(opts, &record) {
            summary.filtered_out += 1;
            return Ok(());
        }
        let date = record.event_date;
        if self.add(record)? {
            summary.records_written += 1;
            summary.partitions.insert(date.to_string());
        } else {
            summary.duplicates_skipped += 1;
        }
        Ok(())
    }

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
/// fatal; an error is returned only when a source cannot be listed or the lake cannot be
/// written.
pub async fn ingest(opts: &IngestOptions) -> Result<IngestSummary, IngestError> {
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

    let mut s3: Option<aws_sdk_s3::Client> = None;
    let mut inputs = Vec::new();
    for source in &opts.sources {
        match parse_s3_url(source) {
            Some((bucket, prefix)) => {
                if s3.is_none() {
                    let sdk = crate::collect::aws::load_sdk_config(&opts.aws).await;
                    let conf = aws_sdk_s3::config::Builder::from(&sdk)
                        .force_path_style(opts.aws.endpoint_url.is_some())
                        .build();
                    s3 = Some(aws_sdk_s3::Client::from_conf(conf));
                }
                s3_inputs(
                    s3.as_ref().expect("just built"),
                    source,
                    &bucket,
                    &prefix,
                    &mut inputs,
                )
                .await?;
            }
            None => local_inputs(Path::new(source), &mut inputs)?,
        }
    }
    inputs.sort_by(|a, b| a.checkpoint_key.cmp(&b.checkpoint_key));
    inputs.dedup_by(|a, b| a.checkpoint_key == b.checkpoint_key);

    let mut summary = IngestSummary::default();
    let (unchanged, todo): (Vec<InputFile>, Vec<InputFile>) = inputs
        .into_iter()
        .partition(|f| checkpoint.get(&f.checkpoint_key) == Some(&f.seen));
    summary.files_unchanged = unchanged.len();

    let mut writer = LakeWriter::new(&opts.data_dir);
    // Objects are fetched a few at a time while earlier ones are parsed; the window bounds memory.
    let client = s3.as_ref();
    let mut fetched = futures::stream::iter(todo.into_iter().map(|file| async move {
        let bytes = if file.seen.size > MAX_FILE_BYTES {
            Err(format!("larger than {MAX_FILE_BYTES} bytes"))
        } else {
            fetch(client, &file).await
        };
        (file, bytes)
    }))
    .buffered(8);
    while let Some((file, bytes)) = fetched.next().await {
        let parsed = bytes
            .and_then(read_maybe_gzip)
            .and_then(|b: Vec<u8>| parse_file(&b, &file.name));
        let parsed = match parsed {
            Ok(p) => p,
            Err(reason) => {
                summary.rejected_files.push((file.name, reason));
                continue;
            }
        };
        summary.files_read += 1;
        if parsed.digest {
            summary.digest_files += 1;
        }
        summary.insights_skipped += parsed.insights_skipped;
        for (index, reason) in parsed.rejected {
            summary
                .rejected_records
                .push((file.name.clone(), index, reason));
        }
        for record in parsed.records {
            writer.take(opts, record, &mut summary)?;
        }
        checkpoint.insert(file.checkpoint_key, file.seen);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        assert_eq!(
            parse_s3_url("s3://logs/AWSLogs/o-abc/"),
            Some(("logs".into(), "AWSLogs/o-abc/".into()))
        );
        assert_eq!(
            parse_s3_url("s3://logs"),
            Some(("logs".into(), String::new()))
        );
        assert_eq!(parse_s3_url("s3:///x"), None);
        assert_eq!(parse_s3_url("/tmp/logs"), None);
    }
}
