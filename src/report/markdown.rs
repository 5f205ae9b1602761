//! Markdown, for a pull-request comment or `$GITHUB_STEP_SUMMARY`: counts per severity, then
//! the problems, from `reports/report.md.j2` (compiled in; `--templates DIR` uses the
//! user's copy). Every value is escaped for a table cell so data cannot add columns, markup
//! or HTML.

use std::fmt::Write;

use minijinja::Environment;

use super::{RenderError, Renderer, Report};

pub struct Markdown {
    /// The template text (the default, or a user's file).
    pub template: String,
}

impl Default for Markdown {
    fn default() -> Self {
        Self {
            template: DEFAULT_TEMPLATE.to_owned(),
        }
    }
}

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
            c if c.is_control() || super::terminal::invisible(c) => {
                write!(out, "\\u{{{:x}}}", c as u32).expect("write")
            }
            c => out.push(c),
        }
    }
    out
}

/// The template compiled into govscan.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../reports/report.md.j2");
pub const TEMPLATE_NAME: &str = "report.md.j2";

impl Markdown {
    /// Renders with `template` (the default or a user's), or says what is wrong with it.
    pub fn try_render(report: &Report, template: &str) -> Result<String, String> {
        render_template(TEMPLATE_NAME, template, super::html::report_context(report))
    }
}

/// Renders a Markdown `template` (named `name`) with `context`, every value escaped for a
/// table cell unless marked `|safe`.
pub fn render_template(
    name: &str,
    template: &str,
    context: minijinja::Value,
) -> Result<String, String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Like HTML autoescaping, but for a Markdown table cell: a template cannot forget it.
    env.set_formatter(|out, _state, value| {
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        let text = if value.is_safe() {
            value.to_string()
        } else {
            cell(&value.to_string())
        };
        out.write_str(&text)
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
    });
    env.add_filter("code", |text: String| {
        minijinja::Value::from_safe_string(code_span(&text))
    });
    env.add_template(name, template)
        .map_err(|e| format!("template: {e}"))?;
    env.get_template(name)
        .expect("just added")
        .render(context)
        .map_err(|e| format!("template: {e}"))
}

/// `text` as an inline code span inside a table cell (the `code` filter): backslash escapes
/// do not work in code spans, so backticks and line breaks are replaced and only the pipe,
/// which GitHub's tables split on even there, is escaped.
pub fn code_span(text: &str) -> String {
    let mut out = String::from("`");
    for c in text.chars() {
        match c {
            '`' => out.push('\''),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).expect("write"),
            c => out.push(c),
        }
    }
    out.push('`');
    out
}

impl Renderer for Markdown {
    fn render(&self, report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        let text = Self::try_render(report, &self.template).map_err(RenderError::Template)?;
        out.write_all(text.as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_cannot_end_early_or_split_a_table_row() {
        assert_eq!(code_span("a_b"), "`a_b`");
        assert_eq!(code_span("x`y|z\nw\u{1b}"), "`x'y\\|z w\\u{1b}`");
    }
}
