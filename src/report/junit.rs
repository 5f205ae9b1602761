//! JUnit XML, for CI test views: a test suite per check or detection, a test case per
//! resource (checks) or finding (hunt); FAIL and findings are failures carrying the reason,
//! NOT_ASSESSED is skipped. A detection that found nothing is one passing case.

use std::fmt::Write;

use super::{Outcome, RenderError, Renderer, Report};

pub struct Junit;

/// Text for XML 1.0: the five entities escaped, and characters XML cannot hold (control
/// characters other than tab and newline) shown as `\u{..}`.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                write!(out, "\\u{{{:x}}}", c as u32).expect("write to string")
            }
            c => out.push(c),
        }
    }
    out
}

impl Renderer for Junit {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        out.write_all(self.text(report).as_bytes())?;
        Ok(())
    }
}

impl Junit {
    /// The whole document.
    pub fn text(&self, report: &Report) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let problems = report.items.iter().filter(|i| i.is_problem()).count();
        writeln!(
            out,
            "<testsuites name=\"govscan\" tests=\"{}\" failures=\"{problems}\">",
            report.items.len().max(1)
        )
        .expect("write");
        for (rule, counts) in report.counts() {
            let items: Vec<_> = report
                .items
                .iter()
                .filter(|i| i.rule_id == rule.id)
                .collect();
            let failures = counts.get("fail").unwrap_or(&0) + counts.get("findings").unwrap_or(&0);
            let skipped = counts.get("not_assessed").unwrap_or(&0);
            writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
                xml_escape(&rule.id),
                items.len().max(1)
            )
            .expect("write");
            if items.is_empty() {
                writeln!(
                    out,
                    "    <testcase classname=\"{}\" name=\"nothing found\"/>",
                    xml_escape(&rule.id)
                )
                .expect("write");
            }
            for item in items {
                let name = format!(
                    "{}{}{}",
                    item.subject,
                    item.account_id
                        .as_deref()
                        .map(|a| format!(" ({a}"))
                        .unwrap_or_default()
                        + if item.account_id.is_some() { ")" } else { "" },
                    item.time
                        .as_deref()
                        .map(|t| format!(" at {t}"))
                        .unwrap_or_default()
                );
                write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml_escape(&rule.id),
                    xml_escape(&name)
                )
                .expect("write");
                match item.outcome {
                    Outcome::Pass => out.push_str("/>\n"),
                    Outcome::NotAssessed | Outcome::Muted => writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(&item.reason)
                    )
                    .expect("write"),
                    Outcome::Fail | Outcome::Finding => writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(&item.reason),
                        rule.severity.as_str(),
                        xml_escape(&format!(
                            "{}\n{}{}",
                            rule.title,
                            item.reason,
                            if item.evidence.is_empty() {
                                String::new()
                            } else {
                                format!("\nevents: {}", item.evidence.join(", "))
                            }
                        ))
                    )
                    .expect("write"),
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}
