//! `govscan collect`: run the collectors, draw progress per account, print where the
//! snapshot went and what could not be read.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{CollectArgs, GlobalArgs};
use govscan::aws::AwsOptions;
use govscan::collect::{collect, CollectOptions, RegionSelection};
use govscan::progress::Progress;
use govscan::store::manifest::Status;
use govscan::store::{catalog, DataStore};

use super::{stdout_write, CommandError};

pub async fn run(global: &GlobalArgs, args: &CollectArgs) -> Result<(), CommandError> {
    let regions = parse_regions(&args.regions)?;
    // The snapshot (or shard) is written into a staging folder and published with its
    // manifest last: renamed into a local data directory, uploaded to one on S3.
    let store = DataStore::open(&global.data_dir).await?;
    let staging = store.staging("collect")?;
    let opts = CollectOptions {
        data_dir: staging.path().to_path_buf(),
        aws: AwsOptions {
            profile: global.profile.clone(),
            endpoint_url: global.endpoint_url.clone(),
            region: global.region.clone(),
            max_attempts: Some(args.max_attempts),
        },
        regions,
        services: args.services.clone(),
        org: args.org,
        role_name: args.role_name.clone(),
        accounts: (!args.accounts.is_empty()).then(|| args.accounts.clone()),
        concurrency: args.concurrency.into(),
        snapshot_id: args.snapshot_id.clone(),
    };
    if let Some(id) = &opts.snapshot_id {
        govscan::store::snapshot::check_snapshot_id(id)
            .map_err(|e| CommandError::Usage(format!("--snapshot-id {e}")))?;
    }
    if let Some(id) = &opts.snapshot_id {
        let finalized = catalog::snapshot_ids(&store).await?.contains(id);
        if finalized {
            return Err(CommandError::Usage(format!(
                "--snapshot-id {id}: that snapshot is already finalized"
            )));
        }
    }
    let (snapshot_id, _, published) =
        collect_and_publish(&store, &staging, &opts, global.quiet).await?;
    stdout_write(&format!("{snapshot_id}\t{published}\n"))
}

/// Collects into `staging` and publishes the snapshot (or shard) into `store`, with progress
/// bars on a terminal and a line about what could not be read; answers the snapshot id, its
/// manifest and where it went.
pub async fn collect_and_publish(
    store: &DataStore,
    staging: &tempfile::TempDir,
    opts: &CollectOptions,
    quiet: bool,
) -> Result<(String, govscan::store::manifest::Manifest, String), CommandError> {
    let progress = Bars::new(quiet || !std::io::stderr().is_terminal());
    let outcome = collect(opts, &progress).await?;
    let relative = govscan::store::objects::relative_key(&outcome.path, staging.path());
    store.publish_folder(&outcome.path, &relative).await?;
    let published = store.display(&relative);
    let m = outcome.manifest;
    let failed = m.failed_parts();
    let failed_accounts = m
        .accounts
        .iter()
        .filter(|a| a.status == Status::Failed)
        .count();
    if !quiet {
        eprintln!(
            "Collected {} account(s), {} region(s), {} part(s) in {:.1}s with {} API calls.",
            m.accounts.len() - failed_accounts,
            m.regions.len(),
            m.parts.len(),
            (m.finished_at - m.started_at).num_milliseconds() as f64 / 1000.0,
            m.api_calls
        );
        if failed > 0 || failed_accounts > 0 || m.error_count > 0 {
            eprintln!(
                "{} part(s) incomplete and {} account(s) not entered ({} failed calls): what they cover is not assessed. See table collection_errors.",
                failed, failed_accounts, m.error_count
            );
        }
    }
    Ok((outcome.snapshot_id, m, published))
}

pub fn parse_regions(values: &[String]) -> Result<RegionSelection, CommandError> {
    let values: Vec<String> = values
        .iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if values.iter().any(|v| v == "all") {
        if values.len() > 1 {
            return Err(CommandError::Usage(
                "--regions: `all` cannot be combined with region names".into(),
            ));
        }
        return Ok(RegionSelection::All);
    }
    if values.is_empty() {
        return Err(CommandError::Usage(
            "--regions: give region names or `all`".into(),
        ));
    }
    for v in &values {
        let valid = v.split('-').count() >= 3
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(CommandError::Usage(format!(
                "--regions: {v:?} is not a region name like us-east-1"
            )));
        }
    }
    Ok(RegionSelection::List(values))
}

/// One bar per account on a terminal; nothing otherwise.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new(hidden: bool) -> Self {
        let multi = MultiProgress::new();
        if hidden {
            multi.set_draw_target(ProgressDrawTarget::hidden());
        }
        Self {
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }
}

impl Progress for Bars {
    fn account_planned(&self, account_id: &str, parts: usize) {
        let bar = self.multi.add(ProgressBar::new(parts as u64));
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(account_id.to_owned());
        self.bars
            .lock()
            .expect("progress lock")
            .insert(account_id.to_owned(), bar);
    }

    fn part_finished(&self, account_id: &str, service: &str, region: Option<&str>, status: Status) {
        if let Some(bar) = self.bars.lock().expect("progress lock").get(account_id) {
            bar.inc(1);
            let mark = if status == Status::Ok {
                ""
            } else {
                " (errors)"
            };
            bar.set_message(format!("{service} {}{mark}", region.unwrap_or("global")));
        }
    }

    fn account_failed(&self, account_id: &str, reason: &str) {
        let _ = self
            .multi
            .println(format!("{account_id}: not collected: {reason}"));
    }

    fn finished(&self) {
        for bar in self.bars.lock().expect("progress lock").values() {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_names_or_all() {
        assert_eq!(
            parse_regions(&["all".into()]).unwrap(),
            RegionSelection::All
        );
        assert_eq!(
            parse_regions(&["us-east-1".into(), "eu-west-1".into()]).unwrap(),
            RegionSelection::List(vec!["us-east-1".into(), "eu-west-1".into()])
        );
        assert!(parse_regions(&["all".into(), "us-east-1".into()]).is_err());
        assert!(parse_regions(&["../etc".into()]).is_err());
        assert!(parse_regions(&["US_EAST".into()]).is_err());
    }
}
