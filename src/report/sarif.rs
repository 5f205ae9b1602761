//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one rule per check or
//! detection with its metadata, one result per FAIL or finding, the resource (or principal)
//! as a logical location and the rule's SQL file as the physical one (viewers need a file).
//! With a framework, the run's properties carry each control's verdict.

use serde_json::{json, Value};

use super::{Outcome, RenderError, Renderer, Report};
use crate::rules::Severity;

pub struct Sarif;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0-10): it sorts and labels alerts by it.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A stable fingerprint of a result, so viewers track it across runs.
fn fingerprint(parts: &[&str]) -> String {
    // FNV-1a: stable across Rust versions, unlike DefaultHasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

impl Renderer for Sarif {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        out.write_all(self.text(report).as_bytes())?;
        Ok(())
    }
}

impl Sarif {
    /// The whole document.
    pub fn text(&self, report: &Report) -> String {
        let rules: Vec<Value> = report
            .rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "name": r.title,
                    "shortDescription": {"text": r.title},
                    "fullDescription": {"text": r.description},
                    "help": {"text": if r.remediation.is_empty() { &r.description } else { &r.remediation }},
                    "defaultConfiguration": {"level": level(r.severity)},
                    "properties": {
                        "tags": std::iter::once("security".to_owned()).chain(r.tags.iter().cloned()).collect::<Vec<_>>(),
                        "security-severity": security_severity(r.severity),
                        "precision": "high",
                    },
                })
            })
            .collect();
        let results: Vec<Value> = report
            .items
            .iter()
            .filter(|i| i.is_problem() || i.outcome == Outcome::Muted)
            .filter_map(|item| {
                let index = report.rules.iter().position(|r| r.id == item.rule_id)?;
                let rule = &report.rules[index];
                let mut result = json!({
                    "ruleId": rule.id,
                    "ruleIndex": index,
                    "level": level(rule.severity),
                    "message": {"text": item.reason},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": rule.source},
                            "region": {"startLine": 1},
                        },
                        "logicalLocations": [{
                            "name": item.subject,
                            "fullyQualifiedName": item.subject,
                            "kind": if item.outcome == Outcome::Finding { "principal" } else { "resource" },
                        }],
                    }],
                    "partialFingerprints": {
                        "govscan/v1": fingerprint(&[&rule.id, &item.subject, item.account_id.as_deref().unwrap_or(""),
                            item.region.as_deref().unwrap_or(""), item.time.as_deref().unwrap_or("")]),
                    },
                    "properties": {
                        "account_id": item.account_id,
                        "region": item.region,
                    },
                });
                if item.outcome == Outcome::Muted {
                    // Viewers hide suppressed results but keep them, with the justification.
                    result["suppressions"] = json!([{"kind": "external", "justification": item.reason}]);
                }
                if !item.evidence.is_empty() {
                    result["properties"]["event_time"] = json!(item.time);
                    result["properties"]["event_ids"] = json!(item.evidence);
                    result["properties"]["source_ip_address"] = json!(item.source_ip_address);
                }
                Some(result)
            })
            .collect();
        let not_assessed = report
            .items
            .iter()
            .filter(|i| i.outcome == Outcome::NotAssessed)
            .count();
        let mut properties = json!({"scope": report.scope, "not_assessed": not_assessed});
        if let Some((framework, controls)) = report.control_verdicts() {
            properties["framework"] = json!({
                "id": framework.id,
                "title": framework.title,
                "verdicts": crate::checks::verdict::verdict_counts(&controls),
                "controls": controls,
            });
        }
        let sarif = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "govscan",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/govscan/govscan",
                    "rules": rules,
                }},
                "results": results,
                "properties": properties,
            }],
        });
        serde_json::to_string_pretty(&sarif).expect("json") + "\n"
    }
}
