//! CloudTrail ingestion: files and folders of trail logs into a partitioned, deduplicated
//! Parquet lake at `<data dir>/trail/cloudtrail_events/event_date=YYYY-MM-DD/`.
//!
//! Files come from [`sources`]; a run's rows are written by [`writer`] into a staging folder
//! (inside a local data directory, or the temporary folder for S3) and published file by
//! file into the [`lake`]'s partitions (a rename, or one PUT each), and the checkpoint is
//! written last. A crash before the publish leaves the lake as it was; a crash during it
//! leaves files whose events the next run recognises by `event_id` and does not write again.

mod lake;
pub mod lookup;
mod sources;
mod writer;

// Decoding records into columns is its own crate (crates/govscan-trail), compiled for speed.
pub use govscan_trail::{parse, schema};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use datafusion::arrow::datatypes::SchemaRef;
use futures::stream::StreamExt;
use serde::Serialize;

use crate::store::data_dir::split_s3_url;
use crate::store::StoreError;
use parse::{parse_file, read_maybe_gzip, ParsedFile, MAX_FILE_BYTES};
use sources::{fetch_object, local_inputs, s3_inputs, InputFile, Location};
use writer::LakeWriter;

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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + '_ {
    move |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
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

/// The day of a lake partition's folder name (`event_date=2024-03-10`); None for any
/// other name.
pub fn partition_date(folder: &str) -> Option<NaiveDate> {
    folder
        .strip_prefix("event_date=")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Retention of the lake: deletes the day partitions before `cutoff` and answers their
/// dates. The checkpoint still names the files they came from, so they are not read again.
pub async fn remove_partitions_before(
    data_dir: &crate::store::DataDir,
    cutoff: NaiveDate,
) -> Result<Vec<NaiveDate>, IngestError> {
    let store = crate::store::DataStore::open(data_dir).await?;
    let mut removed = Vec::new();
    for name in store.children(crate::store::LAKE).await? {
        let Some(date) = partition_date(&name) else {
            continue;
        };
        if date < cutoff {
            store
                .delete_under(&format!("{}/{name}", crate::store::LAKE))
                .await?;
            removed.push(date);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn retention_removes_only_the_day_partitions_before_the_cutoff() {
        let dir = tempfile::tempdir().unwrap();
        let lake = dir.path().join(crate::store::LAKE);
        for day in ["2026-11-01", "2026-11-30", "2026-12-01"] {
            let partition = lake.join(format!("event_date={day}"));
            std::fs::create_dir_all(&partition).unwrap();
            std::fs::write(partition.join("part-0.parquet"), b"x").unwrap();
        }
        // Not a partition: left alone.
        std::fs::create_dir_all(lake.join("other")).unwrap();
        let data_dir = crate::store::DataDir::Local(dir.path().to_path_buf());
        let cutoff = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let removed = remove_partitions_before(&data_dir, cutoff).await.unwrap();
        assert_eq!(
            removed,
            [
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
            ]
        );
        assert!(lake.join("event_date=2026-12-01/part-0.parquet").is_file());
        assert!(!lake.join("event_date=2026-11-30").exists());
        assert!(lake.join("other").is_dir());
    }

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
