//! `govscan report`: the whole audit in one document: inventory, compliance by framework
//! section, failed checks, hunt findings, and what could not be collected.

use minijinja::context;

use crate::cli::{ReportArgs, ReportFormat};
use govscan::checks::framework::{builtin_frameworks, validate};
use govscan::checks::run::run_all;
use govscan::report::html::{render_template, report_context};
use govscan::report::Report;

use super::CommandError;

const AUDIT_HTML_TEMPLATE: &str = include_str!("../../reports/audit.html.j2");
const AUDIT_HTML: &str = "audit.html.j2";
const AUDIT_MARKDOWN_TEMPLATE: &str = include_str!("../../reports/audit.md.j2");
const AUDIT_MARKDOWN: &str = "audit.md.j2";

/// Renders a template by name with a context (HTML- or Markdown-escaping).
type TemplateRenderer = fn(&str, &str, minijinja::Value) -> Result<String, String>;

/// Writes the audit; true when something at or above `--fail-on` failed or was found.
pub async fn run(
    sessions: &govscan::engine::Sessions,
    data_dir: &govscan::store::DataDir,
    args: &ReportArgs,
) -> Result<bool, CommandError> {
    let engine = govscan::checks::run::open(sessions, data_dir, args.snapshot.as_deref()).await?;
    let checks = govscan::checks::builtin_checks()?;
    let frameworks = builtin_frameworks()?;
    validate(&frameworks, &checks)?;
    let framework = super::check::find_framework(&frameworks, &args.framework, args.level)?;
    let config = match &args.config {
        Some(path) => govscan::hunt::HuntConfig::load(path).map_err(CommandError::Usage)?,
        None => govscan::hunt::HuntConfig::default(),
    };
    let mut results = run_all(&engine.ctx, &checks, 4).await?;
    if let Some(path) = &args.report.mutelist {
        super::check::apply_mutelist(&mut results, path)?;
    }
    let manifest = &engine.manifest;
    let check_report = Report::from_checks(&manifest.snapshot_id, &checks, &results);

    let hunt = if govscan::engine::lake_exists(data_dir).await? {
        let now = chrono::Utc::now();
        let start = args
            .since
            .as_deref()
            .map(|s| {
                govscan::hunt::parse_time(s, now)
                    .map_err(|e| CommandError::Usage(format!("--since: {e}")))
            })
            .transpose()?;
        let window = govscan::hunt::Window { start, end: None };
        let ctx = govscan::hunt::open(sessions, data_dir, window, &config).await?;
        let queries = govscan::hunt::builtin_detections()?;
        let mut findings = govscan::hunt::run(&ctx, &queries, 4).await?;
        if let Some(path) = &args.report.mutelist {
            super::check::apply_mutelist(&mut findings, path)?;
        }
        let scope = start.map_or("the whole trail lake".to_owned(), |s| {
            format!("events since {}", s.to_rfc3339())
        });
        Some((Report::from_hunt(&scope, &queries, &findings), findings))
    } else {
        None
    };
    let failed = govscan::checks::run::fails_at(&results, args.report.fail_on)
        || hunt
            .as_ref()
            .is_some_and(|(_, findings)| govscan::hunt::finds_at(findings, args.report.fail_on));
    let hunt_report = hunt.map(|(report, _)| report);
    let errors = engine.snapshot.read_rows("collection_errors").await?;
    let text = render_audit_document(
        args.format,
        args.report.templates.as_deref(),
        &AuditDocument {
            manifest: &engine.manifest,
            framework: &framework,
            checks: &checks,
            results: &results,
            check_report: &check_report,
            hunt: hunt_report.as_ref(),
            errors,
            changes: None,
        },
    )?;
    super::write_output(args.report.output.as_deref(), &text)?;
    Ok(failed)
}

/// What the audit document shows.
pub struct AuditDocument<'a> {
    pub manifest: &'a govscan::store::manifest::Manifest,
    pub framework: &'a govscan::checks::framework::Framework,
    pub checks: &'a [govscan::checks::Check],
    pub results: &'a [govscan::checks::run::CheckResult],
    pub check_report: &'a Report,
    pub hunt: Option<&'a Report>,
    pub errors: Vec<serde_json::Map<String, serde_json::Value>>,
    /// What changed since the previous audit (`govscan audit`), shown first.
    pub changes: Option<&'a govscan::audit::AuditChanges>,
}

/// The audit document as HTML or Markdown, from the built-in template or `templates/`.
pub fn render_audit_document(
    format: ReportFormat,
    templates: Option<&std::path::Path>,
    doc: &AuditDocument<'_>,
) -> Result<String, CommandError> {
    let manifest = doc.manifest;
    let framework = doc.framework;
    let inventory: Vec<(String, u64)> = manifest
        .tables
        .iter()
        .filter(|(name, _)| !name.starts_with("collection_"))
        .map(|(name, entry)| (name.clone(), entry.rows))
        .collect();
    let controls = govscan::checks::verdict::control_verdicts(framework, doc.checks, doc.results);
    let verdicts = govscan::checks::verdict::verdict_counts(&controls);

    let context = context! {
        snapshot_id => manifest.snapshot_id,
        collected_at => manifest.started_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        generated_at => chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        accounts => manifest.accounts.len().max(1),
        regions => manifest.regions,
        inventory => inventory.iter().map(|(n, r)| context! { name => n, rows => r }).collect::<Vec<_>>(),
        framework => context! { title => framework.title, verdicts => verdicts, controls => controls },
        checks => report_context(doc.check_report),
        hunt => doc.hunt.map(report_context),
        errors => doc.errors,
        changes => doc.changes,
    };
    let (name, default, render): (_, _, TemplateRenderer) = match format {
        ReportFormat::Html => (AUDIT_HTML, AUDIT_HTML_TEMPLATE, render_template),
        ReportFormat::Markdown => (
            AUDIT_MARKDOWN,
            AUDIT_MARKDOWN_TEMPLATE,
            govscan::report::markdown::render_template,
        ),
    };
    let template = match templates {
        Some(dir) => {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map_err(|e| CommandError::Usage(format!("{}: {e}", path.display())))?
        }
        None => default.to_owned(),
    };
    render(name, &template, context).map_err(CommandError::Usage)
}
