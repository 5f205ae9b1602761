//! `govscan demo`: the whole pipeline on data bundled into the binary, no AWS account
//! needed: a sample organization's snapshot (demo/snapshot.yaml, made up) is checked, real
//! CloudTrail logs of an attack simulation (demo/logs, MIT) are
//! ingested and hunted, and both reports are written as HTML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::DemoArgs;
use govscan::checks::run::{run_all, Status};
use govscan::report::{render, Format, RenderOptions, Report};
use govscan::store::DataDir;

use super::CommandError;

include!(concat!(env!("OUT_DIR"), "/demo_trail.rs"));

const DEMO_SNAPSHOT: &str = include_str!("../../demo/snapshot.yaml");

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CommandError + '_ {
    move |e| CommandError::Usage(format!("{}: {e}", path.display()))
}

pub async fn run(args: &DemoArgs) -> Result<(), CommandError> {
    let now = chrono::Utc::now();
    let dir: PathBuf = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("govscan-demo-{}", now.format("%Y%m%dT%H%M%S"))),
    };
    if dir.join("data").exists() {
        return Err(CommandError::Usage(format!(
            "{} already holds a demo: pass another --dir",
            dir.display()
        )));
    }
    let data = dir.join("data");

    // 1. The sample organization's snapshot.
    let tables: BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>> =
        serde_norway::from_str(DEMO_SNAPSHOT).expect("the bundled snapshot is valid YAML");
    let id = govscan::store::snapshot::new_snapshot_id(now);
    govscan::store::snapshot::write_from_rows(
        &data,
        &id,
        &govscan::collect::all_tables(),
        &tables,
        now,
        "111111111111",
    )?;

    // 2. The bundled CloudTrail logs, as files a trail writes, into the lake.
    let logs = dir.join("logs");
    for (rel, bytes) in DEMO_TRAIL {
        let path = logs.join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).map_err(io(&path))?;
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    let data_dir = DataDir::Local(data.clone());
    let ingested = govscan::trail::ingest(&govscan::trail::IngestOptions {
        data_dir: data_dir.clone(),
        sources: vec![logs.join("AWSLogs").display().to_string()],
        ..Default::default()
    })
    .await?;

    // 3. The checks over the snapshot.
    let sessions = govscan::engine::Sessions::local();
    let engine = govscan::checks::run::open(&sessions, &data_dir, None).await?;
    let checks = govscan::checks::builtin_checks()?;
    let results = run_all(&engine.ctx, &checks, 4).await?;
    let check_report = dir.join("check-report.html");
    let html = render(
        Format::Html,
        &Report::from_checks(&id, &checks, &results),
        RenderOptions::default(),
    )?;
    govscan::store::atomic_write(&check_report, &html)?;

    // 4. The detections over the trail lake.
    let config = govscan::hunt::HuntConfig::default();
    let ctx = govscan::hunt::open(
        &sessions,
        &data_dir,
        govscan::hunt::Window::default(),
        &config,
    )
    .await?;
    let queries = govscan::hunt::builtin_detections()?;
    let findings = govscan::hunt::run(&ctx, &queries, 4).await?;
    let hunt_report = dir.join("hunt-report.html");
    let html = render(
        Format::Html,
        &Report::from_hunt("the bundled CloudTrail logs", &queries, &findings),
        RenderOptions::default(),
    )?;
    govscan::store::atomic_write(&hunt_report, &html)?;

    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let firing = queries
        .iter()
        .filter(|q| findings.iter().any(|f| f.query_id == q.meta.id))
        .count();
    let text = format!(
        "govscan demo, in {dir}\n\
         \n\
         checks:  {checks} checks on a sample organization of 3 accounts: {fail} FAIL, {pass} PASS, {na} NOT_ASSESSED\n\
         hunt:    {events} real CloudTrail events of an attack simulation: {findings} findings from {firing} of {queries} detections\n\
         \n\
         reports: {check_report}\n\
         \x20        {hunt_report}\n\
         \n\
         Go on with SQL over both:\n\
         \x20 govscan --data-dir {data} query \"SELECT event_name, count(*) FROM cloudtrail_events GROUP BY 1 ORDER BY 2 DESC LIMIT 10\"\n\
         \x20 govscan --data-dir {data} check --severity high\n\
         \x20 govscan --data-dir {data} hunt --severity high\n",
        dir = dir.display(),
        checks = checks.len(),
        fail = count(Status::Fail),
        pass = count(Status::Pass),
        na = count(Status::NotAssessed),
        events = ingested.records_written,
        findings = findings.len(),
        queries = queries.len(),
        check_report = check_report.display(),
        hunt_report = hunt_report.display(),
        data = data.display(),
    );
    super::stdout_write(&text)
}
