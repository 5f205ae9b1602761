//! Reports for machines and people, from check results and hunt findings alike: one model
//! ([`Report`]) and one renderer per format behind [`Renderer`].
//!
//! Every string that came from AWS or from logs is attacker-controlled (a user agent, a
//! bucket name, a role session name): each renderer escapes it for its format.

pub mod csv;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod mutelist;
pub mod ocsf;
pub mod sarif;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::run::{CheckResult, Status};
use crate::checks::Check;
use crate::hunt::{Detection, Finding};
use crate::rules::Severity;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Check,
    Hunt,
}

/// A check or a detection, as a report describes it.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    /// What to do (checks); empty for detections.
    pub remediation: String,
    /// Framework controls (`cis-aws-5.0 1.4`) or ATT&CK ids.
    pub tags: Vec<String>,
    /// The file it came from, e.g. `checks/iam/root-mfa.sql`.
    pub source: String,
}

/// The outcome of one rule for one resource or finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Pass,
    Fail,
    NotAssessed,
    /// A hunt finding.
    Finding,
    /// A FAIL or finding suppressed by a mutelist rule (the reason says which).
    Muted,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub rule_id: String,
    pub outcome: Outcome,
    /// The resource (checks) or the principal (hunt findings).
    pub subject: String,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub reason: String,
    /// When (hunt findings).
    pub time: Option<String>,
    /// Event ids (hunt findings).
    pub evidence: Vec<String>,
    pub source_ip_address: Option<String>,
}

impl Item {
    /// Fails and findings are what a report is for.
    pub fn is_problem(&self) -> bool {
        matches!(self.outcome, Outcome::Fail | Outcome::Finding)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub source: Source,
    /// The snapshot id (checks) or the window (hunt).
    pub scope: String,
    pub rules: Vec<Rule>,
    pub items: Vec<Item>,
}

impl Report {
    pub fn from_checks(snapshot_id: &str, checks: &[Check], results: &[CheckResult]) -> Self {
        let rules = checks
            .iter()
            .map(|c| Rule {
                id: c.meta.id.clone(),
                title: c.meta.title.clone(),
                severity: c.meta.severity,
                description: c.meta.description.clone(),
                remediation: c.meta.remediation.clone(),
                tags: c
                    .meta
                    .frameworks
                    .iter()
                    .flat_map(|(f, controls)| controls.iter().map(move |c| format!("{f} {c}")))
                    .collect(),
                source: c.source.display().to_string(),
            })
            .collect();
        let items = results
            .iter()
            .map(|r| Item {
                rule_id: r.check_id.clone(),
                outcome: match r.status {
                    Status::Pass => Outcome::Pass,
                    Status::Fail => Outcome::Fail,
                    Status::NotAssessed => Outcome::NotAssessed,
                    Status::Muted => Outcome::Muted,
                },
                subject: r.resource_id.clone(),
                account_id: Some(r.account_id.clone()),
                region: r.region.clone(),
                reason: r.reason.clone(),
                time: None,
                evidence: Vec::new(),
                source_ip_address: None,
            })
            .collect();
        Report {
            source: Source::Check,
            scope: format!("snapshot {snapshot_id}"),
            rules,
            items,
        }
    }

