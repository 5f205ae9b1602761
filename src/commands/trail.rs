//! `govscan trail ...`: CloudTrail logs into the lake.

pub use crate::cli::TrailCommand;
use crate::cli::TrailIngestArgs;
use crate::trail::{ingest as run_ingest, IngestOptions};

use super::{stdout_write, CommandError};

/// Ingests; true when some input was rejected (exit 1). The summary goes to stderr and, as
/// JSON, to stdout for scripts.
pub async fn ingest(
    global: &crate::cli::GlobalArgs,
    args: &TrailIngestArgs,
) -> Result<bool, CommandError> {
    let quiet = global.quiet;
    let opts = IngestOptions {
        data_dir: global.data_dir.clone(),
        sources: args.sources.clone(),
        aws: crate::collect::aws::AwsOptions {
            profile: global.profile.clone(),
            endpoint_url: global.endpoint_url.clone(),
            region: global.region.clone(),
            max_attempts: None,
        },
        since: args.since,
        until: args.until,
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
    };
    let started = std::time::Instant::now();
    let summary = run_ingest(&opts).await?;
    if !quiet {
        eprintln!(
            "Read {} file(s) ({} unchanged since the last run, {} digest); wrote {} event(s) into {} partition(s) in {:.1}s; skipped {} duplicate(s), {} Insights event(s), {} outside the filters.",
            summary.files_read,
            summary.files_unchanged,
            summary.digest_files,
            summary.records_written,
            summary.partitions.len(),
            started.elapsed().as_secs_f64(),
            summary.duplicates_skipped,
            summary.insights_skipped,
            summary.filtered_out
        );
        for (file, reason) in &summary.rejected_files {
            eprintln!(
                "rejected file {}: {}",
                super::query::escape_for_terminal(file),
                reason
            );
        }
        for (file, index, reason) in &summary.rejected_records {
            eprintln!(
                "rejected record {index} of {}: {}",
                super::query::escape_for_terminal(file),
                reason
            );
        }
    }
    stdout_write(&(serde_json::to_string(&summary).expect("json") + "\n"))?;
    Ok(summary.anything_rejected())
}
