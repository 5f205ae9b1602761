//! The terminal tables of `check` and `hunt`: a line per check with its verdict (and the
//! framework's controls), or a block per detection with its findings. Every value from AWS
//! or the logs is escaped (it is attacker-controlled); only govscan's own words are painted.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::terminal::{columns, escape_for_terminal, Painter};
use super::{Detail, RenderError, Renderer, Report};
use crate::checks::framework::Framework;
use crate::checks::run::{CheckResult, Status};
use crate::checks::verdict::{verdict_counts, ControlVerdict, Counts};
use crate::checks::Check;
use crate::hunt::{Detection, Finding};

pub struct Table {
    /// Paint statuses and severities (a terminal, without NO_COLOR).
    pub colour: bool,
}

impl Renderer for Table {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let paint = Painter { on: self.colour };
        let text = match &report.detail {
            Detail::Checks(d) => {
                let mut text = checks(&d.checks, &d.results, paint);
                if let Some((f, verdicts)) = report.control_verdicts() {
                    text.push_str(&controls(f, &verdicts, paint));
                }
                text
            }
            Detail::Hunt(d) => hunt(&d.detections, &d.findings, paint),
        };
        out.write_all(text.as_bytes())?;
        Ok(())
    }
}

fn checks(checks: &[Check], results: &[CheckResult], paint: Painter) -> String {
    let mut counts: BTreeMap<&str, Counts> = BTreeMap::new();
    for r in results {
        counts.entry(&r.check_id).or_default().add(r.status);
    }
    let rows = checks
        .iter()
        .map(|c| {
            let n = counts.get(c.meta.id.as_str()).copied().unwrap_or_default();
            let status = n.status().as_str();
            let controls: Vec<String> = c.meta.frameworks.values().flatten().cloned().collect();
            let total = n.pass + n.fail + n.not_assessed;
            let mut result = format!("{} of {total} fail", n.fail);
            if n.not_assessed > 0 {
                write!(result, ", {} not assessed", n.not_assessed).expect("write");
            }
            vec![
                paint.status(status),
                paint.severity(c.meta.severity, c.meta.severity.as_str()),
                escape_for_terminal(&c.meta.id),
                escape_for_terminal(&controls.join(",")),
                result,
            ]
        })
        .collect();
    let mut out = columns(&["STATUS", "SEVERITY", "CHECK", "CONTROLS", "RESULT"], rows);
    let failing: Vec<Vec<String>> = results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .map(|r| {
            vec![
                paint.status(r.status.as_str()),
                escape_for_terminal(&r.check_id),
                escape_for_terminal(&r.account_id),
                escape_for_terminal(r.region.as_deref().unwrap_or("-")),
                format!(
                    "{}: {}",
                    escape_for_terminal(&r.resource_id),
                    escape_for_terminal(&r.reason)
                ),
            ]
        })
        .collect();
    if !failing.is_empty() {
        out.push_str("\nFAIL and NOT_ASSESSED resources:\n");
        out.push_str(&columns(
            &["STATUS", "CHECK", "ACCOUNT", "REGION", "RESOURCE: REASON"],
            failing,
        ));
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

/// The framework's controls: verdict, profile level, the benchmark's assessment status,
/// and what decided the verdict.
fn controls(framework: &Framework, verdicts: &[ControlVerdict], paint: Painter) -> String {
    let rows = verdicts
        .iter()
        .map(|c| {
            let detail = match (&c.reason, c.checks.is_empty()) {
                (Some(why), true) => why.clone(),
                (Some(why), false) => format!(
                    "{why}; evidence: {} pass, {} fail, {} not assessed",
                    c.counts.pass, c.counts.fail, c.counts.not_assessed
                ),
                (None, _) => format!(
                    "{} pass, {} fail, {} not assessed",
                    c.counts.pass, c.counts.fail, c.counts.not_assessed
                ),
            };
            vec![
                c.control.to_owned(),
                paint.status(c.status.as_str()),
                format!("L{}", c.level),
                c.assessment.as_str().to_owned(),
                format!("{} ({detail})", c.title),
            ]
        })
        .collect();
    let mut out = format!("\n{}\n", framework.title);
    out.push_str(&columns(
        &["CONTROL", "VERDICT", "LEVEL", "CIS", "TITLE (WHY)"],
        rows,
    ));
    let summary: Vec<String> = verdict_counts(verdicts)
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    writeln!(out, "\n{} controls: {}", verdicts.len(), summary.join(", ")).expect("write");
    out
}

/// A line per detection that found something, then its findings. Every value from the
/// logs is escaped: CloudTrail fields are attacker-controlled.
fn hunt(queries: &[Detection], findings: &[Finding], paint: Painter) -> String {
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
