//! Framework definitions as data (`checks/frameworks/<id>.yaml`): sections and controls,
//! with the reason a control is manual.

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// Why the snapshot cannot decide this control; None when checks decide it.
    #[serde(default)]
    pub manual: Option<String>,
}

impl Framework {
    pub fn controls(&self) -> impl Iterator<Item = (&Section, &Control)> {
        self.sections
            .iter()
            .flat_map(|s| s.controls.iter().map(move |c| (s, c)))
    }
}

pub fn builtin_frameworks() -> Result<Vec<Framework>, RuleError> {
    crate::rules::BUILTIN_FRAMEWORKS
        .iter()
        .map(|(rel, text)| {
            serde_norway::from_str(text).map_err(|e| RuleError::Invalid {
                path: std::path::Path::new("checks").join(rel),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Every control a check names must exist in its framework, and no manual control may have
/// a check; a mistake names the check's file.
pub fn validate(frameworks: &[Framework], checks: &[Check]) -> Result<(), RuleError> {
    for check in checks {
        for (framework_id, controls) in &check.meta.frameworks {
            let Some(framework) = frameworks.iter().find(|f| &f.id == framework_id) else {
                return Err(RuleError::Invalid {
                    path: check.source.clone(),
                    message: format!("frameworks: unknown framework {framework_id:?}"),
                });
            };
            for control in controls {
                match framework.controls().find(|(_, c)| &c.id == control) {
                    None => {
                        return Err(RuleError::Invalid { path: check.source.clone(), message: format!("frameworks: {framework_id} has no control {control:?}") })
                    }
                    Some((_, c)) if c.manual.is_some() => {
                        return Err(RuleError::Invalid {
                            path: check.source.clone(),
                            message: format!("frameworks: {framework_id} {control} is marked manual in the framework definition"),
                        })
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
    fn builtin_checks_map_to_real_automated_controls() {
        let frameworks = builtin_frameworks().unwrap();
        validate(&frameworks, &builtin_checks().unwrap()).unwrap();
    }

    #[test]
    fn every_automated_control_has_a_check() {
        let frameworks = builtin_frameworks().unwrap();
        let checks = builtin_checks().unwrap();
        for f in &frameworks {
            for (_, control) in f.controls().filter(|(_, c)| c.manual.is_none()) {
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
}
