//! Reports for machines and people, from check results and hunt findings alike: one model
//! ([`Report`]) and one renderer per format behind [`Renderer`].
//!
//! Every string that came from AWS or from logs is attacker-controlled (a user agent, a
//! bucket name, a role session name): each renderer escapes it for its format.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod mutelist;
pub mod ndjson;
pub mod ocsf;
pub mod sarif;
pub mod table;
pub mod terminal;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::framework::Framework;
use crate::checks::run::{CheckResult, Status};
use crate::checks::verdict::{control_verdicts, ControlVerdict};
use crate::checks::Check;
use crate::hunt::{Detection, Finding};
use crate::rules::Severity;
use mutelist::MuteRule;

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
    /// The results as their own kind has them, for the formats that show them as they are
    /// (JSON, NDJSON, the terminal table).
    #[serde(skip)]
    pub detail: Detail,
}

/// Check results or hunt findings with what came with them.
#[derive(Debug, Clone)]
pub enum Detail {
    Checks(CheckDetail),
    Hunt(HuntDetail),
}

#[derive(Debug, Clone)]
pub struct CheckDetail {
    pub snapshot_id: String,
    pub checks: Vec<Check>,
    pub results: Vec<CheckResult>,
    /// The framework the run was about (`check --framework`), whose controls get verdicts.
    pub framework: Option<Framework>,
    /// Mutelist rules past their expiry.
    pub expired_mutes: Vec<MuteRule>,
}

#[derive(Debug, Clone)]
pub struct HuntDetail {
    /// The window, as RFC 3339 times; None for an open edge.
    pub since: Option<String>,
    pub until: Option<String>,
    pub detections: Vec<Detection>,
    pub findings: Vec<Finding>,
    pub expired_mutes: Vec<MuteRule>,
    /// Sigma rules that could not be translated, and why.
    pub sigma_not_run: Vec<crate::hunt::sigma::NotRun>,
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
            detail: Detail::Checks(CheckDetail {
                snapshot_id: snapshot_id.to_owned(),
                checks: checks.to_vec(),
                results: results.to_vec(),
                framework: None,
                expired_mutes: Vec::new(),
            }),
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
                remediation: q.meta.remediation.clone(),
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
            detail: Detail::Hunt(HuntDetail {
                since: None,
                until: None,
                detections: queries.to_vec(),
                findings: findings.to_vec(),
                expired_mutes: Vec::new(),
                sigma_not_run: Vec::new(),
            }),
        }
    }

    /// The framework the checks were run for: its controls get verdicts (in every format).
    pub fn with_framework(mut self, framework: Option<&Framework>) -> Self {
        if let Detail::Checks(d) = &mut self.detail {
            d.framework = framework.cloned();
        }
        self
    }

    /// The framework's controls with their verdicts, when the checks were run for one.
    pub fn control_verdicts(&self) -> Option<(&Framework, Vec<ControlVerdict<'_>>)> {
        match &self.detail {
            Detail::Checks(CheckDetail {
                framework: Some(f),
                checks,
                results,
                ..
            }) => Some((f, control_verdicts(f, checks, results))),
            _ => None,
        }
    }

    /// Mutelist rules past their expiry, which the JSON report lists.
    pub fn with_expired_mutes(mut self, rules: Vec<MuteRule>) -> Self {
        match &mut self.detail {
            Detail::Checks(d) => d.expired_mutes = rules,
            Detail::Hunt(d) => d.expired_mutes = rules,
        }
        self
    }

    /// The hunt window's edges (RFC 3339; None for an open edge).
    pub fn with_window(mut self, since: Option<String>, until: Option<String>) -> Self {
        if let Detail::Hunt(d) = &mut self.detail {
            (d.since, d.until) = (since, until);
        }
        self
    }

    /// Sigma rules that could not be translated, and why.
    pub fn with_sigma_not_run(mut self, not_run: Vec<crate::hunt::sigma::NotRun>) -> Self {
        if let Detail::Hunt(d) = &mut self.detail {
            d.sigma_not_run = not_run;
        }
        self
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

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Table,
    /// One JSON document: the results or findings, a summary, and what came with them.
    Json,
    /// A JSON line per result or finding.
    Ndjson,
    /// SARIF 2.1.0 (GitHub code scanning): a result per FAIL or finding.
    Sarif,
    /// JUnit XML: a test case per resource or finding.
    Junit,
    /// A summary for a pull request or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// A row per result or finding.
    Csv,
    /// One self-contained HTML file.
    Html,
    /// OCSF 1.3 JSON lines (Compliance / Detection Finding) for a security lake.
    Ocsf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Ocsf => "ocsf",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template that does not parse or render (a user's, with `--templates`).
    #[error("{0}")]
    Template(String),
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
}

/// One report format: writes the whole report to `out`.
pub trait Renderer {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError>;
}

/// How the formats that can vary are drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions<'a> {
    /// A folder holding the user's `report.html.j2` / `report.md.j2` in place of the
    /// built-in ones.
    pub templates: Option<&'a std::path::Path>,
    /// Colour in the terminal table.
    pub colour: bool,
}

