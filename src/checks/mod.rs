//! Compliance checks over a snapshot: one `.sql` file each in `checks/` (the format is
//! [`crate::rules`]'s), returning one row per evaluated resource with PASS or FAIL; the
//! frameworks they map to ([`framework`]); running them and deciding what is NOT_ASSESSED
//! ([`run`]).

pub mod framework;
pub mod run;
pub mod verdict;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rules::{Meta, Rule};
use crate::rules::{RuleError, Severity};

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
    /// in the error, or the whole account (and region) when the error names none. An
    /// operation of one service only is written `service:Operation` (`org:ListPolicies`,
    /// not IAM's ListPolicies), as `collection_errors.service` names it.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The check's PASS is evidence found, possibly in another account (the alarm in the
    /// account that owns an organization trail's log group, an organization's analyzer),
    /// and its FAIL is a search that found nothing. A failed read in any account then makes
    /// the FAIL rows of every account NOT_ASSESSED (in the failed region, or all rows when
    /// the read names no region); PASS rows stand, since no failed read takes back what
    /// was found.
    #[serde(default)]
    pub decided_across_accounts: bool,
    #[serde(default)]
    pub references: Vec<String>,
}

impl CheckMeta {
    /// Whether the check requires the call `operation` of `service`.
    pub fn requires_call(&self, service: &str, operation: &str) -> bool {
        self.requires
            .iter()
            .any(|r| requirement_names_call(r, service, operation))
    }
}

/// Whether one entry of a check's `requires` names the call `operation` of `service`: the
/// operation alone (any service's), or as `service:Operation`.
pub fn requirement_names_call(required: &str, service: &str, operation: &str) -> bool {
    match required.split_once(':') {
        Some((s, o)) => s == service && o == operation,
        None => required == operation,
    }
}

impl Meta for CheckMeta {
    const KIND: &'static str = "check";
    const COLUMNS: &'static [&'static str] = &run::RESULT_COLUMNS;
    fn id(&self) -> &str {
        &self.id
    }
}

pub type Check = Rule<CheckMeta>;

/// Parses a check file: the header, then the tables it names must be snapshot tables.
pub fn parse_check(path: &Path, text: &str) -> Result<Check, RuleError> {
    let check = Check::parse(path, text)?;
    let known: Vec<&str> = crate::collect::all_tables()
        .iter()
        .map(|t| t.name)
        .chain(["snapshot_info"])
        .collect();
    for table in &check.meta.tables {
        if !known.contains(&table.as_str()) {
            return Err(RuleError::invalid(
                path,
                format!("tables: {table:?} is not a snapshot table"),
            ));
        }
    }
    if check.meta.tables.is_empty() {
        return Err(RuleError::invalid(
            path,
            "tables: name the tables the check reads",
        ));
    }
    Ok(check)
}

/// The checks compiled into govscan.
pub fn builtin_checks() -> Result<Vec<Check>, RuleError> {
    crate::rules::load_builtin(crate::rules::BUILTIN_CHECKS, "checks", parse_check)
}

/// Every check (`.sql` file) below `dir`, in path order.
pub fn load_dir(dir: &Path) -> Result<Vec<Check>, RuleError> {
    crate::rules::load_dir(dir, parse_check)
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
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), GOOD).unwrap();
        std::fs::write(dir.path().join("b.sql"), GOOD).unwrap();
        let err = load_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("a.sql") && err.contains("b.sql"), "{err}");
    }

    #[test]
    fn every_builtin_check_loads() {
        let checks = builtin_checks().unwrap();
        assert!(!checks.is_empty());
    }
}
