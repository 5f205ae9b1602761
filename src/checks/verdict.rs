//! Verdicts over many results: counts per check and per framework control, and each
//! control's status, as the JSON report, the terminal table and the audit show them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::framework::Framework;
use super::run::{CheckResult, Status};
use super::Check;

/// How many results of each status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub not_assessed: usize,
    pub muted: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::NotAssessed => self.not_assessed += 1,
            Status::Muted => self.muted += 1,
        }
    }

    pub fn of<'a>(results: impl IntoIterator<Item = &'a CheckResult>) -> Self {
        let mut counts = Counts::default();
        for r in results {
            counts.add(r.status);
        }
        counts
    }
}

/// The counts of a run: in all, per check, per framework control.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    pub checks: usize,
    pub total: Counts,
    pub by_check: BTreeMap<&'a str, Counts>,
    pub by_control: BTreeMap<&'a str, BTreeMap<&'a str, Counts>>,
}

pub fn summarize<'a>(checks: &'a [Check], results: &'a [CheckResult]) -> Summary<'a> {
    let mut summary = Summary {
        checks: checks.len(),
        total: Counts::default(),
        by_check: checks
            .iter()
            .map(|c| (c.meta.id.as_str(), Counts::default()))
            .collect(),
        by_control: BTreeMap::new(),
    };
    for r in results {
        summary.total.add(r.status);
        summary
            .by_check
            .entry(&r.check_id)
            .or_default()
            .add(r.status);
        for (framework, controls) in &r.frameworks {
            for control in controls {
                summary
                    .by_control
                    .entry(framework)
                    .or_default()
                    .entry(control)
                    .or_default()
                    .add(r.status);
            }
        }
    }
    summary
}

/// A framework control's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlStatus {
    Fail,
    NotAssessed,
    Pass,
    /// The snapshot cannot decide it; the framework says why.
    Manual,
    /// Its checks evaluated nothing (no resource of the kind).
    NoResources,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Fail => "FAIL",
            ControlStatus::NotAssessed => "NOT_ASSESSED",
            ControlStatus::Pass => "PASS",
            ControlStatus::Manual => "MANUAL",
            ControlStatus::NoResources => "NO_RESOURCES",
        }
    }
}

/// One control of a framework with its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct ControlVerdict<'a> {
    pub section: &'a str,
    pub section_title: &'a str,
    pub control: &'a str,
    pub title: &'a str,
    pub status: ControlStatus,
    #[serde(flatten)]
    pub counts: Counts,
    /// Why the control is manual.
    pub manual: Option<&'a str>,
}

/// Each control of the framework with its verdict: FAIL if any result of its checks fails,
/// NOT_ASSESSED if any could not be assessed, PASS if all pass, MANUAL or NO_RESOURCES.
pub fn control_verdicts<'a>(
    framework: &'a Framework,
    results: &[CheckResult],
) -> Vec<ControlVerdict<'a>> {
    framework
        .controls()
        .map(|(section, control)| {
            let counts = Counts::of(results.iter().filter(|r| {
                r.frameworks
                    .get(&framework.id)
                    .is_some_and(|c| c.contains(&control.id))
            }));
            let status = match (&control.manual, counts) {
                (Some(_), _) => ControlStatus::Manual,
                (None, Counts { fail, .. }) if fail > 0 => ControlStatus::Fail,
                (None, Counts { not_assessed, .. }) if not_assessed > 0 => {
                    ControlStatus::NotAssessed
                }
                (None, Counts { pass, .. }) if pass > 0 => ControlStatus::Pass,
                _ => ControlStatus::NoResources,
            };
            ControlVerdict {
                section: &section.id,
                section_title: &section.title,
                control: &control.id,
                title: &control.title,
                status,
                counts,
                manual: control.manual.as_deref(),
            }
        })
        .collect()
}

/// A result whose status changed between two runs.
#[derive(Debug, Serialize)]
pub struct ResultChange {
    pub check_id: String,
    pub resource_id: String,
    pub account_id: String,
    pub from: Option<&'static str>,
    pub to: Option<&'static str>,
    pub reason: String,
}

/// Results that fail now and did not before, and those that failed and pass now.
#[derive(Debug, Serialize)]
pub struct ResultChanges {
    pub newly_failing: Vec<ResultChange>,
    pub fixed: Vec<ResultChange>,
}

/// Compares two runs' results resource by resource (check id and resource id).
pub fn result_changes(before: &[CheckResult], after: &[CheckResult]) -> ResultChanges {
    let was: BTreeMap<(&str, &str), Status> = before
        .iter()
        .map(|r| ((r.check_id.as_str(), r.resource_id.as_str()), r.status))
        .collect();
    // One result per (check, resource): the last, as a map of them would keep.
    let now: BTreeMap<(&str, &str), &CheckResult> = after
        .iter()
        .map(|r| ((r.check_id.as_str(), r.resource_id.as_str()), r))
        .collect();
    let mut changes = ResultChanges {
        newly_failing: Vec::new(),
        fixed: Vec::new(),
    };
    for (key, r) in now {
        let was = was.get(&key).copied();
        let change = |to: Status| ResultChange {
            check_id: r.check_id.clone(),
            resource_id: r.resource_id.clone(),
            account_id: r.account_id.clone(),
            from: was.map(Status::as_str),
            to: Some(to.as_str()),
            reason: r.reason.clone(),
        };
        if r.status == Status::Fail && was != Some(Status::Fail) {
            changes.newly_failing.push(change(Status::Fail));
        } else if r.status == Status::Pass && was == Some(Status::Fail) {
            changes.fixed.push(change(Status::Pass));
        }
    }
    changes
}
