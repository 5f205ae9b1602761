//! CloudTrail ingestion: files and folders of trail logs into a partitioned, deduplicated
//! Parquet lake at `<data dir>/trail/cloudtrail_events/event_date=YYYY-MM-DD/`.
//!
//! A run stages its Parquet files under `trail/.staging-<run>/`, then publishes them by
//! renaming each into its partition, and writes the checkpoint last. A crash before the
//! publish leaves the lake as it was; a crash during it leaves files whose events the next
//! run recognises by `event_id` and does not write again.
//!
//! A data directory on S3 (`s3://bucket/prefix`) keeps the same promise: files are staged
//! in a local temporary folder, each is published with one PUT under its final key, and the
//! checkpoint is written last; the event ids already in a partition are read from S3.

mod columns;
pub mod lookup;
pub mod parse;
mod record;
pub mod schema;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::{ArrowWriter, ProjectionMask};
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use futures::stream::StreamExt;
use serde::{Deserialize, Serialize};

use crate::store::data_dir::split_s3_url;
use crate::store::DataStore;
use crate::store::StoreError;
use parse::{parse_file, read_maybe_gzip, ParsedFile, MAX_FILE_BYTES};

const CHECKPOINT: &str = "ingested.json";
/// Rows buffered across partitions before they are written out: bounds memory.
const FLUSH_ROWS: usize = 50_000;
/// Files fetched and parsed ahead of the one being added to the lake.
const PARSE_AHEAD: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub data_dir: crate::store::DataDir,
    /// Files, folders, or `s3://bucket/prefix`.
    pub sources: Vec<String>,
    /// For S3 sources: credentials, endpoint and region.
    pub aws: crate::aws::AwsOptions,
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
            let info = crate::aws::error_info(&e);
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

async fn fetch_object(
    client: Option<&aws_sdk_s3::Client>,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, String> {
    let client = client.expect("an S3 client exists when an S3 source was given");
    let object = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| {
            let info = crate::aws::error_info(&e);
            format!("{}: {}", info.code, info.message)
        })?;
    let body = object
        .body
        .collect()
        .await
        .map_err(|e| format!("reading the object: {e}"))?;
    Ok(body.into_bytes().to_vec())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The files at `path` (a file, or a folder walked in name order), skipping hidden ones
/// (`.staging-*`, editors' dot files) below it.
fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e))
    {
        let entry = entry.map_err(|e| IngestError::Io {
            path: e.path().unwrap_or(path).to_path_buf(),
            source: e.into(),
        })?;
        if !entry.file_type().is_dir() {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

/// An event id as remembered for deduplication: CloudTrail's ids are lowercase UUIDs, held
/// in 16 bytes; anything else is kept as text. Exact either way, so two events are never
/// taken for one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EventId {
    Uuid(u128),
    Other(Box<str>),
}

impl EventId {
    fn new(id: &str) -> Self {
        Self::uuid(id).map_or_else(|| Self::Other(id.into()), Self::Uuid)
    }

    fn uuid(id: &str) -> Option<u128> {
        let bytes = id.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut value: u128 = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return None;
                }
                continue;
            }
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => return None,
            };
            value = value << 4 | u128::from(digit);
        }
        Some(value)
    }
}

/// A partition's date from days since 1970-01-01.
fn day_to_date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).expect("event times are in range")
}

fn date_to_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - 719_163
}

/// A Parquet file to write: where, and its rows.
struct ParquetJob {
    path: PathBuf,
    batches: Vec<RecordBatch>,
}

/// Writes Parquet files on its own thread, so encoding overlaps parsing. The channel holds
/// one job: memory stays bounded when the disk is slower than the parsers.
struct ParquetThread {
    jobs: Option<std::sync::mpsc::SyncSender<ParquetJob>>,
    thread: Option<std::thread::JoinHandle<Result<(), IngestError>>>,
}

impl ParquetThread {
    fn start(schema: SchemaRef) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<ParquetJob>(1);
        let thread = std::thread::spawn(move || {
            for job in receiver {
                write_parquet(&schema, &job)?;
            }
            Ok(())
        });
        Self {
            jobs: Some(jobs),
            thread: Some(thread),
        }
    }

    fn send(&mut self, job: ParquetJob) -> Result<(), IngestError> {
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped on an error: that error is the one to report.
            _ => self.join(),
        }
    }

    /// Waits for every job; the first write error, if any.
    fn join(&mut self) -> Result<(), IngestError> {
        self.jobs = None;
        match self.thread.take() {
            Some(thread) => thread.join().expect("the Parquet writer does not panic"),
            None => Ok(()),
        }
    }
}

