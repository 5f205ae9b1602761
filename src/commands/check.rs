//! `govscan check`: run the compliance checks over a snapshot and report per resource.

use std::fmt::Write;
use std::path::Path;

use govscan::checks::framework::{builtin_frameworks, validate, Framework};
use govscan::checks::run::run_all;
use govscan::checks::{builtin_checks, load_dir, Check};
use govscan::report::mutelist::{Mutable, MuteRule, Mutelist};
use govscan::report::Report;
use govscan::store::DataDir;

use super::CommandError;
use crate::cli::CheckArgs;

/// Runs the checks; true when a check at or above `--fail-on` failed.
pub async fn run(
    sessions: &govscan::engine::Sessions,
    data_dir: &DataDir,
    args: &CheckArgs,
) -> Result<bool, CommandError> {
    if args.select.list {
        let checks = match &args.checks {
            Some(dir) => load_dir(dir)?,
            None => builtin_checks()?,
        };
        // With --framework: its controls, how each is decided and by which checks.
        let text = match &args.framework {
            Some(id) => render_framework_reference(
                &[find_framework(&builtin_frameworks()?, id, args.level)?],
                &checks,
            ),
            None => render_check_list(&checks),
        };
        super::stdout_write(&text)?;
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
            let engine = govscan::checks::run::open(
                sessions,
                &DataDir::Local(merged.path().to_path_buf()),
                Some(id),
            )
            .await?;
            _staged = Some(merged);
            engine
        }
        _ => govscan::checks::run::open(sessions, data_dir, args.snapshot.as_deref()).await?,
    };
    let frameworks = builtin_frameworks()?;
    let all = match &args.checks {
        Some(dir) => load_dir(dir)?,
        None => builtin_checks()?,
    };
    validate(&frameworks, &all)?;
    let framework = match &args.framework {
        Some(id) => Some(find_framework(&frameworks, id, args.level)?),
        None => None,
    };
    let checks = select(all, framework.as_ref(), args)?;
    let mut results = run_all(&engine.ctx, &checks, args.select.concurrency.into()).await?;
    let expired_mutes = match &args.report.mutelist {
        Some(path) => apply_mutelist(&mut results, path)?,
        None => Vec::new(),
    };
    let report = Report::from_checks(&engine.manifest.snapshot_id, &checks, &results)
        .with_framework(framework.as_ref())
        .with_expired_mutes(expired_mutes);
    super::write_report(args.format, &report, &args.report)?;
    Ok(govscan::checks::run::fails_at(
        &results,
        args.report.fail_on,
    ))
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
/// The framework named `id`, with only the controls of `level` when one is given.
pub fn find_framework(
    frameworks: &[Framework],
    id: &str,
    level: Option<u8>,
) -> Result<Framework, CommandError> {
    let framework = frameworks.iter().find(|f| f.id == id).ok_or_else(|| {
        let known: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
        CommandError::Usage(format!(
            "--framework: unknown framework {id:?}; known: {}",
            known.join(", ")
        ))
    })?;
    Ok(match level {
        Some(level) => framework.at_level(level),
        None => framework.clone(),
    })
}

fn select(
    checks: Vec<Check>,
    framework: Option<&Framework>,
    args: &CheckArgs,
) -> Result<Vec<Check>, CommandError> {
    for id in &args.select.only {
        if !checks.iter().any(|c| &c.meta.id == id) {
            return Err(CommandError::Usage(format!("--only: no check {id:?}")));
        }
    }
    let selected: Vec<Check> = checks
        .into_iter()
        .filter(|c| args.select.only.is_empty() || args.select.only.contains(&c.meta.id))
        .filter(|c| framework.is_none_or(|f| f.covers(c)))
        .filter(|c| args.select.severity.is_none_or(|s| c.meta.severity >= s))
        .collect();
    if selected.is_empty() {
        return Err(CommandError::Usage(
            "no check matches --only, --framework, --level and --severity".into(),
        ));
    }
    Ok(selected)
}

/// The check reference (`check --list`, docs/checks.md).
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

/// The framework reference (docs/frameworks.md): each framework's controls with their level,
/// the benchmark's assessment status, how govscan decides them and with which checks.
pub fn render_framework_reference(frameworks: &[Framework], checks: &[Check]) -> String {
    use govscan::checks::framework::Decision;
    let mut out = String::new();
    let mut sorted: Vec<&Framework> = frameworks.iter().collect();
    sorted.sort_by(|a, b| b.id.cmp(&a.id));
    for f in sorted {
        writeln!(out, "## {} (`{}`)\n", f.title, f.id).expect("write");
        writeln!(out, "{}\n", coverage_sentence(f)).expect("write");
        out.push_str("| control | level | CIS status | govscan | checks |\n| --- | --- | --- | --- | --- |\n");
        for (_, control) in f.controls() {
            let mut names = f.checks_of(control, checks);
            names.sort();
            let how = match control.decision() {
                Decision::Checks => "decided by checks".to_owned(),
                Decision::Evidence(why) => format!("MANUAL, with evidence: {why}"),
                Decision::Manual(why) => format!("MANUAL: {why}"),
                Decision::NotCollected(apis) => format!("NOT_COLLECTED: needs {apis}"),
            };
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            writeln!(
                out,
                "| {} {} | {} | {} | {} | {} |",
                control.id,
                control.title.replace('|', "\\|"),
                control.level,
                control.assessment.as_str(),
                how.replace('|', "\\|"),
                names.join(", ")
            )
            .expect("write");
        }
        out.push('\n');
    }
    out
}

/// "Of CIS v7.0's 70 recommendations, ..." as the README and the reference say it.
pub fn coverage_sentence(framework: &Framework) -> String {
    let c = framework.coverage();
    let collection = if c.not_collected == 0 {
        "and collects what every other one needs".to_owned()
    } else {
        format!(
            "and does not collect what {} need yet (NOT_COLLECTED)",
            c.not_collected
        )
    };
    format!(
        "Of the {} recommendations of `{}`, govscan decides {} with checks, gives evidence for {} \
         (their verdict stays MANUAL), leaves {} to a reviewer (MANUAL), {collection}.",
        c.total(),
        framework.id,
        c.decided,
        c.evidence,
        c.manual,
    )
}
