//! One JSON document per run, in the shape scripts read: for checks the results, their
//! summary, the framework's control verdicts and the expired mutes; for a hunt the window,
//! the findings, their summary, the expired mutes and the Sigma rules not run.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Detail, RenderError, Renderer, Report};
use crate::checks::verdict::{summarize, verdict_counts};
use crate::hunt::{Detection, Finding};

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let document = match &report.detail {
            Detail::Checks(d) => json!({
                "snapshot_id": d.snapshot_id,
                "results": d.results,
                "summary": summarize(&d.checks, &d.results),
                "framework": report.control_verdicts().map(|(f, controls)| json!({
                    "id": f.id,
                    "title": f.title,
                    "verdicts": verdict_counts(&controls),
                    "controls": controls,
                })),
                "expired_mutes": d.expired_mutes,
            }),
            Detail::Hunt(d) => json!({
                "window": { "since": d.since, "until": d.until },
                "findings": d.findings,
                "summary": hunt_summary(&d.detections, &d.findings),
                "expired_mutes": d.expired_mutes,
                "sigma_not_run": d
                    .sigma_not_run
                    .iter()
                    .map(|(file, reason)| json!({"file": file, "reason": reason}))
                    .collect::<Vec<_>>(),
            }),
        };
        serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

fn hunt_summary(detections: &[Detection], findings: &[Finding]) -> serde_json::Value {
    let mut by_detection: BTreeMap<&str, usize> =
        detections.iter().map(|q| (q.meta.id.as_str(), 0)).collect();
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *by_detection.entry(&f.query_id).or_default() += 1;
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    json!({
        "detections_run": detections.len(),
        "findings": findings.len(),
        "muted": findings.iter().filter(|f| f.muted.is_some()).count(),
        "by_detection": by_detection,
        "by_severity": by_severity,
    })
}