fn write_parquet(schema: &SchemaRef, job: &ParquetJob) -> Result<(), IngestError> {
    let path = &job.path;
    let bad = |e: &dyn std::fmt::Display| IngestError::Write {
        path: path.clone(),
        message: e.to_string(),
    };
    let dir = path.parent().expect("a partition directory");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .build();
    let file = File::create(path).map_err(io(path))?;
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| bad(&e))?;
    for batch in &job.batches {
        writer.write(batch).map_err(|e| bad(&e))?;
    }
    writer.close().map_err(|e| bad(&e))?;
    Ok(())
}

/// The lake in the data directory: `trail/cloudtrail_events/event_date=.../*.parquet` and
/// the checkpoint `trail/checkpoint.json`, which is written last.
struct LakeTarget {
    store: DataStore,
}

impl LakeTarget {
    async fn open(data_dir: &crate::store::DataDir) -> Result<Self, IngestError> {
        Ok(LakeTarget {
            store: DataStore::open(data_dir).await?,
        })
    }

    fn checkpoint() -> String {
        format!("trail/{CHECKPOINT}")
    }

    /// The checkpoint of ingested files (empty before the first run).
    async fn read_checkpoint(&self) -> Result<BTreeMap<String, Seen>, IngestError> {
        let Some(bytes) = self.store.get(&Self::checkpoint()).await? else {
            return Ok(BTreeMap::new());
        };
        serde_json::from_slice(&bytes).map_err(|source| IngestError::Checkpoint {
            path: self.store.display(&Self::checkpoint()).into(),
            source,
        })
    }

    /// Replaces the checkpoint: the last write of a run.
    async fn write_checkpoint(
        &self,
        checkpoint: &BTreeMap<String, Seen>,
    ) -> Result<(), IngestError> {
        let bytes = serde_json::to_vec_pretty(checkpoint).expect("checkpoint serializes");
        Ok(self.store.put(&Self::checkpoint(), bytes).await?)
    }

    /// The partition folder of `day`, relative to the data directory.
    fn partition(day: i32) -> String {
        format!("{}/event_date={}", crate::store::LAKE, day_to_date(day))
    }

    /// The event ids already in the lake's partition of `day`: the `event_id` column of each
    /// of its files (each at most one flush of one run).
    async fn event_ids(&self, day: i32) -> Result<HashSet<EventId>, IngestError> {
        let mut ids = HashSet::new();
        let keys = self.store.list(&Self::partition(day)).await?;
        for key in keys.iter().filter(|k| k.as_ref().ends_with(".parquet")) {
            let bytes = self.store.get_key(key).await?;
            let shown = PathBuf::from(self.store.display_key(key));
            read_event_ids(bytes, &shown, &mut ids)?;
        }
        Ok(ids)
    }

    /// Moves a staged file into the partition of `day`: one rename, or one PUT, so the file
    /// appears whole or not at all.
    async fn publish(&self, day: i32, staged: &Path) -> Result<(), IngestError> {
        let name = staged
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let relative = format!("{}/{name}", Self::partition(day));
        Ok(self.store.publish_file(staged, &relative).await?)
    }
}

/// Adds the `event_id` column of a Parquet file of the lake to `ids`.
fn read_event_ids(
    bytes: bytes::Bytes,
    path: &Path,
    ids: &mut HashSet<EventId>,
) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| IngestError::Write {
        path: path.to_owned(),
        message: format!("reading event ids: {e}"),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| bad(&e))?;
    let index = builder.schema().index_of("event_id").map_err(|e| bad(&e))?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [index]);
    for batch in builder.with_projection(mask).build().map_err(|e| bad(&e))? {
        let batch = batch.map_err(|e| bad(&e))?;
        let col = batch.column(0).as_string::<i32>();
        ids.extend(col.iter().flatten().map(EventId::new));
    }
    Ok(())
}

/// One run's pending rows, dedup sets and staged files.
struct LakeWriter {
    schema: SchemaRef,
    target: LakeTarget,
    /// Where files are written before they are published (removed when dropped).
    staging: tempfile::TempDir,
    run_id: String,
    /// Rows waiting to be written, by partition day.
    pending: BTreeMap<i32, Vec<RecordBatch>>,
    pending_rows: usize,
    known_ids: HashMap<i32, HashSet<EventId>>,
    staged: Vec<(i32, PathBuf)>,
    seq: usize,
    parquet: ParquetThread,
}

