//! OCSF 1.3 events, one JSON object per line, for a security lake: check results as
//! Compliance Findings (class 2003), hunt findings as Detection Findings (class 2004).

use serde_json::{json, Value};

use super::{Item, Outcome, RenderError, Renderer, Report, Rule, Source};
use crate::checks::verdict::{ControlStatus, ControlVerdict};
use crate::rules::Severity;

pub struct Ocsf;

const OCSF_VERSION: &str = "1.3.0";

fn severity_id(s: Severity) -> u8 {
    match s {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// Milliseconds since the epoch of an RFC 3339 time, else of now.
fn time_ms(time: Option<&str>) -> i64 {
    time.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
}

fn common(rule: &Rule, item: &Item, class_uid: u32, class_name: &str) -> Value {
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": class_uid,
        "class_name": class_name,
        "type_uid": class_uid * 100 + 1,
        "severity_id": severity_id(rule.severity),
        "severity": severity_name(rule.severity),
        "time": time_ms(item.time.as_deref()),
        "message": item.reason,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "govscan", "vendor_name": "govscan", "version": env!("CARGO_PKG_VERSION")},
        },
        "cloud": {
            "provider": "AWS",
            "region": item.region,
            "account": {"uid": item.account_id, "type": "AWS Account", "type_id": 10},
        },
        "finding_info": {
            "uid": format!("{}:{}:{}", rule.id, item.subject, item.time.as_deref().unwrap_or("")),
            "title": rule.title,
            "desc": rule.description,
            "types": [rule.id],
        },
    })
}

impl Renderer for Ocsf {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        out.write_all(self.text(report).as_bytes())?;
        Ok(())
    }
}

impl Ocsf {
    /// The whole document.
    pub fn text(&self, report: &Report) -> String {
        let mut out = String::new();
        for item in &report.items {
            let Some(rule) = report.rule(&item.rule_id) else {
                continue;
            };
            let event = match report.source {
                Source::Check => {
                    let mut e = common(rule, item, 2003, "Compliance Finding");
                    let (status, status_id) = match item.outcome {
                        Outcome::Pass => ("Pass", 1),
                        Outcome::Fail => ("Fail", 3),
                        // "Unknown" is OCSF's 0: not assessed is never a pass.
                        _ => ("Unknown", 0),
                    };
                    e["compliance"] = json!({
                        "control": rule.id,
                        "standards": rule.tags.iter().filter_map(|t| t.split_once(' ').map(|(f, _)| f.to_owned())).collect::<Vec<_>>(),
                        "requirements": rule.tags,
                        "status": status,
                        "status_id": status_id,
                    });
                    e["resources"] = json!([{"uid": item.subject, "region": item.region,
                                             "owner": {"account": {"uid": item.account_id}}}]);
                    if !rule.remediation.is_empty() {
                        e["remediation"] = json!({"desc": rule.remediation});
                    }
                    if item.outcome == Outcome::Muted {
                        e["status"] = json!("Suppressed");
                        e["status_id"] = json!(3);
                    }
                    e
                }
                Source::Hunt => {
                    let mut e = common(rule, item, 2004, "Detection Finding");
                    let (tactics, techniques): (Vec<&String>, Vec<&String>) =
                        rule.tags.iter().partition(|t| t.starts_with("TA"));
                    e["finding_info"]["attacks"] = json!(techniques
                        .iter()
                        .map(|t| json!({"technique": {"uid": t}, "tactics": tactics.iter().map(|ta| json!({"uid": ta})).collect::<Vec<_>>()}))
                        .collect::<Vec<_>>());
                    e["finding_info"]["related_events"] = json!(item
                        .evidence
                        .iter()
                        .map(|id| json!({"uid": id, "product_uid": "cloudtrail"}))
                        .collect::<Vec<_>>());
                    e["actor"] = json!({"user": {"uid": item.subject}});
                    e["src_endpoint"] = json!({"ip": item.source_ip_address});
                    e["status"] = json!(if item.outcome == Outcome::Muted {
                        "Suppressed"
                    } else {
                        "New"
                    });
                    e["status_id"] = json!(if item.outcome == Outcome::Muted { 3 } else { 1 });
                    e
                }
            };
            out.push_str(&serde_json::to_string(&event).expect("json"));
            out.push('\n');
        }
        if let Some((framework, controls)) = report.control_verdicts() {
            for control in &controls {
                out.push_str(
                    &serde_json::to_string(&control_event(&framework.id, control)).expect("json"),
                );
                out.push('\n');
            }
        }
        out
    }
}

/// A Compliance Finding for one control of the framework. OCSF's compliance status has
/// Pass (1), Fail (3), Unknown (0) and Other (99): NOT_ASSESSED is Unknown (never a pass),
/// and MANUAL, NOT_COLLECTED and NO_RESOURCES are Other, with govscan's verdict as the
/// status text so each stays distinct.
fn control_event(framework_id: &str, control: &ControlVerdict) -> Value {
    let (status, status_id) = match control.status {
        ControlStatus::Pass => ("Pass", 1),
        ControlStatus::Fail => ("Fail", 3),
        ControlStatus::NotAssessed => ("Unknown", 0),
        other => (other.as_str(), 99),
    };
    let message = control.reason.clone().unwrap_or_else(|| {
        format!(
            "{} pass, {} fail, {} not assessed",
            control.counts.pass, control.counts.fail, control.counts.not_assessed
        )
    });
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "type_uid": 200301,
        "severity_id": 0,
        "severity": "Unknown",
        "time": chrono::Utc::now().timestamp_millis(),
        "message": message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "govscan", "vendor_name": "govscan", "version": env!("CARGO_PKG_VERSION")},
        },
        "cloud": {"provider": "AWS"},
        "finding_info": {
            "uid": format!("{framework_id}:{}", control.control),
            "title": control.title,
            "types": [framework_id],
        },
        "compliance": {
            "control": control.control,
            "standards": [framework_id],
            "requirements": control.checks,
            "status": status,
            "status_id": status_id,
            "status_detail": control.status.as_str(),
        },
        "unmapped": {
            "level": control.level,
            "assessment": control.assessment.as_str(),
            "needs": control.needs,
        },
    })
}
