//! CSV, a row per result or finding. Quoting is the csv crate's; a cell that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
//! leading `'`, as OWASP recommends against CSV injection.

use super::{RenderError, Renderer, Report};

pub struct Csv;

fn defuse(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if (c.is_control() && c != '\n') || super::terminal::invisible(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{clean}")
    } else {
        clean
    }
}

impl Renderer for Csv {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        out.write_all(self.text(report).as_bytes())?;
        Ok(())
    }
}

impl Csv {
    /// The whole document.
    pub fn text(&self, report: &Report) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record([
                "rule_id",
                "severity",
                "outcome",
                "subject",
                "account_id",
                "region",
                "time",
                "source_ip_address",
                "reason",
                "evidence",
            ])
            .expect("write to memory");
        for item in &report.items {
            let severity = report
                .rule(&item.rule_id)
                .map_or("", |r| r.severity.as_str());
            let outcome = serde_json::to_value(item.outcome).expect("json");
            let fields = [
                item.rule_id.clone(),
                severity.to_owned(),
                outcome.as_str().unwrap_or_default().to_owned(),
                item.subject.clone(),
                item.account_id.clone().unwrap_or_default(),
                item.region.clone().unwrap_or_default(),
                item.time.clone().unwrap_or_default(),
                item.source_ip_address.clone().unwrap_or_default(),
                item.reason.clone(),
                item.evidence.join(" "),
            ];
            writer
                .write_record(fields.iter().map(|f| defuse(f)))
                .expect("write to memory");
        }
        String::from_utf8(writer.into_inner().expect("flush to memory"))
            .expect("utf-8 in, utf-8 out")
    }
}
