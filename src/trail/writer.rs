//! Writing a run into the lake: rows kept per partition day (new event ids only), written
//! to Parquet on threads of their own into a staging folder, then published file by file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::PathBuf;

use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use datafusion::parquet::schema::types::ColumnPath;

use super::lake::{date_to_day, day_to_date, EventId, EventIds, LakeTarget};
use super::parse::ParsedFile;
use super::schema;
use super::{io, IngestError, IngestOptions, IngestSummary, FLUSH_ROWS};

/// A Parquet file to write: where, and its rows.
pub(super) struct ParquetJob {
    pub(super) path: PathBuf,
    pub(super) batches: Vec<RecordBatch>,
}

/// Writes Parquet files on threads of their own, one per core, so encoding overlaps parsing
/// and the files of a flush (one per partition day) are encoded side by side: the last
/// flush is otherwise encoded on one core while the others wait. The channel holds one
/// job: memory stays bounded when the disk is slower than the parsers.
pub(super) struct ParquetThreads {
    pub(super) jobs: Option<std::sync::mpsc::SyncSender<ParquetJob>>,
    pub(super) threads: Vec<std::thread::JoinHandle<Result<(), IngestError>>>,
}

impl ParquetThreads {
    pub(super) fn start(schema: SchemaRef) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<ParquetJob>(1);
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let threads = (0..cores)
            .map(|_| {
                let (schema, receiver) = (schema.clone(), receiver.clone());
                std::thread::spawn(move || loop {
                    // The lock is held only to take a job, not while writing it.
                    let job = receiver.lock().expect("no writer panics").recv();
                    match job {
                        Ok(job) => write_parquet(&schema, &job)?,
                        Err(std::sync::mpsc::RecvError) => return Ok(()),
                    }
                })
            })
            .collect();
        Self {
            jobs: Some(jobs),
            threads,
        }
    }

    pub(super) fn send(&mut self, job: ParquetJob) -> Result<(), IngestError> {
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        match sent {
            Some(Ok(())) => Ok(()),
            // Every thread stopped on an error: that error is the one to report.
            _ => self.join(),
        }
    }

    /// Waits for every job; the first write error, if any.
    pub(super) fn join(&mut self) -> Result<(), IngestError> {
        self.jobs = None;
        let mut outcome = Ok(());
        for thread in self.threads.drain(..) {
            let written = thread.join().expect("the Parquet writer does not panic");
            if outcome.is_ok() {
                outcome = written;
            }
        }
        outcome
    }
}

pub(super) fn write_parquet(schema: &SchemaRef, job: &ParquetJob) -> Result<(), IngestError> {
    let path = &job.path;
    let bad = |e: &dyn std::fmt::Display| IngestError::Write {
        path: path.clone(),
        message: e.to_string(),
    };
    let dir = path.parent().expect("a partition directory");
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let props = lake_writer_properties();
    let file = File::create(path).map_err(io(path))?;
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| bad(&e))?;
    for batch in &job.batches {
        writer.write(batch).map_err(|e| bad(&e))?;
    }
    writer.close().map_err(|e| bad(&e))?;
    Ok(())
}

/// Columns whose minimum and maximum are written (per page, with the column index), in the
/// schema's order: time, for time ranges, and the short names a question about one account,
/// region or service selects on, which prune whole files where a flush held one account's
/// files (an organization trail is read in key order, `AWSLogs/<account>/...`). The others
/// have none: no query prunes on the bounds of an ARN, a user agent or a JSON text, and
/// keeping them compares every value twice (a twentieth of ingest's time, measured).
const COLUMNS_WITH_STATISTICS: [&str; 6] = [
    "event_time",
    "event_source",
    "event_name",
    "aws_region",
    "error_code",
    "recipient_account_id",
];

/// How the lake's Parquet files are written.
fn lake_writer_properties() -> WriterProperties {
    let mut props = WriterProperties::builder()
        // Level 1: on the benchmark corpus the lake came out the same size as with the
        // default level 3 (dictionaries do most of the work), and ingest took a seventh
        // less time.
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(1).expect("valid level"),
        ))
        .set_statistics_enabled(EnabledStatistics::None);
    for column in COLUMNS_WITH_STATISTICS {
        props =
            props.set_column_statistics_enabled(ColumnPath::from(column), EnabledStatistics::Page);
    }
    props.build()
}

