//! Verdicts over many results: counts per check and per framework control, and each
//! control's status, as the JSON report, the terminal table and the audit show them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::framework::{Assessment, Decision, Framework};
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

    /// The verdict these results give: FAIL if any fails, else NOT_ASSESSED if any could not
    /// be assessed, else PASS if any passes, else NO_RESOURCES.
    pub fn status(&self) -> ControlStatus {
        if self.fail > 0 {
            ControlStatus::Fail
        } else if self.not_assessed > 0 {
            ControlStatus::NotAssessed
        } else if self.pass > 0 {
            ControlStatus::Pass
        } else {
            ControlStatus::NoResources
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

/// A framework control's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ControlStatus {
    /// A result of its checks fails.
    Fail,
    /// A result of its checks could not be assessed (the data could not be read), or its
    /// checks were not run.
    NotAssessed,
    /// Every result of its checks passes.
    Pass,
    /// A human decides: the benchmark marks it manual and no check decides it (its checks,
    /// if any, are evidence).
    Manual,
    /// The benchmark automates it, but govscan does not collect the service yet.
    NotCollected,
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
            ControlStatus::NotCollected => "NOT_COLLECTED",
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
    /// The benchmark's profile level (1 or 2).
    pub level: u8,
    /// The benchmark's assessment status (Automated or Manual).
    pub assessment: Assessment,
    pub status: ControlStatus,
    #[serde(flatten)]
    pub counts: Counts,
    /// The checks that decide the control or give its evidence, among those run.
    pub checks: Vec<&'a str>,
    /// Why a human decides it (MANUAL), or what was not run (NOT_ASSESSED).
    pub reason: Option<String>,
    /// The APIs govscan would need to collect (NOT_COLLECTED).
    pub needs: Option<&'a str>,
}

/// Each control of the framework with its verdict, from the checks that were run and their
/// results: FAIL if any result fails, NOT_ASSESSED if any could not be assessed (or no check
/// of the control was run), PASS if all pass, NO_RESOURCES if none was evaluated; MANUAL and
/// NOT_COLLECTED as the framework defines the control.
pub fn control_verdicts<'a>(
    framework: &'a Framework,
    checks: &'a [Check],
    results: &[CheckResult],
) -> Vec<ControlVerdict<'a>> {
    framework
        .controls()
        .map(|(section, control)| {
            let own = framework.checks_of(control, checks);
            let counts = Counts::of(results.iter().filter(|r| {
                r.frameworks
                    .get(&framework.id)
                    .is_some_and(|c| c.contains(&control.id))
            }));
            let (status, reason, needs) = match control.decision() {
                Decision::Manual(why) | Decision::Evidence(why) => {
                    (ControlStatus::Manual, Some(why.to_owned()), None)
                }
                Decision::NotCollected(apis) => (
                    ControlStatus::NotCollected,
                    Some(format!("not collected yet: needs {apis}")),
                    Some(apis),
                ),
                Decision::Checks if own.is_empty() => (
                    ControlStatus::NotAssessed,
                    Some("none of its checks was run".to_owned()),
                    None,
                ),
                Decision::Checks => (counts.status(), None, None),
            };
            ControlVerdict {
                section: &section.id,
                section_title: &section.title,
                control: &control.id,
                title: &control.title,
                level: control.level,
                assessment: control.assessment,
                status,
                counts,
                checks: own,
                reason,
                needs,
            }
        })
        .collect()
}

/// How many controls have each verdict.
pub fn verdict_counts(verdicts: &[ControlVerdict]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for v in verdicts {
        *counts.entry(v.status.as_str()).or_default() += 1;
    }
    counts
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::parse_check;
    use crate::rules::Severity;

    const FRAMEWORK: &str = r#"
id: f
title: F
sections:
  - id: "1"
    title: S
    controls:
      - {id: "1.1", title: decided, level: 1, assessment: automated}
      - {id: "1.2", title: evidence, level: 2, assessment: manual, evidence: "a human reads the rows"}
      - {id: "1.3", title: manual, level: 1, assessment: manual, manual: "a judgement"}
      - {id: "1.4", title: not collected, level: 1, assessment: automated, not_collected: "ec2:DescribeInstances"}
      - {id: "1.5", title: no check run, level: 1, assessment: automated}
      - {id: "1.6", title: nothing evaluated, level: 1, assessment: automated}
"#;

    fn check(id: &str, controls: &str) -> Check {
        let text = format!("-- id: {id}\n-- title: t\n-- severity: low\n-- description: d\n-- remediation: r\n-- frameworks: {{ f: [{controls}] }}\n-- tables: [iam_users]\nSELECT 1\n");
        parse_check(std::path::Path::new("x.sql"), &text).unwrap()
    }

    fn result(check: &str, controls: &[&str], status: Status) -> CheckResult {
        CheckResult {
            check_id: check.into(),
            title: "t".into(),
            severity: Severity::Low,
            frameworks: [(
                "f".to_owned(),
                controls.iter().map(|c| c.to_string()).collect(),
            )]
            .into(),
            resource_id: "r".into(),
            account_id: "1".into(),
            region: None,
            status,
            reason: String::new(),
        }
    }

    #[test]
    fn each_way_of_deciding_gives_its_own_verdict() {
        let framework: Framework = serde_norway::from_str(FRAMEWORK).unwrap();
        let checks = [check("a", "\"1.1\", \"1.2\""), check("c", "\"1.6\"")];
        let results = [
            result("a", &["1.1", "1.2"], Status::Pass),
            result("a", &["1.1", "1.2"], Status::Fail),
        ];
        let verdicts = control_verdicts(&framework, &checks, &results);
        let status: Vec<(&str, &str)> = verdicts
            .iter()
            .map(|v| (v.control, v.status.as_str()))
            .collect();
        assert_eq!(
            status,
            [
                ("1.1", "FAIL"),
                // The failing row is evidence; a human decides.
                ("1.2", "MANUAL"),
                ("1.3", "MANUAL"),
                ("1.4", "NOT_COLLECTED"),
                ("1.5", "NOT_ASSESSED"),
                ("1.6", "NO_RESOURCES"),
            ]
        );
        assert_eq!(verdicts[1].counts.fail, 1, "evidence is shown");
        assert_eq!(verdicts[3].needs, Some("ec2:DescribeInstances"));
        assert_eq!(verdicts[1].level, 2);
    }

    #[test]
    fn not_assessed_outranks_pass_and_fail_outranks_both() {
        let framework: Framework = serde_norway::from_str(FRAMEWORK).unwrap();
        let checks = [check("a", "\"1.1\"")];
        let status = |statuses: &[Status]| {
            let results: Vec<CheckResult> =
                statuses.iter().map(|s| result("a", &["1.1"], *s)).collect();
            control_verdicts(&framework, &checks, &results)[0].status
        };
        assert_eq!(status(&[Status::Pass]), ControlStatus::Pass);
        assert_eq!(
            status(&[Status::Pass, Status::NotAssessed]),
            ControlStatus::NotAssessed
        );
        assert_eq!(
            status(&[Status::NotAssessed, Status::Fail]),
            ControlStatus::Fail
        );
    }
}
