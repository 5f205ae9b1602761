//! `govscan check`: run the compliance checks over a snapshot and report per resource.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use serde_json::json;

use crate::cli::{CheckArgs, CheckFormat};
use govscan::checks::framework::{builtin_frameworks, validate, Framework};
use govscan::checks::run::{run_all, CheckResult, Status};
use govscan::checks::verdict::{control_verdicts, summarize, Counts};
use govscan::checks::{builtin_checks, load_dir, Check};
use govscan::store::DataDir;

use super::colour::Painter;
use super::query::escape_for_terminal;
use super::CommandError;
use govscan::report::mutelist::{Mutable, MuteRule, Mutelist};

/// Runs the checks; true when a check at or above `--fail-on` failed.
pub async fn run(data_dir: &DataDir, args: &CheckArgs) -> Result<bool, CommandError> {
    if args.list {
        let checks = match &args.checks {
            Some(dir) => load_dir(dir)?,
            None => builtin_checks()?,
        };
        super::stdout_write(&render_check_list(&checks))?;
        return Ok(false);
    }
    // Held until the checks are done: the merged shards live there.
    let mut _staged = None;
    let engine = match (&args.snapshot, args.unfinalized) {
        (Some(id), true) => {
            let store = govscan::store::DataStore::open(data_dir).await?;
            let (merged, manifest) =
                govscan::store::snapshot::merge_unfinalized(&store, id).await?;
            eprintln!(
                "warning: snapshot {id} is not finalized: checking the {} account(s) of the shards \
                 collected so far; accounts of other shards are not assessed",
                manifest.accounts.len()
            );
            let engine =
                govscan::checks::run::open(&DataDir::Local(merged.path().to_path_buf()), Some(id))
                    .await?;
            _staged = Some(merged);
            engine
        }
        _ => govscan::checks::run::open(data_dir, args.snapshot.as_deref()).await?,
    };
    let frameworks = builtin_frameworks()?;
    let all = match &args.checks {
        Some(dir) => load_dir(dir)?,
        None => builtin_checks()?,
    };
    validate(&frameworks, &all)?;
    let framework = match &args.framework {
        Some(id) => Some(frameworks.iter().find(|f| &f.id == id).ok_or_else(|| {
            let known: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
            CommandError::Usage(format!(
                "--framework: unknown framework {id:?}; known: {}",
                known.join(", ")
            ))
        })?),
        None => None,
    };
    let checks = select(all, args)?;
    let mut results = run_all(&engine.ctx, &checks, args.concurrency.into()).await?;
    let expired_mutes = match &args.mutelist {
        Some(path) => apply_mutelist(&mut results, path)?,
        None => Vec::new(),
    };
    let text = match args.format {
        CheckFormat::Json => {
            serde_json::to_string_pretty(&json!({
                "snapshot_id": engine.manifest.snapshot_id,
                "results": results,
                "summary": summarize(&checks, &results),
                "controls": framework.map(|f| control_verdicts(f, &results)),
                "expired_mutes": expired_mutes,
            }))
            .expect("json")
                + "\n"
        }
        CheckFormat::Sarif
        | CheckFormat::Junit
        | CheckFormat::Markdown
        | CheckFormat::Csv
        | CheckFormat::Html
        | CheckFormat::Ocsf => {
            let name = format!("{:?}", args.format).to_lowercase();
            let report = govscan::report::Report::from_checks(
                &engine.manifest.snapshot_id,
                &checks,
                &results,
            );
            govscan::report::render(&name, &report, args.templates.as_deref())
                .map_err(CommandError::Usage)?
        }
        CheckFormat::Table => {
            let paint = Painter {
                on: super::colour::wanted(args.output.as_deref()),
            };
            let mut text = render_table(&checks, &results, paint);
            if let Some(f) = framework {
                text.push_str(&render_controls(f, &results));
            }
            text
        }
    };
    super::write_output(args.output.as_deref(), &text)?;
    Ok(govscan::checks::run::fails_at(&results, args.fail_on))
}

