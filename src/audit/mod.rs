//! The scheduled audit's own records: what an audit wrote (`audits/<snapshot id>/`, its
//! `summary.json` written last), how it compares with the one before it, and which audits
//! retention keeps. `govscan audit` (the binary's command) runs the steps; what is decided
//! here is what a test can hold without AWS.

pub mod config;
pub mod lock;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::run::{CheckResult, Status};
use crate::hunt::Finding;
use crate::rules::Severity;
use crate::store::{DataStore, StoreError};

pub const AUDITS_DIR: &str = "audits";
/// Written last into an audit's folder: an audit without it is not one.
pub const SUMMARY_FILE: &str = "summary.json";
/// What the next audit compares with: every result's status and every finding's key.
pub const STATE_FILE: &str = "state.json";

/// One check result as the next audit needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultState {
    pub check_id: String,
    pub resource_id: String,
    pub account_id: String,
    pub severity: Severity,
    pub status: Status,
    /// When the audits first saw it failing, without a pass in between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
}

/// One finding as the next audit needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingState {
    pub key: String,
    pub query_id: String,
    pub severity: Severity,
    pub title: String,
    pub principal: Option<String>,
    pub event_time: Option<String>,
    pub muted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditState {
    pub results: Vec<ResultState>,
    pub findings: Vec<FindingState>,
}

/// What identifies a finding across audits: the one event it is, or for a finding over
/// many events (a rate, a burst, a sequence) its detection, account, principal and first
/// event time, which later events joining it do not change.
pub fn finding_key(f: &Finding) -> String {
    match f.event_ids.as_slice() {
        [one] => format!("{}|{one}", f.query_id),
        _ => format!(
            "{}|{}|{}|{}",
            f.query_id,
            f.account_id.as_deref().unwrap_or_default(),
            f.principal.as_deref().unwrap_or_default(),
            f.event_time.as_deref().unwrap_or_default()
        ),
    }
}

/// A result that changed, or stays failing, since the previous audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultChange {
    pub check_id: String,
    pub resource_id: String,
    pub account_id: String,
    pub severity: Severity,
    /// The previous audit's status (none: the resource is new to the check).
    pub was: Option<Status>,
    pub now: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_days: Option<i64>,
}

/// Rows added, removed and changed in one table between the two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDrift {
    pub table: String,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Keys of the rows added, removed and changed (at most [`DRIFT_KEYS_SHOWN`] each).
    pub added_keys: Vec<String>,
    pub removed_keys: Vec<String>,
    pub changed_keys: Vec<String>,
}

pub const DRIFT_KEYS_SHOWN: usize = 50;

/// What changed since the previous audit: shown first in the report and the summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditChanges {
    /// The previous audit (none: this is the first).
    pub previous: Option<String>,
    pub newly_failing: Vec<ResultChange>,
    pub fixed: Vec<ResultChange>,
    pub still_failing: Vec<ResultChange>,
    /// Results that can no longer be assessed (they were PASS or FAIL).
    pub newly_not_assessed: Vec<ResultChange>,
    pub drift: Vec<TableDrift>,
    pub new_findings: Vec<FindingState>,
}

/// A state's results by (check id, resource id); none without a state.
fn results_by_key(state: Option<&AuditState>) -> BTreeMap<(&str, &str), &ResultState> {
    state
        .map(|p| {
            p.results
                .iter()
                .map(|r| ((r.check_id.as_str(), r.resource_id.as_str()), r))
                .collect()
        })
        .unwrap_or_default()
}

/// The state this audit leaves: statuses with their failing-since carried over from the
/// previous state, and the findings' keys.
pub fn audit_state(
    previous: Option<&AuditState>,
    results: &[CheckResult],
    findings: &[Finding],
    now: DateTime<Utc>,
) -> AuditState {
    let was = results_by_key(previous);
    let results = results
        .iter()
        .map(|r| {
            let before = was.get(&(r.check_id.as_str(), r.resource_id.as_str()));
            let failing_since = (r.status == Status::Fail).then(|| {
                before
                    .filter(|b| b.status == Status::Fail)
                    .and_then(|b| b.failing_since)
                    .unwrap_or(now)
            });
            ResultState {
                check_id: r.check_id.clone(),
                resource_id: r.resource_id.clone(),
                account_id: r.account_id.clone(),
                severity: r.severity,
                status: r.status,
                failing_since,
            }
        })
        .collect();
    let findings = findings
        .iter()
        .map(|f| FindingState {
            key: finding_key(f),
            query_id: f.query_id.clone(),
            severity: f.severity,
            title: f.title.clone(),
            principal: f.principal.clone(),
            event_time: f.event_time.clone(),
            muted: f.muted.is_some(),
        })
        .collect();
    AuditState { results, findings }
}

