//! Rules as data: a check (`checks/`) and a detection (`queries/`) are each one `.sql` file
//! whose leading comment block is YAML metadata.
//!
//! ```sql
//! -- id: iam-root-access-key
//! -- title: The root user has no access key
//! -- severity: critical
//! -- ...
//! SELECT ... AS resource_id, account_id, region, status, reason FROM ...
//! ```
//!
//! The file stays plain SQL that any DataFusion client runs. This module is what the two
//! kinds share: the header split and parsed into a [`Meta`] type, loading from the compiled-in
//! files or a folder (rejecting unknown metadata keys and duplicate ids, naming the file),
//! [`Severity`], and planning a set of rules against the columns their kind returns. The
//! kinds themselves are `checks::CheckMeta` and `hunt::DetectionMeta`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::error::DataFusionError;
use datafusion::prelude::{DataFrame, SessionContext};
use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The metadata header of one kind of rule.
pub trait Meta: serde::de::DeserializeOwned {
    /// "check" or "detection", as error messages say it.
    const KIND: &'static str;
    /// The columns every rule of this kind returns.
    const COLUMNS: &'static [&'static str];
    /// Stable, never reused: lowercase letters, digits and dashes.
    fn id(&self) -> &str;
}

/// One rule: its header, where it came from, and its SQL.
#[derive(Debug, Clone)]
pub struct Rule<M> {
    pub meta: M,
    /// Where it came from: `checks/<path>` or `queries/<path>` for built-in rules.
    pub source: PathBuf,
    /// The SQL after the header, trimmed.
    pub sql: String,
    /// The file's line the SQL starts on, so planning errors name lines of the file.
    pub first_line: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: reading: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("id {id} is defined twice: {first} and {second}")]
    DuplicateId {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
}

impl RuleError {
    pub fn invalid(path: &Path, message: impl Into<String>) -> Self {
        RuleError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// A rule that does not plan, or plans to the wrong columns.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "{path}: the SQL does not plan: {}",
        crate::engine::describe_sql_error(source)
    )]
    Plan {
        path: PathBuf,
        source: DataFusionError,
    },
    #[error("{path}: the result lacks column {column} (a {kind} returns {})", columns.join(", "))]
    Shape {
        path: PathBuf,
        column: &'static str,
        kind: &'static str,
        columns: &'static [&'static str],
    },
}

impl<M: Meta> Rule<M> {
    /// Splits the leading `--` comment block (YAML) from the SQL and parses it into `M`; the
    /// id must be lowercase letters, digits and dashes. Errors name the file.
    pub fn parse(path: &Path, text: &str) -> Result<Self, RuleError> {
        let invalid = |message: String| RuleError::invalid(path, message);
        let mut header = String::new();
        let mut body_start = text.len();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("--") {
                header.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                if !rest.ends_with('\n') {
                    header.push('\n');
                }
            } else if !trimmed.trim().is_empty() || !header.is_empty() {
                body_start = offset;
                break;
            }
            offset += line.len();
        }
        if header.trim().is_empty() {
            return Err(invalid(
                "no metadata header (a leading block of `-- key: value` lines)".into(),
            ));
        }
        let meta: M = serde_norway::from_str(&header)
            .map_err(|e| invalid(format!("metadata header: {e}")))?;
        let id = meta.id();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(invalid(format!(
                "id {id:?} must be lowercase letters, digits and dashes"
            )));
        }
        let body = &text[body_start..];
        let sql = body.trim().to_owned();
        if sql.is_empty() {
            return Err(invalid("no SQL after the header".into()));
        }
        let leading = &body[..body.len() - body.trim_start().len()];
        let first_line =
            text[..body_start].matches('\n').count() + leading.matches('\n').count() + 1;
        Ok(Rule {
            meta,
            source: path.to_path_buf(),
            sql,
            first_line,
        })
    }

    /// The SQL preceded by one empty line per header line: positions in errors are the
    /// file's.
    pub fn sql_at_file_lines(&self) -> String {
        "\n".repeat(self.first_line.saturating_sub(1)) + &self.sql
    }
}

/// The compiled-in rules of one kind: `files` are (path under `folder`, text), each parsed
/// by `parse` (which may check more than the header does).
pub fn load_builtin<M: Meta>(
    files: &[(&str, &str)],
    folder: &str,
    parse: impl Fn(&Path, &str) -> Result<Rule<M>, RuleError>,
) -> Result<Vec<Rule<M>>, RuleError> {
    let rules = files
        .iter()
        .map(|(rel, text)| parse(&Path::new(folder).join(rel), text))
        .collect::<Result<Vec<_>, _>>()?;
    reject_duplicates(rules)
}

