//! `govscan hunt`: run the detections over the trail lake and report the findings.

use std::fmt::Write;

use govscan::hunt::{builtin_detections, load_dir, parse_time, Detection, HuntConfig, Window};
use govscan::report::Report;

use super::CommandError;
use crate::cli::HuntArgs;

/// Runs the hunt; true when a detection at or above `--fail-on` found something.
pub async fn run(
    sessions: &govscan::engine::Sessions,
    data_dir: &govscan::store::DataDir,
    args: &HuntArgs,
) -> Result<bool, CommandError> {
    let mut all = match &args.queries {
        Some(dir) => load_dir(dir)?,
        None => builtin_detections()?,
    };
    let mut unsupported = Vec::new();
    if let Some(dir) = &args.sigma {
        let fields = match &args.sigma_pipeline {
            Some(path) => govscan::hunt::sigma::FieldMapping::with_pipeline(path)
                .map_err(|e| CommandError::Usage(format!("--sigma-pipeline {e}")))?,
            None => govscan::hunt::sigma::FieldMapping::builtin(),
        };
        let (rules, skipped) = govscan::hunt::sigma::load_dir(dir, &fields)
            .map_err(|e| CommandError::Usage(format!("--sigma {}: {e}", dir.display())))?;
        for (file, reason) in &skipped {
            eprintln!("warning: {}: not run: {reason}", file.display());
        }
        unsupported = skipped;
        all.extend(rules);
    }
    if args.select.list {
        super::stdout_write(&render_query_list(&all))?;
        return Ok(false);
    }
    if args.coverage {
        super::stdout_write(&render_coverage(&all))?;
        return Ok(false);
    }
    let queries = select(all, args)?;
    let config = match &args.config {
        Some(path) => HuntConfig::load(path).map_err(CommandError::Usage)?,
        None => HuntConfig::default(),
    };
    let now = chrono::Utc::now();
    let time = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| parse_time(v, now).map_err(|e| CommandError::Usage(format!("{flag}: {e}"))))
            .transpose()
    };
    let window = Window {
        start: time("--since", &args.since)?,
        end: time("--until", &args.until)?,
    };
    let ctx = govscan::hunt::open(sessions, data_dir, window, &config).await?;
    let mut findings = govscan::hunt::run(&ctx, &queries, args.select.concurrency.into()).await?;
    let expired_mutes = match &args.report.mutelist {
        Some(path) => super::check::apply_mutelist(&mut findings, path)?,
        None => Vec::new(),
    };
    let scope = match (window.start, window.end) {
        (None, None) => "the whole trail lake".to_owned(),
        (start, end) => format!(
            "events from {} until {}",
            start.map_or("the start".into(), |t| t.to_rfc3339()),
            end.map_or("now".into(), |t| t.to_rfc3339())
        ),
    };
    let report = Report::from_hunt(&scope, &queries, &findings)
        .with_window(
            window.start.map(|t| t.to_rfc3339()),
            window.end.map(|t| t.to_rfc3339()),
        )
        .with_expired_mutes(expired_mutes)
        .with_sigma_not_run(unsupported);
    super::write_report(args.format, &report, &args.report)?;
    Ok(govscan::hunt::finds_at(&findings, args.report.fail_on))
}

fn select(queries: Vec<Detection>, args: &HuntArgs) -> Result<Vec<Detection>, CommandError> {
    for id in &args.select.only {
        if !queries.iter().any(|q| &q.meta.id == id) {
            return Err(CommandError::Usage(format!("--only: no detection {id:?}")));
        }
    }
    let selected: Vec<Detection> = queries
        .into_iter()
        .filter(|q| args.select.only.is_empty() || args.select.only.contains(&q.meta.id))
        .filter(|q| args.select.severity.is_none_or(|s| q.meta.severity >= s))
        .collect();
    if selected.is_empty() {
        return Err(CommandError::Usage(
            "no detection matches --only and --severity".into(),
        ));
    }
    Ok(selected)
}

/// The detection list (`hunt --list`, docs/detections.md).
pub fn render_query_list(queries: &[Detection]) -> String {
    let mut out = String::from(
        "| id | title | severity | kind | ATT&CK |\n| --- | --- | --- | --- | --- |\n",
    );
    let mut sorted: Vec<&Detection> = queries.iter().collect();
    sorted.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    for q in sorted {
        let kind = serde_json::to_value(q.meta.kind).expect("json");
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            q.meta.id,
            q.meta.title.replace('|', "\\|"),
            q.meta.severity.as_str(),
            kind.as_str().unwrap_or_default(),
            q.meta.mitre.techniques.join(", ")
        )
        .expect("write");
    }
    out
}

/// The ATT&CK coverage table (`hunt --coverage`, docs/coverage.md): per tactic, the
/// techniques covered and by which detections.
pub fn render_coverage(detections: &[Detection]) -> String {
    let tactics = govscan::hunt::coverage(detections);
    let techniques: std::collections::BTreeSet<&String> =
        tactics.iter().flat_map(|t| t.techniques.keys()).collect();
    let covered = tactics.iter().filter(|t| !t.techniques.is_empty()).count();
    let mut out = format!(
        "{} detections cover {} ATT&CK techniques across {} of {} tactics.\n\n\
         | tactic | techniques | detections |\n| --- | --- | --- |\n",
        detections.len(),
        techniques.len(),
        covered,
        tactics.len()
    );
    for t in &tactics {
        let ids: std::collections::BTreeSet<&String> = t.techniques.values().flatten().collect();
        writeln!(
            out,
            "| {} {} | {} | {} |",
            t.tactic,
            t.name,
            if t.techniques.is_empty() {
                "(none)".to_owned()
            } else {
                t.techniques.keys().cloned().collect::<Vec<_>>().join(", ")
            },
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .expect("write");
    }
    out
}