/// The mutelist at `path`, applied to `items` (check results or hunt findings); answers
/// the rules past their expiry, after warning about them.
pub fn apply_mutelist<T: Mutable>(
    items: &mut [T],
    path: &Path,
) -> Result<Vec<MuteRule>, CommandError> {
    let list = Mutelist::load(path).map_err(CommandError::Usage)?;
    let expired = list.apply(items, chrono::Utc::now().date_naive());
    for rule in &expired {
        eprintln!(
            "warning: mutelist rule for {} ({}) expired on {}: it mutes nothing now",
            rule.id,
            rule.reason,
            rule.expires.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    Ok(expired)
}
fn select(checks: Vec<Check>, args: &CheckArgs) -> Result<Vec<Check>, CommandError> {
    for id in &args.only {
        if !checks.iter().any(|c| &c.meta.id == id) {
            return Err(CommandError::Usage(format!("--only: no check {id:?}")));
        }
    }
    let selected: Vec<Check> = checks
        .into_iter()
        .filter(|c| args.only.is_empty() || args.only.contains(&c.meta.id))
        .filter(|c| {
            args.framework
                .as_ref()
                .is_none_or(|f| c.meta.frameworks.contains_key(f))
        })
        .filter(|c| args.severity.is_none_or(|s| c.meta.severity >= s))
        .collect();
    if selected.is_empty() {
        return Err(CommandError::Usage(
            "no check matches --only, --framework and --severity".into(),
        ));
    }
    Ok(selected)
}

fn render_controls(framework: &Framework, results: &[CheckResult]) -> String {
    let mut out = format!("\n{}\n", framework.title);
    let mut section = "";
    for c in control_verdicts(framework, results) {
        if c.section != section {
            section = c.section;
            writeln!(out, "  {} {}", section, c.section_title).expect("write");
        }
        let detail = match c.manual {
            Some(why) => format!("manual: {why}"),
            None => format!(
                "{} pass, {} fail, {} not assessed",
                c.counts.pass, c.counts.fail, c.counts.not_assessed
            ),
        };
        writeln!(
            out,
            "    {:<7} {:<13} {}  ({detail})",
            c.control,
            c.status.as_str(),
            c.title
        )
        .expect("write");
    }
    out
}

/// The check reference embedded in the README; a test keeps the two identical.
pub fn render_check_list(checks: &[Check]) -> String {
    // One column per framework any check maps to, in name order.
    let frameworks: std::collections::BTreeSet<&str> = checks
        .iter()
        .flat_map(|c| c.meta.frameworks.keys().map(String::as_str))
        .collect();
    let mut out = String::from("| id | title | severity |");
    for f in &frameworks {
        write!(out, " {f} |").expect("write");
    }
    out.push_str("\n| --- | --- | --- |");
    out.push_str(&" --- |".repeat(frameworks.len()));
    out.push('\n');
    let mut sorted: Vec<&Check> = checks.iter().collect();
    sorted.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    for c in sorted {
        write!(
            out,
            "| `{}` | {} | {} |",
            c.meta.id,
            c.meta.title.replace('|', "\\|"),
            c.meta.severity.as_str(),
        )
        .expect("write");
        for f in &frameworks {
            let controls = c.meta.frameworks.get(*f).map(|v| v.join(", "));
            write!(out, " {} |", controls.unwrap_or_default()).expect("write");
        }
        out.push('\n');
    }
    out
}

fn render_table(checks: &[Check], results: &[CheckResult], paint: Painter) -> String {
    let mut out = String::new();
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in results {
        counts.entry(&r.check_id).or_default().add(r.status);
    }
    writeln!(
        out,
        "{:<13} {:<9} {:<40} {:<14} RESULT",
        "STATUS", "SEVERITY", "CHECK", "CONTROLS"
    )
    .expect("write");
    for c in checks {
        let n = counts.get(c.meta.id.as_str()).copied().unwrap_or_default();
        let status = if n.fail > 0 {
            "FAIL"
        } else if n.not_assessed > 0 {
            "NOT_ASSESSED"
        } else if n.pass > 0 {
            "PASS"
        } else {
            "NO RESOURCES"
        };
        let controls: Vec<String> = c.meta.frameworks.values().flatten().cloned().collect();
        let total = n.pass + n.fail + n.not_assessed;
        let mut result = format!("{} of {total} fail", n.fail);
        if n.not_assessed > 0 {
            write!(result, ", {} not assessed", n.not_assessed).expect("write");
        }
        writeln!(
            out,
            "{} {} {:<40} {:<14} {result}",
            paint.status(&format!("{status:<13}")),
            paint.severity(c.meta.severity, &format!("{:<9}", c.meta.severity.as_str())),
            escape_for_terminal(&c.meta.id),
            escape_for_terminal(&controls.join(","))
        )
        .expect("write");
    }
    let failing: Vec<&CheckResult> = results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .collect();
    if !failing.is_empty() {
        out.push_str("\nFAIL and NOT_ASSESSED resources:\n");
        for r in failing {
            writeln!(
                out,
                "  {} {:<40} {} {} {}: {}",
                paint.status(&format!("{:<12}", r.status.as_str())),
                escape_for_terminal(&r.check_id),
                escape_for_terminal(&r.account_id),
                escape_for_terminal(r.region.as_deref().unwrap_or("-")),
                escape_for_terminal(&r.resource_id),
                escape_for_terminal(&r.reason)
            )
            .expect("write");
        }
    }
    let mut total = Counts::default();
    results.iter().for_each(|r| total.add(r.status));
    writeln!(
        out,
        "\n{} checks: {} PASS, {} FAIL, {} NOT_ASSESSED",
        checks.len(),
        total.pass,
        total.fail,
        total.not_assessed
    )
    .expect("write");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's check list is generated; this fails when it is stale. Refresh it with
    /// `govscan check --list` between the checks:start/end markers.
    #[test]
    fn readme_check_list_is_current() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let start = readme
            .find("<!-- checks:start -->\n")
            .expect("start marker")
            + "<!-- checks:start -->\n".len();
        let end = readme.find("<!-- checks:end -->").expect("end marker");
        assert!(
            readme[start..end] == render_check_list(&builtin_checks().unwrap()),
            "README.md check list is stale: run `govscan check --list` and paste it between the markers"
        );
    }
}
