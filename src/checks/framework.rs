//! Framework definitions as data (`checks/frameworks/<id>.yaml`): every recommendation of a
//! benchmark with its profile level and assessment status, and how govscan decides it: by
//! the checks that name it, by checks whose rows are only evidence for a human, by no check
//! (manual), or not yet (the API it would need is not collected).

use serde::Deserialize;

use super::{Check, RuleError};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub controls: Vec<Control>,
}

/// The benchmark's own assessment status of a recommendation. It says whether the
/// benchmark's audit can be scripted, not how govscan decides it: govscan automates some
/// controls the benchmark marks manual when an API answers its audit procedure.
/// Written in lower case in the framework files; reported as the benchmark writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all(deserialize = "lowercase"))]
pub enum Assessment {
    Automated,
    Manual,
}

impl Assessment {
    pub fn as_str(self) -> &'static str {
        match self {
            Assessment::Automated => "Automated",
            Assessment::Manual => "Manual",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// The profile level: 1 (Level 1) or 2 (Level 2, which extends Level 1).
    pub level: u8,
    pub assessment: Assessment,
    /// The checks naming this control only gather evidence; a human decides (why).
    #[serde(default)]
    pub evidence: Option<String>,
    /// No check can decide it (why).
    #[serde(default)]
    pub manual: Option<String>,
    /// The APIs a check would need that govscan does not collect yet.
    #[serde(default)]
    pub not_collected: Option<String>,
}

/// A framework's controls counted by how govscan decides them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    pub decided: usize,
    pub evidence: usize,
    pub manual: usize,
    pub not_collected: usize,
}

impl Coverage {
    pub fn total(&self) -> usize {
        self.decided + self.evidence + self.manual + self.not_collected
    }
}

/// How govscan arrives at a control's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    /// The checks that name the control decide it.
    Checks,
    /// The checks that name it give evidence; the verdict is MANUAL (why).
    Evidence(&'a str),
    /// No check; the verdict is MANUAL (why).
    Manual(&'a str),
    /// Automated in the benchmark, not collected by govscan yet (the APIs it needs).
    NotCollected(&'a str),
}

impl Control {
    pub fn decision(&self) -> Decision<'_> {
        match (&self.evidence, &self.manual, &self.not_collected) {
            (Some(why), _, _) => Decision::Evidence(why),
            (_, Some(why), _) => Decision::Manual(why),
            (_, _, Some(apis)) => Decision::NotCollected(apis),
            _ => Decision::Checks,
        }
    }

    /// Whether checks may name this control (they decide it or give its evidence).
    pub fn takes_checks(&self) -> bool {
        matches!(self.decision(), Decision::Checks | Decision::Evidence(_))
    }
}

impl Framework {
    pub fn controls(&self) -> impl Iterator<Item = (&Section, &Control)> {
        self.sections
            .iter()
            .flat_map(|s| s.controls.iter().map(move |c| (s, c)))
    }

    /// The controls of a profile: Level 1 keeps level-1 controls, Level 2 keeps both (the
    /// benchmark's Level 2 profile extends Level 1).
    pub fn at_level(&self, level: u8) -> Framework {
        let mut framework = self.clone();
        for section in &mut framework.sections {
            section.controls.retain(|c| c.level <= level);
        }
        framework.sections.retain(|s| !s.controls.is_empty());
        framework
    }

    /// The ids of the checks, among `checks`, that name `control` of this framework.
    pub fn checks_of<'a>(&self, control: &Control, checks: &'a [Check]) -> Vec<&'a str> {
        checks
            .iter()
            .filter(|c| {
                c.meta
                    .frameworks
                    .get(&self.id)
                    .is_some_and(|ids| ids.contains(&control.id))
            })
            .map(|c| c.meta.id.as_str())
            .collect()
    }

    /// Whether a check maps to a control this framework lists.
    pub fn covers(&self, check: &Check) -> bool {
        check
            .meta
            .frameworks
            .get(&self.id)
            .is_some_and(|ids| self.controls().any(|(_, c)| ids.contains(&c.id)))
    }

    /// How many of its controls govscan decides with checks, gives evidence for, leaves to a
    /// human, or does not collect yet.
    pub fn coverage(&self) -> Coverage {
        let mut c = Coverage::default();
        for (_, control) in self.controls() {
            match control.decision() {
                Decision::Checks => c.decided += 1,
                Decision::Evidence(_) => c.evidence += 1,
                Decision::Manual(_) => c.manual += 1,
                Decision::NotCollected(_) => c.not_collected += 1,
            }
        }
        c
    }

    /// A control names one way of deciding it, a level the benchmark has, and
    /// `not_collected` only where the benchmark automates the control.
    fn check_definition(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for (_, c) in self.controls() {
            if !seen.insert(&c.id) {
                return Err(format!("control {} is listed twice", c.id));
            }
            if !(1..=2).contains(&c.level) {
                return Err(format!("control {}: level must be 1 or 2", c.id));
            }
            let ways = [&c.evidence, &c.manual, &c.not_collected]
                .iter()
                .filter(|w| w.is_some())
                .count();
            if ways > 1 {
                return Err(format!(
                    "control {}: give one of evidence, manual and not_collected",
                    c.id
                ));
            }
            if c.not_collected.is_some() && c.assessment == Assessment::Manual {
                return Err(format!(
                    "control {}: not_collected is for controls the benchmark automates; a manual one says why under manual",
                    c.id
                ));
            }
        }
        Ok(())
    }
}