impl LakeWriter {
    async fn open(data_dir: &crate::store::DataDir) -> Result<Self, IngestError> {
        let run_id = format!(
            "{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            std::process::id()
        );
        let schema = schema::event_schema();
        let target = LakeTarget::open(data_dir).await?;
        let staging = target.store.staging("trail")?;
        Ok(Self {
            parquet: ParquetThread::start(schema.clone()),
            schema,
            target,
            staging,
            run_id,
            pending: BTreeMap::new(),
            pending_rows: 0,
            known_ids: HashMap::new(),
            staged: Vec::new(),
            seq: 0,
        })
    }

    /// Counts a parsed file's rows in the summary and keeps those that are neither filtered
    /// out nor already in the lake or this run.
    fn take(
        &mut self,
        opts: &IngestOptions,
        batch: RecordBatch,
        days: &[i32],
        summary: &mut IngestSummary,
    ) -> Result<(), IngestError> {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .expect("the schema has it")
                .as_string::<i32>()
                .clone()
        };
        let (ids, accounts, regions) = (
            column("event_id"),
            column("recipient_account_id"),
            column("aws_region"),
        );
        let since = opts.since.map(date_to_day);
        let until = opts.until.map(date_to_day);
        // Rows to keep, per partition day: almost always a file holds one day.
        let mut keep: BTreeMap<i32, Vec<bool>> = BTreeMap::new();
        for (row, &day) in days.iter().enumerate() {
            let wanted = since.is_none_or(|d| day >= d)
                && until.is_none_or(|d| day <= d)
                && (opts.accounts.is_empty()
                    || (!accounts.is_null(row)
                        && opts.accounts.iter().any(|a| a == accounts.value(row))))
                && (opts.regions.is_empty()
                    || (!regions.is_null(row)
                        && opts.regions.iter().any(|r| r == regions.value(row))));
            if !wanted {
                summary.filtered_out += 1;
                continue;
            }
            let known = self
                .known_ids
                .get_mut(&day)
                .expect("load_known read every wanted day");
            if !known.insert(EventId::new(ids.value(row))) {
                summary.duplicates_skipped += 1;
                continue;
            }
            summary.records_written += 1;
            keep.entry(day).or_insert_with(|| vec![false; days.len()])[row] = true;
        }
        for (day, mask) in keep {
            summary.partitions.insert(day_to_date(day).to_string());
            let rows = if mask.iter().all(|k| *k) {
                batch.clone()
            } else {
                filter_record_batch(&batch, &BooleanArray::from(mask)).map_err(|e| {
                    IngestError::Write {
                        path: self.staging.path().to_path_buf(),
                        message: e.to_string(),
                    }
                })?
            };
            self.pending_rows += rows.num_rows();
            self.pending.entry(day).or_default().push(rows);
        }
        if self.pending_rows >= FLUSH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Reads the event ids already in the lake's partitions of `days` (once per partition
    /// per run), for the days the filters let through.
    async fn load_known(&mut self, opts: &IngestOptions, days: &[i32]) -> Result<(), IngestError> {
        let since = opts.since.map(date_to_day);
        let until = opts.until.map(date_to_day);
        let wanted: BTreeSet<i32> = days
            .iter()
            .copied()
            .filter(|&day| since.is_none_or(|d| day >= d) && until.is_none_or(|d| day <= d))
            .collect();
        for day in wanted {
            if !self.known_ids.contains_key(&day) {
                let ids = self.target.event_ids(day).await?;
                self.known_ids.insert(day, ids);
            }
        }
        Ok(())
    }

    /// Hands the pending rows to the Parquet thread, one file per partition.
    fn flush(&mut self) -> Result<(), IngestError> {
        for (day, batches) in std::mem::take(&mut self.pending) {
            self.seq += 1;
            let path = self
                .staging
                .path()
                .join(format!("event_date={}", day_to_date(day)))
                .join(format!("part-{}-{:05}.parquet", self.run_id, self.seq));
            self.staged.push((day, path.clone()));
            self.parquet.send(ParquetJob { path, batches })?;
        }
        self.pending_rows = 0;
        Ok(())
    }

    /// Waits for the staged files, then moves them into the lake, one rename (or PUT) each;
    /// gives back the lake, for the checkpoint.
    async fn publish(mut self) -> Result<LakeTarget, IngestError> {
        self.flush()?;
        self.parquet.join()?;
        let published = async {
            for (day, staged) in &self.staged {
                self.target.publish(*day, staged).await?;
            }
            Ok(())
        }
        .await;
        published.map(|()| self.target)
    }

