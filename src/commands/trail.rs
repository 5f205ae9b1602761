//! `govscan trail ...`: CloudTrail logs into the lake.

use crate::cli::{GlobalArgs, TrailIngestArgs, TrailLookupArgs};
use govscan::aws::{AwsOptions, DEFAULT_REGION};
use govscan::trail::{
    ingest as run_ingest, lookup::lookup as run_lookup, IngestOptions, IngestSummary,
};

use super::{stdout_write, CommandError};

fn aws_options(global: &GlobalArgs) -> AwsOptions {
    AwsOptions {
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        region: global.region.clone(),
        max_attempts: None,
    }
}

/// Ingests files, folders and S3 prefixes; true when some input was rejected (exit 1).
pub async fn ingest(global: &GlobalArgs, args: &TrailIngestArgs) -> Result<bool, CommandError> {
    let opts = IngestOptions {
        data_dir: global.data_dir.clone(),
        sources: args.sources.clone(),
        aws: aws_options(global),
        since: args.since,
        until: args.until,
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
    };
    let started = std::time::Instant::now();
    let summary = run_ingest(&opts).await?;
    report(&summary, started, global.quiet)
}

/// Reads LookupEvents; true when a region could not be read (exit 1).
pub async fn lookup(global: &GlobalArgs, args: &TrailLookupArgs) -> Result<bool, CommandError> {
    let opts = IngestOptions {
        data_dir: global.data_dir.clone(),
        aws: aws_options(global),
        ..Default::default()
    };
    let regions = if args.regions.is_empty() {
        vec![global
            .region
            .clone()
            .unwrap_or_else(|| DEFAULT_REGION.to_owned())]
    } else {
        args.regions.clone()
    };
    // LookupEvents keeps 90 days; an older --since is clamped to that.
    let oldest = chrono::Utc::now() - chrono::Duration::days(90);
    let start = args
        .since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .map_or(oldest, |t| t.max(oldest));
    let started = std::time::Instant::now();
    let summary = run_lookup(&opts, &regions, start).await?;
    report(&summary, started, global.quiet)
}

/// The summary on stderr for people and as JSON on stdout for scripts.
fn report(
    summary: &IngestSummary,
    started: std::time::Instant,
    quiet: bool,
) -> Result<bool, CommandError> {
    if !quiet {
        eprintln!(
            "Read {} source(s) ({} unchanged since the last run, {} digest); wrote {} event(s) into {} partition(s) in {:.1}s; skipped {} duplicate(s), {} Insights event(s), {} outside the filters.",
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
        for (source, reason) in &summary.rejected_files {
            eprintln!(
                "rejected {}: {}",
                govscan::report::terminal::escape_for_terminal(source),
                reason
            );
        }
        for (source, index, reason) in &summary.rejected_records {
            eprintln!(
                "rejected record {index} of {}: {}",
                govscan::report::terminal::escape_for_terminal(source),
                reason
            );
        }
    }
    stdout_write(&(serde_json::to_string(summary).expect("json") + "\n"))?;
    Ok(summary.anything_rejected())
}