pub fn builtin_frameworks() -> Result<Vec<Framework>, RuleError> {
    crate::rules::BUILTIN_FRAMEWORKS
        .iter()
        .map(|(rel, text)| {
            let path = std::path::Path::new("checks").join(rel);
            let framework: Framework =
                serde_norway::from_str(text).map_err(|e| RuleError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            framework
                .check_definition()
                .map_err(|message| RuleError::Invalid { path, message })?;
            Ok(framework)
        })
        .collect()
}

/// Every control a check names must exist in its framework and be one that checks decide
/// or give evidence for; a mistake names the check's file.
pub fn validate(frameworks: &[Framework], checks: &[Check]) -> Result<(), RuleError> {
    for check in checks {
        for (framework_id, controls) in &check.meta.frameworks {
            let invalid = |message: String| RuleError::Invalid {
                path: check.source.clone(),
                message,
            };
            let Some(framework) = frameworks.iter().find(|f| &f.id == framework_id) else {
                return Err(invalid(format!(
                    "frameworks: unknown framework {framework_id:?}"
                )));
            };
            for control in controls {
                match framework.controls().find(|(_, c)| &c.id == control) {
                    None => {
                        return Err(invalid(format!(
                            "frameworks: {framework_id} has no control {control:?}"
                        )))
                    }
                    Some((_, c)) if !c.takes_checks() => {
                        return Err(invalid(format!(
                            "frameworks: {framework_id} {control} is marked manual or not collected in the framework definition"
                        )))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::builtin_checks;

    #[test]
    fn builtin_checks_map_to_real_decidable_controls() {
        let frameworks = builtin_frameworks().unwrap();
        validate(&frameworks, &builtin_checks().unwrap()).unwrap();
    }

    /// The benchmarks' own sizes: v5.0 and v6.0 have 63 recommendations, v7.0 has 70.
    #[test]
    fn each_cis_framework_lists_every_recommendation() {
        let frameworks = builtin_frameworks().unwrap();
        let count = |id: &str| {
            frameworks
                .iter()
                .find(|f| f.id == id)
                .unwrap_or_else(|| panic!("no framework {id}"))
                .controls()
                .count()
        };
        assert_eq!(count("cis-aws-5.0"), 63);
        assert_eq!(count("cis-aws-6.0"), 63);
        assert_eq!(count("cis-aws-7.0"), 70);
    }

    /// The benchmarks' numbering: v7.0 as published; v5.0 as published, and v6.0 is v5.0
    /// with every section one higher (IAM became section 2) and the same titles.
    #[test]
    fn each_cis_framework_numbers_its_recommendations_as_the_benchmark() {
        let frameworks = builtin_frameworks().unwrap();
        let controls = |id: &str| -> Vec<(String, String)> {
            frameworks
                .iter()
                .find(|f| f.id == id)
                .unwrap()
                .controls()
                .map(|(_, c)| (c.id.clone(), c.title.clone()))
                .collect()
        };
        let ids = |id: &str| controls(id).into_iter().map(|(i, _)| i).collect::<Vec<_>>();
        fn run(prefix: &'static str, from: u32, to: u32) -> impl Iterator<Item = String> {
            (from..=to).map(move |n| format!("{prefix}{n}"))
        }
        let v7: Vec<String> = run("2.1.", 1, 6)
            .chain(run("2.", 2, 21))
            .chain(run("3.1.", 1, 4))
            .chain(run("3.2.", 1, 4))
            .chain(run("3.3.", 1, 1))
            .chain(run("4.", 1, 10))
            .chain(run("5.", 1, 16))
            .chain(run("6.1.", 1, 2))
            .chain(run("6.", 2, 8))
            .collect();
        assert_eq!(ids("cis-aws-7.0"), v7);
        let v5: Vec<String> = run("1.", 1, 21)
            .chain(run("2.1.", 1, 4))
            .chain(run("2.2.", 1, 4))
            .chain(run("2.3.", 1, 1))
            .chain(run("3.", 1, 9))
            .chain(run("4.", 1, 16))
            .chain(run("5.1.", 1, 2))
            .chain(run("5.", 2, 7))
            .collect();
        assert_eq!(ids("cis-aws-5.0"), v5);
        let renumbered: Vec<(String, String)> = controls("cis-aws-5.0")
            .into_iter()
            .map(|(id, title)| {
                let (section, rest) = id.split_once('.').unwrap();
                (
                    format!("{}.{rest}", section.parse::<u32>().unwrap() + 1),
                    title,
                )
            })
            .collect();
        assert_eq!(controls("cis-aws-6.0"), renumbered);
    }

    #[test]
    fn every_control_decided_by_checks_has_one() {
        let frameworks = builtin_frameworks().unwrap();
        let checks = builtin_checks().unwrap();
        for f in &frameworks {
            for (_, control) in f.controls().filter(|(_, c)| c.takes_checks()) {
                assert!(
                    checks.iter().any(|c| c
                        .meta
                        .frameworks
                        .get(&f.id)
                        .is_some_and(|ids| ids.contains(&control.id))),
                    "{} {} has no check",
                    f.id,
                    control.id
                );
            }
        }
    }

    #[test]
    fn a_check_naming_an_unknown_control_is_rejected() {
        let frameworks = builtin_frameworks().unwrap();
        let text = "-- id: x\n-- title: t\n-- severity: low\n-- description: d\n-- remediation: r\n-- frameworks: { cis-aws-5.0: [\"9.9\"] }\n-- tables: [iam_users]\nSELECT 1\n";
        let check = crate::checks::parse_check(std::path::Path::new("checks/x.sql"), text).unwrap();
        let err = validate(&frameworks, &[check]).unwrap_err().to_string();
        assert!(err.contains("checks/x.sql") && err.contains("9.9"), "{err}");
    }

    #[test]
    fn a_check_naming_a_not_collected_control_is_rejected() {
        // Every built-in automated control is collected for now: a framework of one.
        let frameworks = [framework(
            "      - {id: \"6.7\", title: t, level: 1, assessment: automated, not_collected: \"ec2:DescribeInstances\"}\n",
        )
        .unwrap()];
        let text = "-- id: x\n-- title: t\n-- severity: low\n-- description: d\n-- remediation: r\n-- frameworks: { f: [\"6.7\"] }\n-- tables: [iam_users]\nSELECT 1\n";
        let check = crate::checks::parse_check(std::path::Path::new("checks/x.sql"), text).unwrap();
        let err = validate(&frameworks, &[check]).unwrap_err().to_string();
        assert!(
            err.contains("6.7") && err.contains("not collected"),
            "{err}"
        );
    }

    fn framework(controls: &str) -> Result<Framework, String> {
        let text = format!(
            "id: f\ntitle: F\nsections:\n  - id: \"1\"\n    title: S\n    controls:\n{controls}"
        );
        let f: Framework = serde_norway::from_str(&text).map_err(|e| e.to_string())?;
        f.check_definition()?;
        Ok(f)
    }

    #[test]
    fn a_control_with_two_ways_of_deciding_or_a_bad_level_is_rejected() {
        let two = "      - {id: \"1.1\", title: t, level: 1, assessment: manual, manual: a, evidence: b}\n";
        assert!(framework(two).unwrap_err().contains("one of"));
        let level = "      - {id: \"1.1\", title: t, level: 3, assessment: automated}\n";
        assert!(framework(level).unwrap_err().contains("level"));
        let manual_not_collected = "      - {id: \"1.1\", title: t, level: 1, assessment: manual, not_collected: \"ec2:X\"}\n";
        assert!(framework(manual_not_collected)
            .unwrap_err()
            .contains("automates"));
        let twice = "      - {id: \"1.1\", title: t, level: 1, assessment: automated}\n      - {id: \"1.1\", title: u, level: 1, assessment: automated}\n";
        assert!(framework(twice).unwrap_err().contains("twice"));
    }

    #[test]
    fn level_one_keeps_level_one_controls_and_level_two_keeps_all() {
        let f = framework(
            "      - {id: \"1.1\", title: t, level: 1, assessment: automated}\n      - {id: \"1.2\", title: u, level: 2, assessment: automated}\n",
        )
        .unwrap();
        let ids = |f: &Framework| f.controls().map(|(_, c)| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&f.at_level(1)), ["1.1"]);
        assert_eq!(ids(&f.at_level(2)), ["1.1", "1.2"]);
    }
}
