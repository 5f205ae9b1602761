//! JUnit XML, for CI test views: a test suite per check or detection, a test case per
//! resource (checks) or finding (hunt); FAIL and findings are failures carrying the reason,
//! NOT_ASSESSED is skipped. A detection that found nothing, or a check that evaluated no
//! resource, is one passing case. With a framework, one more suite has a case per control:
//! FAIL fails, NOT_ASSESSED is an error (the data could not be read), MANUAL, NOT_COLLECTED
//! and NO_RESOURCES are skipped with the verdict in the message. Written with quick-xml,
//! which escapes every value.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::{Outcome, RenderError, Renderer, Report};
use crate::checks::verdict::{ControlStatus, ControlVerdict};

pub struct Junit;

/// Text XML 1.0 can hold: characters it cannot (control characters other than tab and
/// newline, U+FFFE, U+FFFF) shown as `\u{..}`. quick-xml escapes the markup characters.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' => c.to_string(),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                format!("\\u{{{:x}}}", c as u32)
            }
            c => c.to_string(),
        })
        .collect()
}

impl Renderer for Junit {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        out.write_all(self.text(report).as_bytes())?;
        Ok(())
    }
}

/// A test case's end: passed, failed (message, type, body), an error, or skipped.
enum Case {
    Passed,
    Failed {
        message: String,
        kind: String,
        body: String,
    },
    Error(String),
    Skipped(String),
}

struct Doc {
    writer: Writer<Vec<u8>>,
}

impl Doc {
    fn write(&mut self, event: Event) {
        // Writing to a Vec cannot fail.
        self.writer.write_event(event).expect("write to memory");
    }

    fn open(&mut self, name: &str, attributes: &[(&str, String)]) {
        let element = element(name, attributes);
        self.write(Event::Start(element));
    }

    fn close(&mut self, name: &str) {
        self.write(Event::End(BytesEnd::new(name)));
    }

    fn case(&mut self, classname: &str, name: &str, case: Case) {
        let attributes = [
            ("classname", classname.to_owned()),
            ("name", name.to_owned()),
        ];
        if let Case::Passed = case {
            return self.empty("testcase", &attributes);
        }
        self.open("testcase", &attributes);
        match case {
            Case::Passed => {}
            Case::Failed {
                message,
                kind,
                body,
            } => {
                self.open("failure", &[("message", message), ("type", kind)]);
                self.write(Event::Text(BytesText::new(&xml_text(&body))));
                self.close("failure");
            }
            Case::Error(message) => self.empty("error", &[("message", message)]),
            Case::Skipped(message) => self.empty("skipped", &[("message", message)]),
        }
        self.close("testcase");
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, String)]) {
        let element = element(name, attributes);
        self.write(Event::Empty(element));
    }
}