/// Every rule (`.sql` file) below `dir`, in path order, each parsed by `parse`.
pub fn load_dir<M: Meta>(
    dir: &Path,
    parse: impl Fn(&Path, &str) -> Result<Rule<M>, RuleError>,
) -> Result<Vec<Rule<M>>, RuleError> {
    let rules = read_files(dir, &["sql"])?
        .iter()
        .map(|(f, text)| parse(f, text))
        .collect::<Result<Vec<_>, _>>()?;
    reject_duplicates(rules)
}

/// (path, text) of every file below `dir` whose extension is one of `extensions`, in path
/// order.
pub fn read_files(dir: &Path, extensions: &[&str]) -> Result<Vec<(PathBuf, String)>, RuleError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| RuleError::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            source: e.into(),
        })?;
        let wanted = entry
            .path()
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x));
        if entry.file_type().is_file() && wanted {
            files.push(entry.into_path());
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|f| match std::fs::read_to_string(&f) {
            Ok(text) => Ok((f, text)),
            Err(source) => Err(RuleError::Io { path: f, source }),
        })
        .collect()
}

fn reject_duplicates<M: Meta>(rules: Vec<Rule<M>>) -> Result<Vec<Rule<M>>, RuleError> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for rule in &rules {
        if let Some(first) = seen.insert(rule.meta.id(), &rule.source) {
            return Err(RuleError::DuplicateId {
                id: rule.meta.id().to_owned(),
                first: first.to_path_buf(),
                second: rule.source.clone(),
            });
        }
    }
    Ok(rules)
}

/// Plans every rule, checking that it returns its kind's columns; the first that fails
/// names its file.
pub async fn plan_all<M: Meta>(
    ctx: &SessionContext,
    rules: &[Rule<M>],
) -> Result<Vec<DataFrame>, PlanError> {
    let mut planned = Vec::with_capacity(rules.len());
    for rule in rules {
        let sql = rule.sql_at_file_lines();
        let plan_error = |source| PlanError::Plan {
            path: rule.source.clone(),
            source,
        };
        crate::engine::cluster::prepare(ctx, &sql)
            .await
            .map_err(plan_error)?;
        let df = ctx.sql(&sql).await.map_err(plan_error)?;
        for &column in M::COLUMNS {
            if df.schema().field_with_unqualified_name(column).is_err() {
                return Err(PlanError::Shape {
                    path: rule.source.clone(),
                    column,
                    kind: M::KIND,
                    columns: M::COLUMNS,
                });
            }
        }
        planned.push(df);
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Plain {
        id: String,
    }

    impl Meta for Plain {
        const KIND: &'static str = "rule";
        const COLUMNS: &'static [&'static str] = &["a"];
        fn id(&self) -> &str {
            &self.id
        }
    }

    #[test]
    fn the_sql_keeps_the_lines_of_its_file() {
        let text = "-- id: x-1\n\n  \nSELECT\n  1 AS a\n";
        let rule = Rule::<Plain>::parse(Path::new("x.sql"), text).unwrap();
        assert_eq!(rule.sql, "SELECT\n  1 AS a");
        assert_eq!(rule.first_line, 4);
        assert_eq!(rule.sql_at_file_lines().lines().nth(3), Some("SELECT"));
    }

    #[test]
    fn ids_are_lowercase_letters_digits_and_dashes() {
        for bad in ["X-1", "x_1", "x 1", "''"] {
            let err = Rule::<Plain>::parse(Path::new("x.sql"), &format!("-- id: {bad}\nSELECT 1"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("lowercase letters"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_folder_is_read_in_path_order_and_duplicates_name_both_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/one.sql"), "-- id: one\nSELECT 1 AS a").unwrap();
        std::fs::write(dir.path().join("a.sql"), "-- id: two\nSELECT 2 AS a").unwrap();
        std::fs::write(dir.path().join("notes.md"), "not a rule").unwrap();
        let rules = load_dir(dir.path(), Rule::<Plain>::parse).unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r.meta.id()).collect();
        assert_eq!(ids, ["two", "one"]);
        std::fs::write(dir.path().join("c.sql"), "-- id: one\nSELECT 3 AS a").unwrap();
        let err = load_dir(dir.path(), Rule::<Plain>::parse)
            .unwrap_err()
            .to_string();
        assert!(err.contains("b/one.sql") && err.contains("c.sql"), "{err}");
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let err = load_dir(Path::new("/nonexistent/rules"), Rule::<Plain>::parse)
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/rules"), "{err}");
    }
}
