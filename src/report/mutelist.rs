//! Suppressions (`--mutelist F`): accepted risks, written down with a reason and an expiry.
//!
//! ```yaml
//! rules:
//!   - id: s3-public-bucket            # a check or detection id; * for any
//!     resource: arn:aws:s3:::www-*    # the resource (checks) or principal (hunt); * wildcards
//!     account: "111111111111"         # optional
//!     region: us-east-1               # optional
//!     reason: the public website
//!     expires: 2027-01-31             # optional; after it the rule stops applying
//! ```
//!
//! A FAIL or finding matched by a rule in force becomes MUTED, shown with the rule's reason,
//! and no longer counts for `--fail-on`. An expired rule mutes nothing and is reported, so an
//! accepted risk is looked at again.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::checks::run::{CheckResult, Status};
use crate::hunt::Finding;
use crate::policy::pattern::star_glob;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    rules: Vec<MuteRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuteRule {
    pub id: String,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct Mutelist {
    rules: Vec<MuteRule>,
}

/// What a mutelist rule is matched against.
pub struct MuteTarget<'a> {
    pub rule_id: &'a str,
    /// The resource (checks) or the principal (hunt findings).
    pub subject: &'a str,
    pub account: Option<&'a str>,
    pub region: Option<&'a str>,
}

/// Something a rule can mute: a check's FAIL, a hunt finding.
pub trait Mutable {
    /// What rules are matched against; None when there is nothing to mute (a PASS).
    fn mute_target(&self) -> Option<MuteTarget<'_>>;
    /// Marks it muted by a rule with `reason`.
    fn mute(&mut self, reason: &str);
}

impl Mutable for CheckResult {
    fn mute_target(&self) -> Option<MuteTarget<'_>> {
        (self.status == Status::Fail).then(|| MuteTarget {
            rule_id: &self.check_id,
            subject: &self.resource_id,
            account: Some(&self.account_id),
            region: self.region.as_deref(),
        })
    }

    fn mute(&mut self, reason: &str) {
        self.status = Status::Muted;
        self.reason = format!("muted ({reason}): {}", self.reason);
    }
}

impl Mutable for Finding {
    fn mute_target(&self) -> Option<MuteTarget<'_>> {
        Some(MuteTarget {
            rule_id: &self.query_id,
            subject: self.principal.as_deref().unwrap_or_default(),
            account: self.account_id.as_deref(),
            region: self.region.as_deref(),
        })
    }

    fn mute(&mut self, reason: &str) {
        self.muted = Some(reason.to_owned());
    }
}

impl Mutelist {
    /// Mutes every item that a rule in force on `today` matches; answers the rules past
    /// their expiry, which mute nothing (a report says so).
    pub fn apply<T: Mutable>(&self, items: &mut [T], today: NaiveDate) -> Vec<MuteRule> {
        for item in items.iter_mut() {
            let reason = item.mute_target().and_then(|t| {
                self.find(t.rule_id, t.subject, t.account, t.region, today)
                    .map(|rule| rule.reason.clone())
            });
            if let Some(reason) = reason {
                item.mute(&reason);
            }
        }
        self.expired(today).into_iter().cloned().collect()
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        for (i, rule) in file.rules.iter().enumerate() {
            if rule.reason.trim().is_empty() {
                return Err(format!("rules[{i}] ({}): a reason is required", rule.id));
            }
        }
        Ok(Self { rules: file.rules })
    }

    /// Rules whose expiry is before `today`: they mute nothing.
    pub fn expired(&self, today: NaiveDate) -> Vec<&MuteRule> {
        self.rules
            .iter()
            .filter(|r| r.expires.is_some_and(|e| e < today))
            .collect()
    }

    /// The first rule in force that matches.
    pub fn find(
        &self,
        rule_id: &str,
        subject: &str,
        account: Option<&str>,
        region: Option<&str>,
        today: NaiveDate,
    ) -> Option<&MuteRule> {
        let field = |pattern: &Option<String>, value: Option<&str>| match pattern {
            None => true,
            Some(p) => value.is_some_and(|v| star_glob(p, v)),
        };
        self.rules.iter().find(|r| {
            r.expires.is_none_or(|e| e >= today)
                && star_glob(&r.id, rule_id)
                && field(&r.resource, Some(subject))
                && field(&r.account, account)
                && field(&r.region, region)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_of_characters() {
        assert!(star_glob("arn:aws:s3:::www-*", "arn:aws:s3:::www-prod"));
        assert!(star_glob("*", ""));
        assert!(star_glob("a*b*c", "aXXbYYc"));
        assert!(!star_glob("a*b*c", "aXXbYY"));
        assert!(!star_glob("www", "www-prod"));
        assert!(star_glob("*-prod", "www-prod"));
    }

    #[test]
    fn rules_mute_until_they_expire_and_need_a_reason() {
        let list = Mutelist::parse(
            "rules:\n  - {id: s3-*, resource: 'arn:aws:s3:::www-*', reason: website, expires: 2026-12-31}\n  - {id: root-activity, account: '111111111111', reason: break-glass drill, expires: 2020-01-01}\n",
        )
        .unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let hit = list.find(
            "s3-public-bucket",
            "arn:aws:s3:::www-prod",
            Some("1"),
            None,
            day("2026-06-01"),
        );
        assert_eq!(hit.map(|r| r.reason.as_str()), Some("website"));
        assert!(list
            .find(
                "s3-public-bucket",
                "arn:aws:s3:::data",
                Some("1"),
                None,
                day("2026-06-01")
            )
            .is_none());
        assert!(list
            .find(
                "s3-public-bucket",
                "arn:aws:s3:::www-prod",
                None,
                None,
                day("2027-01-01")
            )
            .is_none());
        assert!(list
            .find(
                "root-activity",
                "arn",
                Some("111111111111"),
                None,
                day("2026-06-01")
            )
            .is_none());
        assert_eq!(list.expired(day("2026-06-01")).len(), 1);
        assert!(Mutelist::parse("rules:\n  - {id: x, reason: ' '}\n")
            .unwrap_err()
            .contains("reason is required"));
        assert!(Mutelist::parse("rules:\n  - {id: x, reason: r, colour: red}\n").is_err());
    }
}