/// One run's pending rows, dedup sets and staged files.
pub(super) struct LakeWriter {
    pub(super) schema: SchemaRef,
    pub(super) target: LakeTarget,
    /// Where files are written before they are published (removed when dropped).
    pub(super) staging: tempfile::TempDir,
    pub(super) run_id: String,
    /// Rows waiting to be written, by partition day.
    pub(super) pending: BTreeMap<i32, Vec<RecordBatch>>,
    pub(super) pending_rows: usize,
    pub(super) known_ids: HashMap<i32, EventIds>,
    pub(super) staged: Vec<(i32, PathBuf)>,
    pub(super) seq: usize,
    pub(super) parquet: ParquetThreads,
}

impl LakeWriter {
    pub(super) async fn open(data_dir: &crate::store::DataDir) -> Result<Self, IngestError> {
        let run_id = format!(
            "{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"),
            std::process::id()
        );
        let schema = schema::event_schema();
        let target = LakeTarget::open(data_dir).await?;
        let staging = target.store.staging("trail")?;
        Ok(Self {
            parquet: ParquetThreads::start(schema.clone()),
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
    pub(super) fn take(
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
        let wanted_row = |row: usize| {
            (opts.accounts.is_empty()
                || (!accounts.is_null(row)
                    && opts.accounts.iter().any(|a| a == accounts.value(row))))
                && (opts.regions.is_empty()
                    || (!regions.is_null(row)
                        && opts.regions.iter().any(|r| r == regions.value(row))))
        };
        // Almost always a file holds one day: its rows are taken day by day, so the day's
        // id set is looked up once, not once a row.
        let mut file_days: Vec<i32> = Vec::new();
        for &day in days {
            if file_days.last() != Some(&day) && !file_days.contains(&day) {
                file_days.push(day);
            }
        }
        for day in file_days {
            let rows_of_day = days.iter().enumerate().filter(|&(_, &d)| d == day);
            if since.is_some_and(|d| day < d) || until.is_some_and(|d| day > d) {
                summary.filtered_out += rows_of_day.count();
                continue;
            }
            let known = self
                .known_ids
                .get_mut(&day)
                .expect("load_known read every wanted day");
            let mut keep = vec![false; days.len()];
            let mut kept = 0;
            for (row, _) in rows_of_day {
                if !wanted_row(row) {
                    summary.filtered_out += 1;
                } else if !known.insert(EventId::new(ids.value(row))) {
                    summary.duplicates_skipped += 1;
                } else {
                    keep[row] = true;
                    kept += 1;
                }
            }
            if kept == 0 {
                continue;
            }
            summary.records_written += kept;
            summary.partitions.insert(day_to_date(day).to_string());
            let rows = if kept == days.len() {
                batch.clone()
            } else {
                filter_record_batch(&batch, &BooleanArray::from(keep)).map_err(|e| {
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
    pub(super) async fn load_known(
        &mut self,
        opts: &IngestOptions,
        days: &[i32],
    ) -> Result<(), IngestError> {
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
    pub(super) fn flush(&mut self) -> Result<(), IngestError> {
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
    pub(super) async fn publish(mut self) -> Result<LakeTarget, IngestError> {
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
    pub(super) async fn take_parsed(
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::parquet::basic::Compression;
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn lake_files_keep_bounds_only_for_the_columns_queries_prune_on() {
        let schema = schema::event_schema();
        let text = r#"{"Records":[{"eventTime":"2024-03-10T01:02:03Z","eventID":"e1","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111111111111","errorCode":"AccessDenied","userAgent":"aws-cli","requestParameters":{"bucketName":"b"}}]}"#;
        let parsed = super::super::parse::parse_file(text.as_bytes(), "f", &schema).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let job = ParquetJob {
            path: dir.path().join("event_date=2024-03-10/part.parquet"),
            batches: vec![parsed.batch.unwrap()],
        };
        write_parquet(&schema, &job).unwrap();
        let reader = SerializedFileReader::new(File::open(&job.path).unwrap()).unwrap();
        let row_group = reader.metadata().row_group(0);
        let with_bounds: Vec<String> = row_group
            .columns()
            .iter()
            .filter(|c| c.statistics().is_some_and(|s| s.min_bytes_opt().is_some()))
            .map(|c| c.column_path().string())
            .collect();
        assert_eq!(with_bounds, COLUMNS_WITH_STATISTICS);
        assert!(row_group
            .columns()
            .iter()
            .all(|c| c.compression() == Compression::ZSTD(ZstdLevel::try_new(1).unwrap())));
    }
}