/// Compares this audit's state with the previous one's (none: everything failing is new).
pub fn audit_changes(
    previous: Option<(&str, &AuditState)>,
    now_state: &AuditState,
    now: DateTime<Utc>,
) -> AuditChanges {
    let was = results_by_key(previous.map(|(_, p)| p));
    let mut changes = AuditChanges {
        previous: previous.map(|(id, _)| id.to_owned()),
        ..Default::default()
    };
    for r in &now_state.results {
        let before = was
            .get(&(r.check_id.as_str(), r.resource_id.as_str()))
            .map(|b| b.status);
        let change = ResultChange {
            check_id: r.check_id.clone(),
            resource_id: r.resource_id.clone(),
            account_id: r.account_id.clone(),
            severity: r.severity,
            was: before,
            now: r.status,
            failing_since: r.failing_since,
            failing_days: r.failing_since.map(|s| (now - s).num_days()),
        };
        match (before, r.status) {
            (Some(Status::Fail), Status::Fail) => changes.still_failing.push(change),
            (_, Status::Fail) => changes.newly_failing.push(change),
            (Some(Status::Fail), Status::Pass) => changes.fixed.push(change),
            (Some(Status::Fail | Status::Pass), Status::NotAssessed) => {
                changes.newly_not_assessed.push(change)
            }
            _ => {}
        }
    }
    let seen: BTreeSet<&str> = previous
        .map(|(_, p)| p.findings.iter().map(|f| f.key.as_str()).collect())
        .unwrap_or_default();
    changes.new_findings = now_state
        .findings
        .iter()
        .filter(|f| !seen.contains(f.key.as_str()))
        .cloned()
        .collect();
    changes
}

/// The problems that count for the exit code: FAILs and unmuted findings at or above
/// `severity`, only those new since the previous audit when `new_only`.
pub fn counted_problems(
    state: &AuditState,
    changes: &AuditChanges,
    severity: Option<Severity>,
    new_only: bool,
) -> Vec<String> {
    let Some(at_least) = severity else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let failing: Vec<(&str, &str, Severity)> = if new_only {
        changes
            .newly_failing
            .iter()
            .map(|c| (c.check_id.as_str(), c.resource_id.as_str(), c.severity))
            .collect()
    } else {
        state
            .results
            .iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| (r.check_id.as_str(), r.resource_id.as_str(), r.severity))
            .collect()
    };
    for (check, resource, sev) in failing {
        if sev >= at_least {
            out.push(format!("{} FAIL {check} {resource}", sev.as_str()));
        }
    }
    let findings = if new_only {
        &changes.new_findings
    } else {
        &state.findings
    };
    for f in findings {
        if !f.muted && f.severity >= at_least {
            out.push(format!(
                "{} finding {} {}",
                f.severity.as_str(),
                f.query_id,
                f.principal.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

/// The complete audits in the data directory, oldest first (ids sort by time).
pub async fn list_audits(store: &DataStore) -> Result<Vec<String>, StoreError> {
    let mut complete = Vec::new();
    for id in store.children(AUDITS_DIR).await? {
        if store
            .exists(&format!("{AUDITS_DIR}/{id}/{SUMMARY_FILE}"))
            .await
        {
            complete.push(id);
        }
    }
    complete.sort();
    Ok(complete)
}

/// An audit's state file; None when it has none (an audit older than state files).
pub async fn read_state(store: &DataStore, id: &str) -> Result<Option<AuditState>, StoreError> {
    let relative = format!("{AUDITS_DIR}/{id}/{STATE_FILE}");
    match store.get(&relative).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Remote(format!("{}: {e}", store.display(&relative)))),
    }
}

/// An audit's summary as JSON.
pub async fn read_summary(
    store: &DataStore,
    id: &str,
) -> Result<Option<serde_json::Value>, StoreError> {
    let relative = format!("{AUDITS_DIR}/{id}/{SUMMARY_FILE}");
    match store.get(&relative).await? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Remote(format!("{}: {e}", store.display(&relative)))),
    }
}

/// The audits retention deletes, given every complete audit oldest first (ids are their
/// snapshots' ids, which begin with the UTC start time) and the newest, just written: kept
/// are the newest `keep_last` and those younger than `keep_days`, and always the newest.
pub fn audits_to_delete(
    audits: &[String],
    newest: &str,
    keep_last: Option<u32>,
    keep_days: Option<u32>,
    now: DateTime<Utc>,
) -> Vec<String> {
    if keep_last.is_none() && keep_days.is_none() {
        return Vec::new();
    }
    let count = audits.len();
    audits
        .iter()
        .enumerate()
        .filter(|(i, id)| {
            if id.as_str() == newest {
                return false;
            }
            let by_count = keep_last.is_some_and(|n| count - i <= n as usize);
            let by_age = keep_days.is_some_and(|days| {
                started_at(id).is_none_or(|t| now - t < chrono::Duration::days(i64::from(days)))
            });
            !(by_count || by_age)
        })
        .map(|(_, id)| id.clone())
        .collect()
}

