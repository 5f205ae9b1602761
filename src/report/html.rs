//! One self-contained HTML file: summary by severity with bars, a table per rule, and the
//! results, sortable and filterable, with evidence and remediation. Rendered with minijinja
//! from `reports/report.html.j2` (compiled in; `--templates DIR` uses the user's copy), with
//! autoescaping on, so nothing from AWS or the logs becomes markup.

use minijinja::{context, AutoEscape, Environment};
use serde::Serialize;

use super::{Outcome, RenderError, Renderer, Report};
use crate::rules::Severity;

/// The template compiled into govscan.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../reports/report.html.j2");
pub const TEMPLATE_NAME: &str = "report.html.j2";

pub struct Html {
    /// The template text (the default, or a user's file).
    pub template: String,
}

impl Default for Html {
    fn default() -> Self {
        Self {
            template: DEFAULT_TEMPLATE.to_owned(),
        }
    }
}

fn rank(severity: Severity) -> u8 {
    severity as u8
}

#[derive(Serialize)]
struct SeverityRow {
    name: &'static str,
    rules: usize,
    problems: usize,
    percent: usize,
}

/// What a template sees of one report: `source`, `scope`, `noun` ("failed"/"findings"),
/// `subject`, `problems`, `muted`, `not_assessed`, `severities`, `rules`, `items`.
pub fn report_context(report: &Report) -> minijinja::Value {
    let problems = report.items.iter().filter(|i| i.is_problem()).count();
    let count = |o: Outcome| report.items.iter().filter(|i| i.outcome == o).count();
    let severities: Vec<SeverityRow> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .filter_map(|s| {
        let rules = report.rules.iter().filter(|r| r.severity == s).count();
        (rules > 0).then(|| {
            let n = report
                .items
                .iter()
                .filter(|i| i.is_problem())
                .filter(|i| report.rule(&i.rule_id).is_some_and(|r| r.severity == s))
                .count();
            SeverityRow {
                name: s.as_str(),
                rules,
                problems: n,
                percent: (n * 100).checked_div(problems).unwrap_or(0),
            }
        })
    })
    .collect();
    let rules: Vec<_> = report
        .counts()
        .into_iter()
        .map(|(r, c)| {
            let get = |k: &str| c.get(k).copied().unwrap_or(0);
            context! {
                id => r.id, title => r.title, severity => r.severity.as_str(),
                severity_rank => rank(r.severity), description => r.description,
                remediation => r.remediation, tags => r.tags, source => r.source,
                problems => get("fail") + get("findings"), pass => get("pass"),
                not_assessed => get("not_assessed"), muted => get("muted"),
            }
        })
        .collect();
    let items: Vec<_> = report
        .items
        .iter()
        .filter(|i| i.outcome != Outcome::Pass)
        .map(|i| {
            let severity = report.rule(&i.rule_id).map(|r| r.severity);
            let outcome = serde_json::to_value(i.outcome).expect("json");
            context! {
                outcome => outcome, severity => severity.map(Severity::as_str),
                severity_rank => severity.map(rank), rule_id => i.rule_id,
                title => report.rule(&i.rule_id).map(|r| r.title.as_str()),
                subject => i.subject, account_id => i.account_id, region => i.region,
                time => i.time, source_ip_address => i.source_ip_address,
                reason => i.reason, evidence => i.evidence,
            }
        })
        .collect();
    let source = match report.source {
        super::Source::Check => "check",
        super::Source::Hunt => "hunt",
    };
    context! {
        source => source,
        scope => report.scope,
        noun => if source == "check" { "failed" } else { "findings" },
        subject => if source == "check" { "resource" } else { "principal" },
        problems => problems,
        muted => count(Outcome::Muted),
        not_assessed => count(Outcome::NotAssessed),
        severities => severities,
        rules => rules,
        items => items,
        framework => framework_context(report),
    }
}

/// The framework's title, verdict counts and controls, for templates (None without one).
pub fn framework_context(report: &Report) -> Option<minijinja::Value> {
    report.control_verdicts().map(|(f, controls)| {
        context! {
            id => f.id, title => f.title,
            verdicts => crate::checks::verdict::verdict_counts(&controls),
            controls => minijinja::Value::from_serialize(&controls),
        }
    })
}

/// Renders `template` (named `name`) with `context`, escaping for HTML.
pub fn render_template(
    name: &str,
    template: &str,
    context: minijinja::Value,
) -> Result<String, String> {
    let mut env = Environment::new();
    // A fresh nonce per file: the templates' Content-Security-Policy lets only scripts that
    // carry it run, and whoever wrote the logs cannot know it in advance.
    let context = context! { script_nonce => script_nonce(), ..context };
    // The templates' names end in .j2: escape for HTML explicitly.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template(name, template)
        .map_err(|e| format!("template: {e}"))?;
    env.get_template(name)
        .expect("just added")
        .render(context)
        .map(|html| visible_controls(&html))
        .map_err(|e| format!("template: {e}"))
}

impl Html {
    /// Renders, or says what is wrong with the template.
    pub fn try_render(&self, report: &Report) -> Result<String, String> {
        let context = context! {
            generated_at => chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            ..report_context(report)
        };
        render_template(TEMPLATE_NAME, &self.template, context)
    }
}

/// 128 random bits, hex.
fn script_nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Control characters from the data (a terminal escape in a user agent) shown as `\u{1b}`:
/// browsers ignore them, but a terminal showing the file would obey them.
fn visible_controls(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl Renderer for Html {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let html = self.try_render(report).map_err(RenderError::Template)?;
        out.write_all(html.as_bytes())?;
        Ok(())
    }
}
