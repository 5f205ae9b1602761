//! What a terminal is shown: text from AWS and logs with its control characters made
//! visible ([`escape_for_terminal`]: a user agent must not move the cursor or clear the
//! screen), and colour, only when standard output is a terminal that the report goes to and
//! NO_COLOR (https://no-color.org) is unset or empty. Only words govscan wrote itself
//! (statuses, severities) are painted; data is escaped, never painted.

use std::io::IsTerminal;
use std::path::Path;

use tabled::builder::Builder;
use tabled::settings::{Padding, Style};

use crate::rules::Severity;

/// `text` with every control character but the newline shown as `\u{..}`, and the
/// invisible characters that change how the rest reads: bidi overrides and isolates (a
/// name that displays reversed, as in Trojan Source), and zero-width characters.
pub fn escape_for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && c != '\n') || invisible(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Bidi marks, embeddings, overrides and isolates; zero-width spaces and joiners; the BOM:
/// invisible, yet they change how the text around them reads. Every renderer shows them
/// escaped or drops them.
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// Rows under a header as aligned columns, two spaces apart, without borders; the cells
/// are escaped or painted already (painting does not count towards a column's width).
pub fn columns(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut builder = Builder::default();
    builder.push_record(header.iter().map(|h| h.to_string()));
    for row in rows {
        builder.push_record(row);
    }
    let mut table = builder.build();
    table.with(Style::empty()).with(Padding::new(0, 2, 0, 0));
    // The last column is padded to its width too; lines end at their text.
    let mut text = String::new();
    for line in table.to_string().lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Whether to colour a table written to `output` (None: standard output).
pub fn wanted(output: Option<&Path>) -> bool {
    colour_wanted(output.is_none() && std::io::stdout().is_terminal())
}

/// Whether to colour what goes to a stream that is (or is not) a terminal: never
/// elsewhere, nor with NO_COLOR set.
pub fn colour_wanted(terminal: bool) -> bool {
    decide(terminal, std::env::var_os("NO_COLOR").as_deref())
}

fn decide(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Paints already padded text.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub on: bool,
}

impl Painter {
    fn paint(self, text: &str, code: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A check status or outcome word (FAIL, NOT_ASSESSED, PASS, MUTED, FINDING).
    pub fn status(self, padded: &str) -> String {
        let code = match padded.trim() {
            "FAIL" | "FINDING" => "1;31",
            "NOT_ASSESSED" => "33",
            "PASS" => "32",
            _ => "2",
        };
        self.paint(padded, code)
    }

    pub fn severity(self, severity: Severity, padded: &str) -> String {
        let code = match severity {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(padded, code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        // https://no-color.org: "when present and not an empty string" disables colour.
        assert!(decide(true, None));
        assert!(decide(true, Some("".as_ref())));
        assert!(!decide(true, Some("1".as_ref())));
        assert!(!decide(false, None));
    }

    #[test]
    fn columns_align_on_the_visible_width_of_painted_cells() {
        let paint = Painter { on: true };
        let text = columns(
            &["STATUS", "CHECK"],
            vec![
                vec![paint.status("FAIL"), "a".into()],
                vec![paint.status("NOT_ASSESSED"), "b".into()],
            ],
        );
        let plain: Vec<String> = text
            .lines()
            .map(|l| {
                l.replace("\x1b[1;31m", "")
                    .replace("\x1b[33m", "")
                    .replace("\x1b[0m", "")
            })
            .collect();
        assert_eq!(
            plain,
            ["STATUS        CHECK", "FAIL          a", "NOT_ASSESSED  b"]
        );
    }

    #[test]
    fn painting_keeps_the_padding_visible() {
        let on = Painter { on: true };
        assert_eq!(on.status("FAIL  "), "\x1b[1;31mFAIL  \x1b[0m");
        assert_eq!(Painter { on: false }.status("FAIL  "), "FAIL  ");
        assert_eq!(
            on.severity(Severity::Medium, "medium"),
            "\x1b[33mmedium\x1b[0m"
        );
    }

    #[test]
    fn controls_and_invisible_characters_are_shown_escaped() {
        assert_eq!(
            escape_for_terminal("a\u{1b}[31mb\u{202e}gnp.exe\u{200b}\nc"),
            "a\\u{1b}[31mb\\u{202e}gnp.exe\\u{200b}\nc"
        );
        // Letters that look like others stay: they are text, shown as they are.
        assert_eq!(escape_for_terminal("\u{430}dmin"), "\u{430}dmin");
    }
}