/// The start time an id begins with (`20261204T010203Z-ab12`).
fn started_at(id: &str) -> Option<DateTime<Utc>> {
    let stamp = id.get(..16)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(check: &str, resource: &str, status: Status) -> CheckResult {
        CheckResult {
            check_id: check.into(),
            title: String::new(),
            severity: Severity::High,
            frameworks: BTreeMap::new(),
            resource_id: resource.into(),
            account_id: "111111111111".into(),
            region: None,
            status,
            reason: String::new(),
        }
    }

    fn finding(query: &str, events: &[&str]) -> Finding {
        Finding {
            query_id: query.into(),
            title: query.into(),
            severity: Severity::High,
            tactics: vec![],
            techniques: vec![],
            event_time: None,
            account_id: None,
            region: None,
            principal: Some("alice".into()),
            source_ip_address: None,
            event_ids: events.iter().map(|e| e.to_string()).collect(),
            reason: None,
            muted: None,
        }
    }

    #[test]
    fn changes_name_new_fixed_and_still_failing_results_with_how_long() {
        let t0 = "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let t1 = t0 + chrono::Duration::days(10);
        let first = audit_state(
            None,
            &[
                result("c", "stays", Status::Fail),
                result("c", "gets-fixed", Status::Fail),
                result("c", "breaks", Status::Pass),
                result("c", "unreadable", Status::Pass),
            ],
            &[finding("d", &["e1"])],
            t0,
        );
        let now_results = [
            result("c", "stays", Status::Fail),
            result("c", "gets-fixed", Status::Pass),
            result("c", "breaks", Status::Fail),
            result("c", "unreadable", Status::NotAssessed),
            result("c", "appears", Status::Fail),
        ];
        let second = audit_state(
            Some(&first),
            &now_results,
            &[finding("d", &["e1"]), finding("d", &["e2", "e3"])],
            t1,
        );
        let changes = audit_changes(Some(("a1", &first)), &second, t1);
        let ids = |v: &[ResultChange]| v.iter().map(|c| c.resource_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&changes.newly_failing), ["breaks", "appears"]);
        assert_eq!(ids(&changes.fixed), ["gets-fixed"]);
        assert_eq!(ids(&changes.still_failing), ["stays"]);
        assert_eq!(changes.still_failing[0].failing_since, Some(t0));
        assert_eq!(changes.still_failing[0].failing_days, Some(10));
        assert_eq!(ids(&changes.newly_not_assessed), ["unreadable"]);
        assert_eq!(changes.new_findings.len(), 1);
        assert_eq!(changes.new_findings[0].key, "d||alice|");

        // The exit code's count: new only, or everything failing.
        assert_eq!(
            counted_problems(&second, &changes, Some(Severity::High), true).len(),
            3
        );
        assert_eq!(
            counted_problems(&second, &changes, Some(Severity::High), false).len(),
            5
        );
        assert!(counted_problems(&second, &changes, Some(Severity::Critical), false).is_empty());
        assert!(counted_problems(&second, &changes, None, false).is_empty());

        // The first audit: everything failing is new.
        let first_changes = audit_changes(None, &first, t0);
        assert_eq!(first_changes.newly_failing.len(), 2);
        assert_eq!(first_changes.new_findings.len(), 1);
    }

    #[test]
    fn retention_keeps_the_newest_the_last_n_and_the_young() {
        let now = "2026-12-04T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let audits: Vec<String> = [
            "20261101T000000Z-0001",
            "20261120T000000Z-0002",
            "20261201T000000Z-0003",
            "20261203T000000Z-0004",
        ]
        .map(String::from)
        .to_vec();
        let newest = "20261203T000000Z-0004";
        assert_eq!(
            audits_to_delete(&audits, newest, Some(2), None, now),
            ["20261101T000000Z-0001", "20261120T000000Z-0002"]
        );
        assert_eq!(
            audits_to_delete(&audits, newest, None, Some(7), now),
            ["20261101T000000Z-0001", "20261120T000000Z-0002"]
        );
        // Either keeps: the last three, or the younger than 20 days.
        assert_eq!(
            audits_to_delete(&audits, newest, Some(3), Some(20), now),
            ["20261101T000000Z-0001"]
        );
        // Even keep_last 1 with everything old keeps the newest.
        assert_eq!(
            audits_to_delete(&audits, newest, Some(1), Some(1), now).len(),
            3
        );
        assert!(audits_to_delete(&audits, newest, None, None, now).is_empty());
    }
}