    /// Adds a parsed file's outcome to the summary and its rows to the lake.
    async fn take_parsed(
        &mut self,
        opts: &IngestOptions,
        name: &str,
        parsed: ParsedFile,
        summary: &mut IngestSummary,
    ) -> Result<(), IngestError> {
        summary.files_read += 1;
        if parsed.digest {
            summary.digest_files += 1;
        }
        summary.insights_skipped += parsed.insights_skipped;
        for (index, reason) in parsed.rejected {
            summary
                .rejected_records
                .push((name.to_owned(), index, reason));
        }
        match parsed.batch {
            Some(batch) => {
                self.load_known(opts, &parsed.days).await?;
                self.take(opts, batch, &parsed.days, summary)
            }
            None => Ok(()),
        }
    }
}

/// Ingests every file below the sources. Rejected input is reported in the summary, never
/// fatal; an error is returned only when a source cannot be listed or the lake cannot be
/// written.
pub async fn ingest(opts: &IngestOptions) -> Result<IngestSummary, IngestError> {
    let writer = LakeWriter::open(&opts.data_dir).await?;
    let mut checkpoint = writer.target.read_checkpoint().await?;

    let mut s3: Option<aws_sdk_s3::Client> = None;
    let mut inputs = Vec::new();
    for source in &opts.sources {
        match split_s3_url(source) {
            Some((bucket, prefix)) => {
                if s3.is_none() {
                    let sdk = crate::aws::load_sdk_config(&opts.aws).await;
                    let conf = aws_sdk_s3::config::Builder::from(&sdk)
                        .force_path_style(opts.aws.endpoint_url.is_some())
                        .build();
                    s3 = Some(aws_sdk_s3::Client::from_conf(conf));
                }
                s3_inputs(
                    s3.as_ref().expect("just built"),
                    source,
                    bucket,
                    prefix,
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

    let mut writer = writer;
    let schema = writer.schema.clone();
    // Files are fetched and parsed a few at a time, in order, each parse on a blocking
    // thread (so both cores parse); the window bounds memory.
    let client = s3.as_ref();
    let mut parsed_files = futures::stream::iter(todo.into_iter().map(|file| {
        let schema = schema.clone();
        async move {
            let parsed = read_and_parse(client, &file, schema).await;
            (file, parsed)
        }
    }))
    .buffered(PARSE_AHEAD);
    while let Some((file, parsed)) = parsed_files.next().await {
        match parsed {
            Ok(parsed) => {
                writer
                    .take_parsed(opts, &file.name, parsed, &mut summary)
                    .await?
            }
            Err(reason) => {
                summary.rejected_files.push((file.name, reason));
                continue;
            }
        }
        checkpoint.insert(file.checkpoint_key, file.seen);
    }
    let target = writer.publish().await?;
    target.write_checkpoint(&checkpoint).await?;
    Ok(summary)
}

/// Reads a file (local, or an S3 object), inflates and parses it.
async fn read_and_parse(
    client: Option<&aws_sdk_s3::Client>,
    file: &InputFile,
    schema: SchemaRef,
) -> Result<ParsedFile, String> {
    if file.seen.size > MAX_FILE_BYTES {
        return Err(format!("larger than {MAX_FILE_BYTES} bytes"));
    }
    // A local file is read on the blocking thread too; an object is fetched first.
    let fetched = match &file.location {
        Location::Local(path) => Err(path.clone()),
        Location::S3 { bucket, key } => Ok(fetch_object(client, bucket, key).await?),
    };
    let name = file.name.clone();
    tokio::task::spawn_blocking(move || {
        let bytes = match fetched {
            Ok(bytes) => bytes,
            Err(path) => std::fs::read(path).map_err(|e| e.to_string())?,
        };
        let text = read_maybe_gzip(bytes)?;
        parse_file(&text, &name, &schema)
    })
    .await
    .expect("parsing does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        assert_eq!(
            split_s3_url("s3://logs/AWSLogs/o-abc/"),
            Some(("logs", "AWSLogs/o-abc/"))
        );
        assert_eq!(split_s3_url("s3://logs"), Some(("logs", "")));
        assert_eq!(split_s3_url("s3:///x"), None);
        assert_eq!(split_s3_url("/tmp/logs"), None);
    }
}
