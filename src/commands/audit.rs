//! `govscan audit`: the scheduled audit in one command. Under the data directory's lock:
//! collect, ingest what is new in the trails' buckets, check, hunt from where the last
//! audit ended, compare with the previous audit, write `audits/<snapshot id>/` (its
//! summary.json last), then apply retention. Each step is timed and counted in the summary.
//! Exit 0; 1 when something at or above fail_on is counted (new only, or any); 2 when the
//! audit itself failed (the lock is held, collection or checks could not run).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::cli::{AuditArgs, GlobalArgs, ReportFormat};
use govscan::audit::config::{AuditConfig, AuditFormat, FailScope};
use govscan::audit::lock::AuditLock;
use govscan::audit::{
    audit_changes, audit_state, audits_to_delete, counted_problems, list_audits, read_state,
    read_summary, AuditChanges, TableDrift, AUDITS_DIR, DRIFT_KEYS_SHOWN, STATE_FILE, SUMMARY_FILE,
};
use govscan::aws::AwsOptions;
use govscan::checks::framework::{builtin_frameworks, validate};
use govscan::checks::run::{run_all, Status};
use govscan::collect::CollectOptions;
use govscan::report::Report;
use govscan::store::{DataDir, DataStore};

use super::report::{render_audit_document, AuditDocument};
use super::CommandError;

/// One step of the audit as summary.json records it.
#[derive(Debug, Serialize)]
struct Step {
    name: &'static str,
    seconds: f64,
    counts: BTreeMap<&'static str, u64>,
    errors: Vec<String>,
}

/// Says what the audit is doing: plain lines on stderr (a scheduler's log), unless --quiet.
struct Log {
    quiet: bool,
    started: Instant,
}

