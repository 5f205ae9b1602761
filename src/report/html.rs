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
        coverage => coverage_context(report),
    }
}

/// For a hunt: the ATT&CK matrix of the detections that ran, one column per tactic they
/// cover, each technique with its detections and how many findings they made.
pub fn coverage_context(report: &Report) -> Option<minijinja::Value> {
    let super::Detail::Hunt(hunt) = &report.detail else {
        return None;
    };
    let findings_of = |ids: &[String]| {
        report
            .items
            .iter()
            .filter(|i| i.is_problem() && ids.contains(&i.rule_id))
            .count()
    };
    let tactics: Vec<_> = crate::hunt::coverage(&hunt.detections)
        .into_iter()
        .filter(|t| !t.techniques.is_empty())
        .map(|t| {
            let techniques: Vec<_> = t
                .techniques
                .iter()
                .map(|(id, detections)| {
                    context! { id => id, detections => detections, findings => findings_of(detections) }
                })
                .collect();
            context! { id => t.tactic, name => t.name, techniques => techniques }
        })
        .collect();
    (!tactics.is_empty()).then(|| context! { tactics => tactics })
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
/// browsers ignore them, but a terminal showing the file would obey them; bidi overrides
/// too, which a browser would obey.
fn visible_controls(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || super::terminal::invisible(c) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The hunt report's matrix: the tactics the detections cover, a technique's findings
    /// counted from the detections tagged with it; a check report has none.
    #[test]
    fn the_coverage_matrix_counts_findings_per_technique() {
        let detections: Vec<_> = crate::hunt::builtin_detections()
            .unwrap()
            .into_iter()
            .filter(|d| ["ssm-send-command", "vpc-flow-logs-deleted"].contains(&d.meta.id.as_str()))
            .collect();
        let finding = crate::hunt::Finding {
            query_id: "ssm-send-command".into(),
            title: String::new(),
            severity: Severity::Medium,
            tactics: vec![],
            techniques: vec![],
            event_time: None,
            account_id: None,
            region: None,
            principal: Some("arn:aws:iam::1:user/a".into()),
            source_ip_address: None,
            event_ids: vec!["e1".into()],
            reason: None,
            muted: None,
        };
        let report = Report::from_hunt("all", &detections, &[finding]);
        let matrix = coverage_context(&report).expect("a matrix");
        let text = matrix.to_string();
        // ssm-send-command: Execution and Lateral Movement, T1651 with one finding;
        // vpc-flow-logs-deleted: Defense Evasion, T1562.008 with none.
        for expected in ["TA0002", "TA0008", "TA0005", "T1651", "T1562.008"] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let tactics = matrix.get_attr("tactics").unwrap();
        let execution = tactics.get_item(&minijinja::Value::from(0)).unwrap();
        assert_eq!(execution.get_attr("id").unwrap().to_string(), "TA0002");
        let t1651 = execution
            .get_attr("techniques")
            .unwrap()
            .try_iter()
            .unwrap()
            .find(|t| t.get_attr("id").unwrap().to_string() == "T1651")
            .unwrap();
        assert_eq!(t1651.get_attr("findings").unwrap().to_string(), "1");
        assert!(coverage_context(&Report::from_checks("s", &[], &[])).is_none());
    }
}
