//! Markdown, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: counts per severity, a
//! line per rule with problems, then the problems. Cell text is escaped so data cannot add
//! columns, markup or HTML.

use std::fmt::Write;

use super::{Outcome, Renderer, Report};
use crate::checks::Severity;

pub struct Markdown;

/// Text for one Markdown table cell: HTML and Markdown punctuation escaped, line breaks
/// and control characters made visible.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '`' | '*' | '_' | '[' | ']' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).expect("write"),
            c => out.push(c),
        }
    }
    out
}

impl Renderer for Markdown {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        let problems: Vec<_> = report.items.iter().filter(|i| i.is_problem()).collect();
        let noun = match report.source {
            super::Source::Check => "failed",
            super::Source::Hunt => "findings",
        };
        writeln!(
            out,
            "## govscan: {} {noun} ({})\n",
            problems.len(),
            cell(&report.scope)
        )
        .expect("write");
        out.push_str("| severity | rules | ");
        out.push_str(noun);
        out.push_str(" |\n| --- | --- | --- |\n");
        for severity in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ] {
            let rules = report
                .rules
                .iter()
                .filter(|r| r.severity == severity)
                .count();
            if rules == 0 {
                continue;
            }
            let n = problems
                .iter()
                .filter(|i| {
                    report
                        .rule(&i.rule_id)
                        .is_some_and(|r| r.severity == severity)
                })
                .count();
            writeln!(out, "| {} | {rules} | {n} |", severity.as_str()).expect("write");
        }
        let not_assessed = report
            .items
            .iter()
            .filter(|i| i.outcome == Outcome::NotAssessed)
            .count();
        let muted = report
            .items
            .iter()
            .filter(|i| i.outcome == Outcome::Muted)
            .count();
        if muted > 0 {
            writeln!(
                out,
                "\n{muted} result(s) muted by the mutelist (accepted risks)."
            )
            .expect("write");
        }
        if not_assessed > 0 {
            writeln!(
                out,
                "\n{not_assessed} result(s) could not be assessed (collection failed): they are not passes."
            )
            .expect("write");
        }
        if problems.is_empty() {
            out.push_str("\nNothing to report.\n");
            return out;
        }
        out.push_str("\n| severity | rule | subject | account | region | reason |\n| --- | --- | --- | --- | --- | --- |\n");
        let mut sorted = problems;
        sorted.sort_by_key(|i| std::cmp::Reverse(report.rule(&i.rule_id).map(|r| r.severity)));
        for item in sorted {
            let rule = report.rule(&item.rule_id);
            writeln!(
                out,
                "| {} | `{}` {} | {} | {} | {} | {} |",
                rule.map_or("", |r| r.severity.as_str()),
                item.rule_id,
                rule.map(|r| cell(&r.title)).unwrap_or_default(),
                cell(&item.subject),
                cell(item.account_id.as_deref().unwrap_or("")),
                cell(item.region.as_deref().unwrap_or("")),
                cell(&item.reason)
            )
            .expect("write");
        }
        out
    }
}
