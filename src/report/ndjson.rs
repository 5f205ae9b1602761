//! A JSON line per check result or hunt finding, for `jq`, log shippers and `head`.

use serde::Serialize;

use super::{Detail, RenderError, Renderer, Report};

pub struct Ndjson;

impl Renderer for Ndjson {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        match &report.detail {
            Detail::Checks(d) => lines(&d.results, out),
            Detail::Hunt(d) => lines(&d.findings, out),
        }
    }
}

fn lines<T: Serialize>(items: &[T], out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    for item in items {
        serde_json::to_writer(&mut *out, item).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
