//! Checks as data: one `.sql` file each, whose leading comment block is YAML metadata.
//!
//! ```sql
//! -- id: iam-root-access-key
//! -- title: The root user has no access key
//! -- severity: critical
//! -- ...
//! SELECT ... AS resource_id, account_id, region, status, reason FROM ...
//! ```
//!
//! The file stays plain SQL that any DataFusion client runs. Loading rejects unknown
//! metadata keys, duplicate ids and SQL that does not plan, naming the file.

pub mod framework;
pub mod run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));

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

/// The metadata header of a check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckMeta {
    /// Stable, never reused: `<service>-<what>`, lowercase with dashes.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub remediation: String,
    /// Framework id → the controls this check decides, e.g. `{cis-aws-5.0: ["1.3"]}`.
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Snapshot tables the check reads; a failed collection of their service makes the
    /// affected results NOT_ASSESSED.
    pub tables: Vec<String>,
    /// AWS operations whose failure makes a result NOT_ASSESSED: for the resource named
    /// in the error, or the whole account (and region) when the error names none.
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub meta: CheckMeta,
    /// Where it came from: `checks/<path>` for built-in checks.
    pub source: PathBuf,
    pub sql: String,
    /// The file's line the SQL starts on, so planning errors name lines of the file.
    pub first_line: usize,
}

impl Check {
    /// The SQL preceded by one empty line per header line: positions in errors are the
    /// file's.
    pub fn sql_at_file_lines(&self) -> String {
        "\n".repeat(self.first_line.saturating_sub(1)) + &self.sql
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
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

/// A SQL file whose leading `--` comment block is YAML metadata (checks and detections).
pub struct SqlFile<M> {
    pub meta: M,
    /// The SQL after the header, trimmed.
    pub sql: String,
    /// The file's line the SQL starts on.
    pub first_line: usize,
}

/// Splits the leading `--` comment block (YAML) from the SQL and parses it into `M`; the
/// id must be lowercase letters, digits and dashes. Errors name the file.
pub fn parse_sql_file<M: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    id: impl Fn(&M) -> &str,
) -> Result<SqlFile<M>, CheckError> {
    let invalid = |message: String| CheckError::Invalid {
        path: path.to_path_buf(),
        message,
    };
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
    let meta: M =
        serde_norway::from_str(&header).map_err(|e| invalid(format!("metadata header: {e}")))?;
    let id = id(&meta);
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
    let first_line = text[..body_start].matches('\n').count() + leading.matches('\n').count() + 1;
    Ok(SqlFile {
        meta,
        sql,
        first_line,
    })
}

/// Parses a check file: the header, then the tables it names must be snapshot tables.
pub fn parse_check(path: &Path, text: &str) -> Result<Check, CheckError> {
    let SqlFile {
        meta,
        sql,
        first_line,
    } = parse_sql_file::<CheckMeta>(path, text, |m| &m.id)?;
    let invalid = |message: String| CheckError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let known: Vec<&str> = crate::collect::all_tables()
        .iter()
        .map(|t| t.name)
        .chain(["snapshot_info"])
        .collect();
    for table in &meta.tables {
        if !known.contains(&table.as_str()) {
            return Err(invalid(format!(
                "tables: {table:?} is not a snapshot table"
            )));
        }
    }
    if meta.tables.is_empty() {
        return Err(invalid("tables: name the tables the check reads".into()));
    }
    Ok(Check {
        meta,
        source: path.to_path_buf(),
        sql,
        first_line,
    })
}

/// The checks compiled into govscan.
pub fn builtin_checks() -> Result<Vec<Check>, CheckError> {
    let checks = BUILTIN_CHECKS
        .iter()
        .map(|(rel, text)| parse_check(&Path::new("checks").join(rel), text))
        .collect::<Result<Vec<_>, _>>()?;
    reject_duplicates(checks)
}

/// Every check (`.sql` file) below `dir`, in path order.
pub fn load_dir(dir: &Path) -> Result<Vec<Check>, CheckError> {
    let checks = read_sql_files(dir)?
        .iter()
        .map(|(f, text)| parse_check(f, text))
        .collect::<Result<Vec<_>, _>>()?;
    reject_duplicates(checks)
}

/// (path, text) of every `.sql` file below `dir`, in path order.
pub fn read_sql_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, CheckError> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|f| match std::fs::read_to_string(&f) {
            Ok(text) => Ok((f, text)),
            Err(source) => Err(CheckError::Io { path: f, source }),
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CheckError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CheckError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| CheckError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

fn reject_duplicates(checks: Vec<Check>) -> Result<Vec<Check>, CheckError> {
    first_duplicate(
        checks
            .iter()
            .map(|c| (c.meta.id.as_str(), c.source.as_path())),
    )?;
    Ok(checks)
}

/// An error for the first id defined twice among (id, file) pairs.
pub fn first_duplicate<'a>(
    items: impl Iterator<Item = (&'a str, &'a Path)>,
) -> Result<(), CheckError> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for (id, source) in items {
        if let Some(first) = seen.insert(id, source) {
            return Err(CheckError::DuplicateId {
                id: id.to_owned(),
                first: first.to_path_buf(),
                second: source.to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "-- id: iam-x\n-- title: X\n-- severity: high\n-- description: d\n-- remediation: r\n-- frameworks: { cis-aws-5.0: [\"1.3\"] }\n-- tables: [iam_users]\nSELECT 1\n";

    #[test]
    fn a_header_and_sql_are_split() {
        let c = parse_check(Path::new("x.sql"), GOOD).unwrap();
        assert_eq!(c.meta.id, "iam-x");
        assert_eq!(c.meta.severity, Severity::High);
        assert_eq!(c.meta.frameworks["cis-aws-5.0"], ["1.3"]);
        assert_eq!(c.sql, "SELECT 1");
    }

    #[test]
    fn bad_headers_are_rejected_naming_the_file() {
        let unknown = GOOD.replace("-- tables", "-- colour: red\n-- tables");
        let err = parse_check(Path::new("checks/iam/x.sql"), &unknown)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("checks/iam/x.sql:") && err.contains("colour"),
            "{err}"
        );
        let bad_severity = GOOD.replace("high", "urgent");
        assert!(parse_check(Path::new("x.sql"), &bad_severity)
            .unwrap_err()
            .to_string()
            .contains("urgent"));
        let bad_table = GOOD.replace("iam_users", "iam_userz");
        assert!(parse_check(Path::new("x.sql"), &bad_table)
            .unwrap_err()
            .to_string()
            .contains("iam_userz"));
        assert!(parse_check(Path::new("x.sql"), "SELECT 1")
            .unwrap_err()
            .to_string()
            .contains("no metadata header"));
        let no_sql = GOOD.replace("SELECT 1\n", "");
        assert!(parse_check(Path::new("x.sql"), &no_sql)
            .unwrap_err()
            .to_string()
            .contains("no SQL"));
        let bad_yaml = GOOD.replace("[\"1.3\"] }", "[\"1.3\"");
        assert!(parse_check(Path::new("x.sql"), &bad_yaml)
            .unwrap_err()
            .to_string()
            .contains("metadata header"));
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let a = parse_check(Path::new("a.sql"), GOOD).unwrap();
        let b = parse_check(Path::new("b.sql"), GOOD).unwrap();
        let err = reject_duplicates(vec![a, b]).unwrap_err().to_string();
        assert!(err.contains("a.sql") && err.contains("b.sql"), "{err}");
    }

    #[test]
    fn every_builtin_check_loads() {
        let checks = builtin_checks().unwrap();
        assert!(!checks.is_empty());
    }
}
