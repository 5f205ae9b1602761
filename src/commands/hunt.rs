//! `govscan hunt`: run the detections over the trail lake and report the findings.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::json;

use crate::cli::{HuntArgs, HuntFormat};
use govscan::hunt::{
    builtin_detections, load_dir, parse_time, Detection, Finding, HuntConfig, Window,
};

use super::colour::Painter;
use super::query::escape_for_terminal;
use super::CommandError;

/// Runs the hunt; true when a detection at or above `--fail-on` found something.
pub async fn run(
    data_dir: &govscan::store::DataDir,
    args: &HuntArgs,
) -> Result<bool, CommandError> {
    let mut all = match &args.queries {
        Some(dir) => load_dir(dir)?,
        None => builtin_detections()?,
    };
    let mut unsupported = Vec::new();
    if let Some(dir) = &args.sigma {
        let (rules, skipped) = govscan::hunt::sigma::load_dir(dir)
            .map_err(|e| CommandError::Usage(format!("--sigma {}: {e}", dir.display())))?;
        for (file, reason) in &skipped {
            eprintln!("warning: {}: not run: {reason}", file.display());
        }
        unsupported = skipped;
        all.extend(rules);
    }
    if args.list {
        super::stdout_write(&render_query_list(&all))?;
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
    let ctx = govscan::hunt::open(data_dir, window, &config).await?;
    let mut findings = govscan::hunt::run(&ctx, &queries, args.concurrency.into()).await?;
    let expired_mutes = match &args.mutelist {
        Some(path) => super::check::apply_mutelist(&mut findings, path)?,
        None => Vec::new(),
    };
    let text = match args.format {
        HuntFormat::Json => {
            serde_json::to_string_pretty(&json!({
                "window": {
                    "since": window.start.map(|t| t.to_rfc3339()),
                    "until": window.end.map(|t| t.to_rfc3339()),
                },
                "findings": findings,
                "summary": summary(&queries, &findings),
                "expired_mutes": expired_mutes,
                "sigma_not_run": unsupported
                    .iter()
                    .map(|(file, reason)| json!({"file": file, "reason": reason}))
                    .collect::<Vec<_>>(),
            }))
            .expect("json")
                + "\n"
        }
        HuntFormat::Ndjson => findings
            .iter()
            .map(|f| serde_json::to_string(f).expect("json") + "\n")
            .collect(),
        HuntFormat::Table => {
            let paint = Painter {
                on: super::colour::wanted(args.output.as_deref()),
            };
            render_table(&queries, &findings, paint)
        }
        HuntFormat::Sarif
        | HuntFormat::Junit
        | HuntFormat::Markdown
        | HuntFormat::Csv
        | HuntFormat::Html
        | HuntFormat::Ocsf => {
            let name = format!("{:?}", args.format).to_lowercase();
            let scope = match (window.start, window.end) {
                (None, None) => "the whole trail lake".to_owned(),
                (start, end) => format!(
                    "events from {} until {}",
                    start.map_or("the start".into(), |t| t.to_rfc3339()),
                    end.map_or("now".into(), |t| t.to_rfc3339())
                ),
            };
            let report = govscan::report::Report::from_hunt(&scope, &queries, &findings);
            govscan::report::render(&name, &report, args.templates.as_deref())
                .map_err(CommandError::Usage)?
        }
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(govscan::hunt::finds_at(&findings, args.fail_on))
}

fn select(queries: Vec<Detection>, args: &HuntArgs) -> Result<Vec<Detection>, CommandError> {
    for id in &args.only {
        if !queries.iter().any(|q| &q.meta.id == id) {
            return Err(CommandError::Usage(format!("--only: no detection {id:?}")));
        }
    }
    let selected: Vec<Detection> = queries
        .into_iter()
        .filter(|q| args.only.is_empty() || args.only.contains(&q.meta.id))
        .filter(|q| args.severity.is_none_or(|s| q.meta.severity >= s))
        .collect();
    if selected.is_empty() {
        return Err(CommandError::Usage(
            "no detection matches --only and --severity".into(),
        ));
    }
    Ok(selected)
}

fn summary(queries: &[Detection], findings: &[Finding]) -> serde_json::Value {
    let mut by_query: BTreeMap<&str, usize> =
        queries.iter().map(|q| (q.meta.id.as_str(), 0)).collect();
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_query.entry(&f.query_id).or_default() += 1;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    json!({
        "detections_run": queries.len(),
        "findings": findings.len(),
        "muted": findings.iter().filter(|f| f.muted.is_some()).count(),
        "by_detection": by_query,
        "by_severity": by_severity,
    })
}

/// The detection list embedded in the README; a test keeps the two identical.
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

/// A line per detection that found something, then its findings. Every value from the
/// logs is escaped: CloudTrail fields are attacker-controlled.
fn render_table(queries: &[Detection], findings: &[Finding], paint: Painter) -> String {
    let mut out = String::new();
    let shown = |v: &Option<String>| escape_for_terminal(v.as_deref().unwrap_or("-"));
    for q in queries {
        let own: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.query_id == q.meta.id)
            .collect();
        if own.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{} [{}] {}: {} finding(s)",
            escape_for_terminal(&q.meta.id),
            paint.severity(q.meta.severity, q.meta.severity.as_str()),
            escape_for_terminal(&q.meta.title),
            own.len()
        )
        .expect("write");
        for f in own {
            let muted = f
                .muted
                .as_deref()
                .map(|why| format!("[{}: {}] ", paint.status("MUTED"), escape_for_terminal(why)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}  {}  {}  {}  {}\n      {muted}{}",
                shown(&f.event_time),
                shown(&f.account_id),
                shown(&f.region),
                shown(&f.principal),
                shown(&f.source_ip_address),
                shown(&f.reason)
            )
            .expect("write");
        }
    }
    let quiet = queries
        .iter()
        .filter(|q| !findings.iter().any(|f| f.query_id == q.meta.id))
        .count();
    writeln!(
        out,
        "{} finding(s) from {} detection(s); {quiet} found nothing.",
        findings.len(),
        queries.len()
    )
    .expect("write");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's detection list is generated; this fails when it is stale. Refresh it
    /// with `govscan hunt --list` between the queries:start/end markers.
    #[test]
    fn readme_detection_list_is_current() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let start = readme
            .find("<!-- queries:start -->\n")
            .expect("start marker")
            + "<!-- queries:start -->\n".len();
        let end = readme.find("<!-- queries:end -->").expect("end marker");
        assert!(
            readme[start..end] == render_query_list(&builtin_detections().unwrap()),
            "README.md detection list is stale: run `govscan hunt --list` and paste it between the markers"
        );
    }
}