impl Log {
    fn line(&self, text: &str) {
        if !self.quiet {
            eprintln!(
                "[audit {:>6.1}s] {text}",
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// The configuration in force: the file (or the defaults), then the flags.
fn effective_config(args: &AuditArgs) -> Result<AuditConfig, CommandError> {
    let mut config = match &args.config {
        Some(path) => AuditConfig::load(path).map_err(CommandError::Usage)?,
        None => AuditConfig::default(),
    };
    let c = &mut config.collect;
    if args.org {
        c.org = true;
    }
    if !args.accounts.is_empty() {
        c.accounts = args.accounts.clone();
    }
    if !args.regions.is_empty() {
        c.regions = args.regions.clone();
    }
    if !args.services.is_empty() {
        c.services = args.services.clone();
    }
    if let Some(role) = &args.role_name {
        c.role_name = role.clone();
    }
    if !args.frameworks.is_empty() {
        config.check.frameworks = args.frameworks.clone();
    }
    if args.level.is_some() {
        config.check.level = args.level;
    }
    if args.mutelist.is_some() {
        config.check.mutelist = args.mutelist.clone();
    }
    config
        .trail
        .extra_sources
        .extend(args.trail_sources.iter().cloned());
    if args.no_ingest {
        config.trail.ingest = false;
    }
    if args.no_hunt {
        config.hunt.enabled = false;
    }
    if !args.formats.is_empty() {
        config.report.formats = args.formats.clone();
    }
    if args.output_dir.is_some() {
        config.report.output_dir = args.output_dir.clone();
    }
    if args.fail_on.is_some() {
        config.fail_on.severity = args.fail_on;
    }
    if let Some(scope) = args.fail_on_scope {
        config.fail_on.scope = scope;
    }
    if args.keep_last.is_some() {
        config.retention.keep_last = args.keep_last;
    }
    if args.keep_days.is_some() {
        config.retention.keep_days = args.keep_days;
    }
    config
        .validate()
        .map_err(|(key, message)| CommandError::Usage(format!("{}: {message}", key.join("."))))?;
    Ok(config)
}

/// Runs the audit; true when something counted for fail_on (exit 1).
pub async fn run(
    global: &GlobalArgs,
    sessions: &govscan::engine::Sessions,
    args: &AuditArgs,
) -> Result<bool, CommandError> {
    let config = effective_config(args)?;
    if args.print_config {
        super::stdout_write(&config.to_yaml())?;
        return Ok(false);
    }
    // The file's data_dir yields to --data-dir and GOVSCAN_DATA_DIR.
    let data_dir = match (&config.data_dir, global.data_dir_given) {
        (Some(dir), false) => dir
            .parse::<DataDir>()
            .map_err(|e| CommandError::Usage(format!("data_dir: {e}")))?
            .with_endpoint(global.endpoint_url.as_deref()),
        _ => global.data_dir.clone(),
    };
    let log = Log {
        quiet: global.quiet,
        started: Instant::now(),
    };
    let store = DataStore::open(&data_dir).await?;
    let lock = AuditLock::acquire(&store, config.lock.stale_after_minutes)
        .await
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    if let Some(old) = &lock.took_over {
        eprintln!(
            "warning: took over a stale audit lock: process {} on {}, started {}, last renewed {}",
            old.pid,
            old.host,
            old.started_at.to_rfc3339(),
            old.renewed_at.to_rfc3339()
        );
    }
    let took_over = lock.took_over.clone();
    let outcome = audit(
        global, sessions, &config, &data_dir, &store, &log, took_over,
    )
    .await;
    lock.release().await?;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn audit(
    global: &GlobalArgs,
    sessions: &govscan::engine::Sessions,
    config: &AuditConfig,
    data_dir: &DataDir,
    store: &DataStore,
    log: &Log,
    took_over: Option<govscan::audit::lock::Holder>,
) -> Result<bool, CommandError> {
    let started_at = Utc::now();
    let mut steps: Vec<Step> = Vec::new();
    let previous = match list_audits(store).await?.last() {
        Some(id) => Some((
            id.clone(),
            read_state(store, id).await?.unwrap_or_default(),
            read_summary(store, id).await?.unwrap_or(Value::Null),
        )),
        None => None,
    };
    match &previous {
        Some((id, _, _)) => log.line(&format!("previous audit: {id}")),
        None => log.line("no previous audit: this one is the baseline"),
    }

    // 1. Collect.
    let clock = Instant::now();
    log.line("collect: started");
    let aws = AwsOptions {
        profile: global.profile.clone(),
        endpoint_url: global.endpoint_url.clone(),
        region: global.region.clone(),
        max_attempts: Some(config.collect.max_attempts),
    };
    let c = &config.collect;
    let staging = store.staging("collect")?;
    let opts = CollectOptions {
        data_dir: staging.path().to_path_buf(),
        aws: aws.clone(),
        regions: super::collect::parse_regions(&c.regions)?,
        services: c.services.clone(),
        org: c.org,
        role_name: c.role_name.clone(),
        accounts: (!c.accounts.is_empty()).then(|| c.accounts.clone()),
        concurrency: c.concurrency.into(),
        snapshot_id: None,
    };
    let (snapshot_id, manifest, _) =
        super::collect::collect_and_publish(store, &staging, &opts, global.quiet).await?;
    drop(staging);
    let failed_accounts = manifest
        .accounts
        .iter()
        .filter(|a| a.status == govscan::store::manifest::Status::Failed)
        .count();
    steps.push(Step {
        name: "collect",
        seconds: clock.elapsed().as_secs_f64(),
        counts: BTreeMap::from([
            ("accounts", manifest.accounts.len() as u64),
            ("accounts_not_entered", failed_accounts as u64),
            ("regions", manifest.regions.len() as u64),
            ("parts", manifest.parts.len() as u64),
            ("parts_incomplete", manifest.failed_parts() as u64),
            ("api_calls", manifest.api_calls),
            ("failed_calls", manifest.error_count),
        ]),
        errors: Vec::new(),
    });
    log.line(&format!(
        "collect: snapshot {snapshot_id}: {} account(s), {} part(s), {} API calls, {} failed call(s)",
        manifest.accounts.len(),
        manifest.parts.len(),
        manifest.api_calls,
        manifest.error_count
    ));
    let engine = govscan::checks::run::open(sessions, data_dir, Some(&snapshot_id)).await?;

    // 2. Ingest what is new in the trails' buckets.
    let trails = engine.snapshot.read_rows("cloudtrail_trails").await?;
    let ingested = ingest_trails(config, data_dir, &aws, &trails, log).await;
    let (sources_done, new_days) = (ingested.sources, ingested.new_days);
    steps.push(ingested.step);

    // 3. Check.
    let clock = Instant::now();
    let frameworks = builtin_frameworks()?;
    let all = govscan::checks::builtin_checks()?;
    validate(&frameworks, &all)?;
    let chosen: Vec<govscan::checks::framework::Framework> = config
        .check
        .frameworks
        .iter()
        .map(|id| super::check::find_framework(&frameworks, id, config.check.level))
        .collect::<Result<_, _>>()?;
    let checks: Vec<govscan::checks::Check> = all
        .into_iter()
        .filter(|c| chosen.iter().any(|f| f.covers(c)))
        .collect();
    let mut results = run_all(&engine.ctx, &checks, 4).await?;
    if let Some(path) = &config.check.mutelist {
        super::check::apply_mutelist(&mut results, path)?;
    }
    let count = |s: Status| results.iter().filter(|r| r.status == s).count() as u64;
    steps.push(Step {
        name: "check",
        seconds: clock.elapsed().as_secs_f64(),
        counts: BTreeMap::from([
            ("checks", checks.len() as u64),
            ("results", results.len() as u64),
            ("pass", count(Status::Pass)),
            ("fail", count(Status::Fail)),
            ("not_assessed", count(Status::NotAssessed)),
            ("muted", count(Status::Muted)),
        ]),
        errors: Vec::new(),
    });
    log.line(&format!(
        "check: {} check(s), {} FAIL, {} NOT_ASSESSED",
        checks.len(),
        count(Status::Fail),
        count(Status::NotAssessed)
    ));

    // 4. Hunt, from where the previous audit's window ended.
    let since = hunt_start(
        previous.as_ref().map(|p| &p.2),
        new_days.first().copied(),
        started_at,
        config,
    );
    let hunted = hunt_window_of(sessions, data_dir, config, since, started_at, log).await?;
    let (findings, hunt_report, hunt_window) = (hunted.findings, hunted.report, hunted.window);
    steps.push(hunted.step);

    // 5. Compare with the previous audit.
    let clock = Instant::now();
    let state = audit_state(
        previous.as_ref().map(|p| &p.1),
        &results,
        &findings,
        started_at,
    );
    let mut changes = audit_changes(
        previous.as_ref().map(|(id, state, _)| (id.as_str(), state)),
        &state,
        started_at,
    );
    let mut diff_errors = Vec::new();
    if let Some(previous_snapshot) = previous
        .as_ref()
        .and_then(|p| p.2.get("snapshot_id"))
        .and_then(Value::as_str)
    {
        match inventory_drift(sessions, data_dir, previous_snapshot, &engine).await {
            Ok(drift) => changes.drift = drift,
            Err(e) => diff_errors.push(format!(
                "inventory drift against snapshot {previous_snapshot}: {e}"
            )),
        }
    }
    steps.push(Step {
        name: "diff",
        seconds: clock.elapsed().as_secs_f64(),
        counts: BTreeMap::from([
            ("newly_failing", changes.newly_failing.len() as u64),
            ("fixed", changes.fixed.len() as u64),
            ("still_failing", changes.still_failing.len() as u64),
            ("new_findings", changes.new_findings.len() as u64),
            ("tables_drifted", changes.drift.len() as u64),
        ]),
        errors: diff_errors,
    });
    log.line(&format!(
        "diff: {} newly failing, {} fixed, {} still failing, {} new finding(s)",
        changes.newly_failing.len(),
        changes.fixed.len(),
        changes.still_failing.len(),
        changes.new_findings.len()
    ));
    let counted = counted_problems(
        &state,
        &changes,
        config.fail_on.severity,
        config.fail_on.scope == FailScope::New,
    );

    // 6. Write the audit: every file staged, summary.json published last.
    let clock = Instant::now();
    let check_report =
        Report::from_checks(&snapshot_id, &checks, &results).with_framework(chosen.first());
    let staging = store.staging("audit")?;
    let mut files = Vec::new();
    let dir = staging.path().to_path_buf();
    let errors = engine.snapshot.read_rows("collection_errors").await?;
    for format in &config.report.formats {
        match format {
            AuditFormat::Html | AuditFormat::Markdown => {
                let (kind, name) = if *format == AuditFormat::Html {
                    (ReportFormat::Html, "report.html")
                } else {
                    (ReportFormat::Markdown, "report.md")
                };
                let text = render_audit_document(
                    kind,
                    None,
                    &AuditDocument {
                        manifest: &engine.manifest,
                        framework: &chosen[0],
                        checks: &checks,
                        results: &results,
                        check_report: &check_report,
                        hunt: hunt_report.as_ref(),
                        errors: errors.clone(),
                        changes: Some(&changes),
                    },
                )?;
                stage(&dir, &mut files, name, text.into_bytes())?;
            }
            AuditFormat::Sarif | AuditFormat::Json | AuditFormat::Ocsf => {
                let (kind, ext) = match format {
                    AuditFormat::Sarif => (govscan::report::Format::Sarif, "sarif"),
                    AuditFormat::Json => (govscan::report::Format::Json, "json"),
                    _ => (govscan::report::Format::Ocsf, "ocsf.jsonl"),
                };
                for (name, report) in [
                    ("checks", Some(&check_report)),
                    ("findings", hunt_report.as_ref()),
                ] {
                    let Some(report) = report else { continue };
                    let options = govscan::report::RenderOptions {
                        templates: None,
                        colour: false,
                    };
                    let bytes = govscan::report::render(kind, report, options)?;
                    stage(&dir, &mut files, &format!("{name}.{ext}"), bytes)?;
                }
            }
        }
    }
    stage(
        &dir,
        &mut files,
        STATE_FILE,
        serde_json::to_vec(&state).expect("the state serializes"),
    )?;
    let exit_code = u8::from(!counted.is_empty());
    steps.push(Step {
        name: "report",
        seconds: clock.elapsed().as_secs_f64(),
        counts: BTreeMap::from([("files", files.len() as u64)]),
        errors: Vec::new(),
    });
    let partial = manifest.failed_parts() > 0 || failed_accounts > 0 || manifest.error_count > 0;
    let summary = json!({
        "audit_id": snapshot_id,
        "snapshot_id": snapshot_id,
        "started_at": started_at,
        "finished_at": Utc::now(),
        "previous_audit": previous.as_ref().map(|p| &p.0),
        "collection": if partial { "partial: what could not be read is NOT_ASSESSED, see collection_errors" } else { "complete" },
        "lock_taken_over": took_over,
        "frameworks": config.check.frameworks,
        "hunt_window": hunt_window.map(|(s, e)| json!({"since": s, "until": e})),
        "trail_sources": sources_done,
        "steps": steps,
        "changes": changes_summary(&changes),
        "fail_on": {"severity": config.fail_on.severity, "scope": config.fail_on.scope, "counted": counted},
        "exit_code": exit_code,
        "files": files,
    });
    let mut summary_bytes = serde_json::to_vec_pretty(&summary).expect("the summary serializes");
    summary_bytes.push(b'\n');
    std::fs::write(dir.join(SUMMARY_FILE), &summary_bytes)
        .map_err(|e| CommandError::Usage(format!("{}: {e}", dir.display())))?;
    let relative = format!("{AUDITS_DIR}/{snapshot_id}");
    store
        .publish_folder_ending_with(staging.path(), &relative, SUMMARY_FILE)
        .await?;
    drop(staging);
    if let Some(dir) = &config.report.output_dir {
        copy_out(store, &relative, &files, dir).await?;
    }
    log.line(&format!("report: {}", store.display(&relative)));

    // 7. Retention, now that the new audit is complete.
    apply_retention(store, data_dir, config, &snapshot_id, log).await?;

    let place = store.display(&relative);
    print_summary(&snapshot_id, &place, &changes, &counted, partial);
    super::stdout_write(&format!("{snapshot_id}\t{place}\n"))?;
    Ok(exit_code == 1)
}

/// What the hunt found in its window (nothing, and a note, when it is off or there is no
/// lake yet).
struct Hunted {
    step: Step,
    findings: Vec<govscan::hunt::Finding>,
    report: Option<Report>,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Runs the built-in detections over events from `since` until `until`, with the mutelist.
async fn hunt_window_of(
    sessions: &govscan::engine::Sessions,
    data_dir: &DataDir,
    config: &AuditConfig,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    log: &Log,
) -> Result<Hunted, CommandError> {
    let clock = Instant::now();
    let mut hunted = Hunted {
        step: Step {
            name: "hunt",
            seconds: 0.0,
            counts: BTreeMap::new(),
            errors: Vec::new(),
        },
        findings: Vec::new(),
        report: None,
        window: None,
    };
    if !config.hunt.enabled {
        hunted
            .step
            .errors
            .push("the hunt is off (hunt.enabled: false)".to_owned());
    } else if !govscan::engine::lake_exists(data_dir).await? {
        hunted
            .step
            .errors
            .push("no trail lake yet: nothing to hunt".to_owned());
    } else {
        let window = govscan::hunt::Window {
            start: Some(since),
            end: Some(until),
        };
        let ctx = govscan::hunt::open(sessions, data_dir, window, &config.hunt.parameters).await?;
        let queries = govscan::hunt::builtin_detections()?;
        hunted.findings = govscan::hunt::run(&ctx, &queries, 4).await?;
        if let Some(path) = &config.check.mutelist {
            super::check::apply_mutelist(&mut hunted.findings, path)?;
        }
        let scope = format!(
            "events from {} until {}",
            since.to_rfc3339(),
            until.to_rfc3339()
        );
        hunted.report = Some(
            Report::from_hunt(&scope, &queries, &hunted.findings)
                .with_window(Some(since.to_rfc3339()), Some(until.to_rfc3339())),
        );
        hunted.window = Some((since, until));
    }
    hunted.step.seconds = clock.elapsed().as_secs_f64();
    hunted
        .step
        .counts
        .insert("findings", hunted.findings.len() as u64);
    log.line(&format!("hunt: {} finding(s)", hunted.findings.len()));
    Ok(hunted)
}

/// What ingesting the trails' buckets did: its step, each source's outcome, and the days
/// that received events (the hunt looks at them whatever their age: late or backfilled logs).
struct Ingested {
    step: Step,
    sources: Vec<Value>,
    new_days: BTreeSet<chrono::NaiveDate>,
}

/// Ingests what is new under each trail's `AWSLogs/` and the extra sources, one source at a
/// time: a source that cannot be read is recorded and the others go on.
async fn ingest_trails(
    config: &AuditConfig,
    data_dir: &DataDir,
    aws: &AwsOptions,
    trails: &[serde_json::Map<String, Value>],
    log: &Log,
) -> Ingested {
    let clock = Instant::now();
    let mut errors = Vec::new();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut sources = Vec::new();
    let mut new_days = BTreeSet::new();
    if config.trail.ingest {
        for source in trail_sources(trails, &config.trail.extra_sources) {
            log.line(&format!("ingest: {source}"));
            let opts = govscan::trail::IngestOptions {
                data_dir: data_dir.clone(),
                sources: vec![source.clone()],
                aws: AwsOptions {
                    max_attempts: None,
                    ..aws.clone()
                },
                ..Default::default()
            };
            match govscan::trail::ingest(&opts).await {
                Ok(s) => {
                    for (key, n) in [
                        ("files_read", s.files_read),
                        ("files_unchanged", s.files_unchanged),
                        ("events_ingested", s.records_written),
                        ("duplicates_skipped", s.duplicates_skipped),
                        ("files_rejected", s.rejected_files.len()),
                    ] {
                        *counts.entry(key).or_default() += n as u64;
                    }
                    new_days.extend(
                        s.partitions
                            .iter()
                            .filter_map(|d| d.parse::<chrono::NaiveDate>().ok()),
                    );
                    for (file, why) in s.rejected_files.iter().take(20) {
                        errors.push(format!("{file}: {why}"));
                    }
                    sources.push(json!({"source": source, "events_ingested": s.records_written, "files_read": s.files_read}));
                }
                Err(e) => {
                    errors.push(format!("{source}: {e}"));
                    sources.push(json!({"source": source, "error": e.to_string()}));
                }
            }
        }
        counts.insert("sources", sources.len() as u64);
    }
    log.line(&format!(
        "ingest: {} event(s) from {} source(s), {} error(s)",
        counts.get("events_ingested").copied().unwrap_or(0),
        sources.len(),
        errors.len()
    ));
    Ingested {
        step: Step {
            name: "ingest",
            seconds: clock.elapsed().as_secs_f64(),
            counts,
            errors,
        },
        sources,
        new_days,
    }
}

/// Deletes the audits (and their snapshots) retention no longer keeps, then the lake's
/// partitions older than trail.retain_days.
async fn apply_retention(
    store: &DataStore,
    data_dir: &DataDir,
    config: &AuditConfig,
    newest: &str,
    log: &Log,
) -> Result<(), CommandError> {
    let audits = list_audits(store).await?;
    for old in audits_to_delete(
        &audits,
        newest,
        config.retention.keep_last,
        config.retention.keep_days,
        Utc::now(),
    ) {
        // The summary goes first: an audit without it is no longer listed.
        store
            .delete(&format!("{AUDITS_DIR}/{old}/{SUMMARY_FILE}"))
            .await?;
        store.delete_under(&format!("{AUDITS_DIR}/{old}")).await?;
        store.delete_under(&format!("snapshots/{old}")).await?;
        log.line(&format!("retention: removed audit {old} and its snapshot"));
    }
    if let Some(days) = config.trail.retain_days {
        let cutoff = (Utc::now() - chrono::Duration::days(i64::from(days))).date_naive();
        let removed = govscan::trail::remove_partitions_before(data_dir, cutoff).await?;
        if !removed.is_empty() {
            log.line(&format!(
                "retention: removed {} trail partition(s) before {cutoff}",
                removed.len()
            ));
        }
    }
    Ok(())
}

/// Writes one file of the audit into its staging folder.
fn stage(
    dir: &Path,
    files: &mut Vec<String>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(), CommandError> {
    govscan::store::atomic_write(&dir.join(name), &bytes)?;
    files.push(name.to_owned());
    Ok(())
}

/// The S3 prefixes of the trails' logs (`s3://bucket/<prefix>/AWSLogs/`: account and
/// organization trails alike, the o-xxxx level is below it), each once, then the extra ones.
fn trail_sources(trails: &[serde_json::Map<String, Value>], extra: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in trails {
        let Some(bucket) = t.get("s3_bucket_name").and_then(Value::as_str) else {
            continue;
        };
        let prefix = t
            .get("s3_key_prefix")
            .and_then(Value::as_str)
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty());
        let source = match prefix {
            Some(p) => format!("s3://{bucket}/{p}/AWSLogs/"),
            None => format!("s3://{bucket}/AWSLogs/"),
        };
        if seen.insert(source.clone()) {
            out.push(source);
        }
    }
    for e in extra {
        if seen.insert(e.clone()) {
            out.push(e.clone());
        }
    }
    out
}

/// Where this audit's hunt starts. The first audit: first_window_days back. Later ones: an
/// hour before the previous window ended (logs arrive up to about 15 minutes late), or
/// earlier, at the first day this run ingested events of (backfilled or late logs); what
/// the previous audit already found is not new again.
fn hunt_start(
    previous: Option<&Value>,
    first_new_day: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
    config: &AuditConfig,
) -> DateTime<Utc> {
    let first_window = now - chrono::Duration::days(i64::from(config.hunt.first_window_days));
    let Some(until) = previous
        .and_then(|s| s.pointer("/hunt_window/until"))
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
    else {
        return first_window;
    };
    let after_previous = until - chrono::Duration::hours(1);
    match first_new_day.and_then(|d| d.and_hms_opt(0, 0, 0)) {
        Some(day) => after_previous.min(day.and_utc()),
        None => after_previous,
    }
}

/// Rows added, removed and changed per table between the previous audit's snapshot and this one.
async fn inventory_drift(
    sessions: &govscan::engine::Sessions,
    data_dir: &DataDir,
    previous_snapshot: &str,
    engine: &govscan::engine::Engine,
) -> Result<Vec<TableDrift>, CommandError> {
    let before = govscan::checks::run::open(sessions, data_dir, Some(previous_snapshot)).await?;
    let tables = govscan::store::diff::diff_snapshots(
        &before.snapshot,
        &engine.snapshot,
        &govscan::collect::all_tables(),
    )
    .await?;
    let keys = |v: &[String]| v.iter().take(DRIFT_KEYS_SHOWN).cloned().collect();
    Ok(tables
        .into_iter()
        .filter(|(name, d)| !d.is_empty() && !name.starts_with("collection_"))
        .map(|(name, d)| TableDrift {
            table: name.to_string(),
            added: d.added.len(),
            removed: d.removed.len(),
            changed: d.changed.len(),
            added_keys: keys(&d.added),
            removed_keys: keys(&d.removed),
            changed_keys: d.changed.keys().take(DRIFT_KEYS_SHOWN).cloned().collect(),
        })
        .collect())
}

/// The changes as summary.json carries them: counts, and every change named.
fn changes_summary(changes: &AuditChanges) -> Value {
    json!({
        "previous_audit": changes.previous,
        "newly_failing": changes.newly_failing,
        "fixed": changes.fixed,
        "still_failing": changes.still_failing.len(),
        "newly_not_assessed": changes.newly_not_assessed,
        "new_findings": changes.new_findings,
        "drift": changes.drift,
    })
}

/// Copies the published audit's files into `dir` (report.output_dir).
async fn copy_out(
    store: &DataStore,
    relative: &str,
    files: &[String],
    dir: &Path,
) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CommandError::Usage(format!("{}: {e}", dir.display())))?;
    for name in files.iter().map(String::as_str).chain([SUMMARY_FILE]) {
        if let Some(bytes) = store.get(&format!("{relative}/{name}")).await? {
            govscan::store::atomic_write(&dir.join(name), &bytes)?;
        }
    }
    Ok(())
}

fn print_summary(id: &str, place: &str, changes: &AuditChanges, counted: &[String], partial: bool) {
    let mut lines = vec![format!(
        "audit {id}: {} newly failing, {} fixed, {} still failing, {} new finding(s){}",
        changes.newly_failing.len(),
        changes.fixed.len(),
        changes.still_failing.len(),
        changes.new_findings.len(),
        changes
            .previous
            .as_ref()
            .map(|p| format!(" since audit {p}"))
            .unwrap_or_default()
    )];
    for c in changes.newly_failing.iter().take(20) {
        lines.push(format!(
            "  new FAIL     {} {} ({})",
            c.check_id,
            c.resource_id,
            c.severity.as_str()
        ));
    }
    for c in changes.fixed.iter().take(20) {
        lines.push(format!("  fixed        {} {}", c.check_id, c.resource_id));
    }
    for f in changes.new_findings.iter().take(20) {
        lines.push(format!(
            "  new finding  {} {}",
            f.query_id,
            f.principal.as_deref().unwrap_or("")
        ));
    }
    if partial {
        lines.push("  the collection was partial: what could not be read is NOT_ASSESSED".into());
    }
    if !counted.is_empty() {
        lines.push(format!("  {} counted for fail_on: exit 1", counted.len()));
    }
    lines.push(format!("  written to {place}"));
    for line in lines {
        // Resource ids come from AWS: no terminal escapes get through.
        eprintln!("{}", govscan::report::terminal::escape_for_terminal(&line));
    }
}