/// The renderer of `format`.
pub fn renderer(
    format: Format,
    options: RenderOptions<'_>,
) -> Result<Box<dyn Renderer>, RenderError> {
    let template = |name: &str| -> Result<Option<String>, RenderError> {
        let Some(dir) = options.templates else {
            return Ok(None);
        };
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|e| RenderError::Template(format!("{}: {e}", path.display())))
    };
    Ok(match format {
        Format::Table => Box::new(table::Table {
            colour: options.colour,
        }),
        Format::Json => Box::new(json::Json),
        Format::Ndjson => Box::new(ndjson::Ndjson),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Junit => Box::new(junit::Junit),
        Format::Csv => Box::new(csv::Csv),
        Format::Ocsf => Box::new(ocsf::Ocsf),
        Format::Html => Box::new(match template(html::TEMPLATE_NAME)? {
            Some(template) => html::Html { template },
            None => html::Html::default(),
        }),
        Format::Markdown => Box::new(match template(markdown::TEMPLATE_NAME)? {
            Some(template) => markdown::Markdown { template },
            None => markdown::Markdown::default(),
        }),
    })
}

/// `report` as `format`, whole.
pub fn render(
    format: Format,
    report: &Report,
    options: RenderOptions<'_>,
) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    renderer(format, options)?.render(report, &mut out)?;
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A report holding hostile strings in every field that comes from AWS or logs.
    pub fn hostile_report() -> Report {
        let evil = "<script>alert(1)</script> | `x` \u{1b}[2J & \"q\" 'a' =cmd|' /C calc'!A0\nnext";
        let mut report = Report::from_hunt("all of the lake", &[], &[]);
        report.rules = vec![Rule {
            id: "root-activity".into(),
            title: "The root user was used".into(),
            severity: Severity::High,
            description: "d".into(),
            remediation: String::new(),
            tags: vec!["T1078.004".into()],
            source: "queries/initial-access/root-activity.sql".into(),
        }];
        report.items = vec![Item {
            rule_id: "root-activity".into(),
            outcome: Outcome::Finding,
            subject: format!("arn:aws:iam::1:user/{evil}"),
            account_id: Some("111111111111".into()),
            region: Some(evil.into()),
            reason: format!("called with user agent {evil}"),
            time: Some("2024-03-10T10:00:00Z".into()),
            evidence: vec!["e1".into()],
            source_ip_address: Some("203.0.113.7".into()),
        }];
        report
    }

    fn text(format: Format, report: &Report) -> String {
        String::from_utf8(render(format, report, RenderOptions::default()).unwrap()).unwrap()
    }

    #[test]
    fn every_format_renders_hostile_strings_inert() {
        use Format::*;
        let report = hostile_report();
        for format in [Sarif, Junit, Markdown, Csv, Html, Ocsf] {
            let out = text(format, &report);
            assert!(!out.contains('\u{1b}'), "{format:?}: a raw escape sequence");
            assert!(out.contains("root-activity"), "{format:?}");
        }
        // Markup formats carry no markup from the data.
        for format in [Junit, Markdown, Html] {
            let out = text(format, &report);
            assert!(!out.contains("<script>alert"), "{format:?}: raw HTML");
        }
        // JSON carries the exact text, escaped by JSON.
        let sarif: serde_json::Value = serde_json::from_str(&text(Sarif, &report)).unwrap();
        assert_eq!(
            sarif["runs"][0]["results"][0]["message"]["text"],
            report.items[0].reason.as_str()
        );
        // CSV cells that a spreadsheet would run as a formula are defused.
        let csv = text(Csv, &report);
        assert!(!csv.contains(",=cmd"), "{csv}");
    }

    #[test]
    fn a_template_folder_without_the_template_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let options = RenderOptions {
            templates: Some(dir.path()),
            colour: false,
        };
        let err = render(Format::Html, &hostile_report(), options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("report.html.j2"), "{err}");
    }
}