/// An element with its attributes, their values made holdable (quick-xml escapes them).
fn element<'a>(name: &'a str, attributes: &[(&'a str, String)]) -> BytesStart<'a> {
    let mut element = BytesStart::new(name);
    for (key, value) in attributes {
        element.push_attribute((*key, xml_text(value).as_str()));
    }
    element
}

impl Junit {
    /// The whole document.
    pub fn text(&self, report: &Report) -> String {
        let mut doc = Doc {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
        };
        doc.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let problems = report.items.iter().filter(|i| i.is_problem()).count();
        let controls = report.control_verdicts();
        let control_cases = controls.as_ref().map_or(0, |(_, c)| c.len());
        doc.open(
            "testsuites",
            &[
                ("name", "govscan".to_owned()),
                (
                    "tests",
                    (report.items.len().max(1) + control_cases).to_string(),
                ),
                ("failures", problems.to_string()),
            ],
        );
        for (rule, counts) in report.counts() {
            let items: Vec<_> = report
                .items
                .iter()
                .filter(|i| i.rule_id == rule.id)
                .collect();
            let failures = counts.get("fail").unwrap_or(&0) + counts.get("findings").unwrap_or(&0);
            let skipped = counts.get("not_assessed").unwrap_or(&0);
            doc.open(
                "testsuite",
                &[
                    ("name", rule.id.clone()),
                    ("tests", items.len().max(1).to_string()),
                    ("failures", failures.to_string()),
                    ("skipped", skipped.to_string()),
                ],
            );
            if items.is_empty() {
                let name = match report.source {
                    super::Source::Check => "no resources",
                    super::Source::Hunt => "nothing found",
                };
                doc.case(&rule.id, name, Case::Passed);
            }
            for item in items {
                let name = format!(
                    "{}{}{}",
                    item.subject,
                    item.account_id
                        .as_deref()
                        .map(|a| format!(" ({a})"))
                        .unwrap_or_default(),
                    item.time
                        .as_deref()
                        .map(|t| format!(" at {t}"))
                        .unwrap_or_default()
                );
                let case = match item.outcome {
                    Outcome::Pass => Case::Passed,
                    Outcome::NotAssessed | Outcome::Muted => Case::Skipped(item.reason.clone()),
                    Outcome::Fail | Outcome::Finding => Case::Failed {
                        message: item.reason.clone(),
                        kind: rule.severity.as_str().to_owned(),
                        body: format!(
                            "{}\n{}{}",
                            rule.title,
                            item.reason,
                            if item.evidence.is_empty() {
                                String::new()
                            } else {
                                format!("\nevents: {}", item.evidence.join(", "))
                            }
                        ),
                    },
                };
                doc.case(&rule.id, &name, case);
            }
            doc.close("testsuite");
        }
        if let Some((framework, verdicts)) = &controls {
            control_suite(&mut doc, &framework.id, verdicts);
        }
        doc.close("testsuites");
        let mut text = String::from_utf8(doc.writer.into_inner()).expect("XML of UTF-8 text");
        text.push('\n');
        text
    }
}

/// The framework's suite: a case per control, its verdict as JUnit shows it.
fn control_suite(doc: &mut Doc, framework_id: &str, verdicts: &[ControlVerdict]) {
    let count = |s: &[ControlStatus]| verdicts.iter().filter(|v| s.contains(&v.status)).count();
    doc.open(
        "testsuite",
        &[
            ("name", framework_id.to_owned()),
            ("tests", verdicts.len().to_string()),
            ("failures", count(&[ControlStatus::Fail]).to_string()),
            ("errors", count(&[ControlStatus::NotAssessed]).to_string()),
            (
                "skipped",
                count(&[
                    ControlStatus::Manual,
                    ControlStatus::NotCollected,
                    ControlStatus::NoResources,
                ])
                .to_string(),
            ),
        ],
    );
    for v in verdicts {
        let name = format!("{} {}", v.control, v.title);
        let why = |default: String| v.reason.clone().unwrap_or(default);
        let case = match v.status {
            ControlStatus::Pass => Case::Passed,
            ControlStatus::Fail => Case::Failed {
                message: format!(
                    "FAIL: {} of {} results fail",
                    v.counts.fail,
                    v.counts.pass + v.counts.fail + v.counts.not_assessed
                ),
                kind: "FAIL".to_owned(),
                body: format!("checks: {}", v.checks.join(", ")),
            },
            ControlStatus::NotAssessed => Case::Error(format!(
                "NOT_ASSESSED: {}",
                why(format!(
                    "{} result(s) could not be assessed",
                    v.counts.not_assessed
                ))
            )),
            status => Case::Skipped(format!(
                "{}: {}",
                status.as_str(),
                why("its checks evaluated no resource".to_owned())
            )),
        };
        doc.case(framework_id, &name, case);
    }
    doc.close("testsuite");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_cannot_hold_are_shown() {
        assert_eq!(xml_text("a\u{1b}[2Jb\tc"), "a\\u{1b}[2Jb\tc");
    }
}