    pub fn from_hunt(window: &str, queries: &[Detection], findings: &[Finding]) -> Self {
        let rules = queries
            .iter()
            .map(|q| Rule {
                id: q.meta.id.clone(),
                title: q.meta.title.clone(),
                severity: q.meta.severity,
                description: q.meta.description.clone(),
                remediation: String::new(),
                tags: q
                    .meta
                    .mitre
                    .tactics
                    .iter()
                    .chain(&q.meta.mitre.techniques)
                    .cloned()
                    .collect(),
                source: q.source.display().to_string(),
            })
            .collect();
        let items = findings
            .iter()
            .map(|f| Item {
                rule_id: f.query_id.clone(),
                outcome: if f.muted.is_some() {
                    Outcome::Muted
                } else {
                    Outcome::Finding
                },
                subject: f
                    .principal
                    .clone()
                    .unwrap_or_else(|| "unknown principal".into()),
                account_id: f.account_id.clone(),
                region: f.region.clone(),
                reason: match &f.muted {
                    Some(why) => format!("muted ({why}): {}", f.reason.clone().unwrap_or_default()),
                    None => f.reason.clone().unwrap_or_default(),
                },
                time: f.event_time.clone(),
                evidence: f.event_ids.clone(),
                source_ip_address: f.source_ip_address.clone(),
            })
            .collect();
        Report {
            source: Source::Hunt,
            scope: window.to_owned(),
            rules,
            items,
        }
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Counts of each outcome per rule, in rule order.
    pub fn counts(&self) -> Vec<(&Rule, BTreeMap<&'static str, usize>)> {
        self.rules
            .iter()
            .map(|rule| {
                let mut counts = BTreeMap::new();
                for item in self.items.iter().filter(|i| i.rule_id == rule.id) {
                    let key = match item.outcome {
                        Outcome::Pass => "pass",
                        Outcome::Fail => "fail",
                        Outcome::NotAssessed => "not_assessed",
                        Outcome::Finding => "findings",
                        Outcome::Muted => "muted",
                    };
                    *counts.entry(key).or_insert(0) += 1;
                }
                (rule, counts)
            })
            .collect()
    }
}

/// Renders `report` as `format`; for HTML and Markdown, `templates` is a folder holding the
/// user's `report.html.j2` / `report.md.j2` in place of the built-in one.
pub fn render(
    format: &str,
    report: &Report,
    templates: Option<&std::path::Path>,
) -> Result<String, String> {
    if let Some(dir) = templates {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|text| (path.clone(), text))
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        match format {
            "html" => {
                let (path, template) = read(html::TEMPLATE_NAME)?;
                return html::Html { template }
                    .try_render(report)
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
            "markdown" => {
                let (path, template) = read(markdown::TEMPLATE_NAME)?;
                return markdown::Markdown::try_render(report, &template)
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
            _ => {}
        }
    }
    let renderer = renderer(format).ok_or_else(|| format!("no renderer for {format}"))?;
    Ok(renderer.render(report))
}

/// A report format.
pub trait Renderer {
    fn render(&self, report: &Report) -> String;
}

/// The renderer of a format name.
pub fn renderer(format: &str) -> Option<Box<dyn Renderer>> {
    Some(match format {
        "sarif" => Box::new(sarif::Sarif),
        "junit" => Box::new(junit::Junit),
        "markdown" => Box::new(markdown::Markdown),
        "csv" => Box::new(csv::Csv),
        "html" => Box::new(html::Html::default()),
        "ocsf" => Box::new(ocsf::Ocsf),
        _ => return None,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A report holding hostile strings in every field that comes from AWS or logs.
    pub fn hostile_report() -> Report {
        let evil = "<script>alert(1)</script> | `x` \u{1b}[2J & \"q\" 'a' =cmd|' /C calc'!A0\nnext";
        Report {
            source: Source::Hunt,
            scope: "all of the lake".into(),
            rules: vec![Rule {
                id: "root-activity".into(),
                title: "The root user was used".into(),
                severity: Severity::High,
                description: "d".into(),
                remediation: String::new(),
                tags: vec!["T1078.004".into()],
                source: "queries/initial-access/root-activity.sql".into(),
            }],
            items: vec![Item {
                rule_id: "root-activity".into(),
                outcome: Outcome::Finding,
                subject: format!("arn:aws:iam::1:user/{evil}"),
                account_id: Some("111111111111".into()),
                region: Some(evil.into()),
                reason: format!("called with user agent {evil}"),
                time: Some("2024-03-10T10:00:00Z".into()),
                evidence: vec!["e1".into()],
                source_ip_address: Some("203.0.113.7".into()),
            }],
        }
    }

    #[test]
    fn every_format_renders_hostile_strings_inert() {
        let report = hostile_report();
        for format in ["sarif", "junit", "markdown", "csv", "html", "ocsf"] {
            let out = renderer(format).unwrap().render(&report);
            assert!(!out.contains('\u{1b}'), "{format}: a raw escape sequence");
            assert!(out.contains("root-activity"), "{format}");
        }
        // Markup formats carry no markup from the data.
        for format in ["junit", "markdown", "html"] {
            let out = renderer(format).unwrap().render(&report);
            assert!(!out.contains("<script>alert"), "{format}: raw HTML");
        }
        // JSON carries the exact text, escaped by JSON.
        let sarif: serde_json::Value =
            serde_json::from_str(&renderer("sarif").unwrap().render(&report)).unwrap();
        assert_eq!(
            sarif["runs"][0]["results"][0]["message"]["text"],
            report.items[0].reason.as_str()
        );
        // CSV cells that a spreadsheet would run as a formula are defused.
        let csv = renderer("csv").unwrap().render(&report);
        assert!(!csv.contains(",=cmd"), "{csv}");
    }
}
