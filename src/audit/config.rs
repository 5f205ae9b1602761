//! `govscan.yaml`: everything a scheduled audit needs, in one file. Every key has a default
//! (docs/govscan.yaml lists them all, and a test holds it to [`AuditConfig::default`]);
//! flags of `govscan audit` override the file. Errors name the file, the line and the key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::hunt::HuntConfig;
use crate::rules::Severity;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Where snapshots, the trail lake and the audits live: a folder or s3://bucket/prefix.
    /// `--data-dir` and GOVSCAN_DATA_DIR override it; unset, govscan's default folder.
    pub data_dir: Option<String>,
    pub collect: CollectConfig,
    pub trail: TrailConfig,
    pub check: CheckConfig,
    pub hunt: HuntSection,
    pub report: ReportConfig,
    pub fail_on: FailOnConfig,
    pub retention: RetentionConfig,
    pub lock: LockConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectConfig {
    /// Every active account of the organization (from its management or delegated account),
    /// entered by AssumeRole; false: the caller's account only.
    pub org: bool,
    /// With `org`, only these account ids (empty: all).
    pub accounts: Vec<String>,
    /// Region names, or `all` for every region enabled in each account.
    pub regions: Vec<String>,
    /// Services to collect (empty: all).
    pub services: Vec<String>,
    /// The role assumed in each member account.
    pub role_name: String,
    /// Parts (account x region x service) collected at once.
    pub concurrency: u16,
    /// Attempts per AWS call before it is recorded as failed.
    pub max_attempts: u32,
}

impl Default for CollectConfig {
    fn default() -> Self {
        Self {
            org: false,
            accounts: Vec::new(),
            regions: vec!["all".to_owned()],
            services: Vec::new(),
            role_name: "OrganizationAccountAccessRole".to_owned(),
            concurrency: 8,
            max_attempts: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrailConfig {
    /// Ingest what is new in the buckets of the trails the snapshot names (their
    /// `<prefix>/AWSLogs/`, organization trails included), through the lake's checkpoint.
    pub ingest: bool,
    /// More sources to ingest each time: s3://bucket/prefix or folders.
    pub extra_sources: Vec<String>,
    /// Delete lake partitions (days) older than this many days after the audit; unset:
    /// keep everything.
    pub retain_days: Option<u32>,
}

impl Default for TrailConfig {
    fn default() -> Self {
        Self {
            ingest: true,
            extra_sources: Vec::new(),
            retain_days: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Frameworks whose checks run and whose controls the report shows.
    pub frameworks: Vec<String>,
    /// Only the controls of this CIS profile level (1, or 2 which includes 1); unset: all.
    pub level: Option<u8>,
    /// A mutelist file (see `check --mutelist`): matching FAILs and findings are MUTED.
    pub mutelist: Option<PathBuf>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            frameworks: vec!["cis-aws-7.0".to_owned()],
            level: None,
            mutelist: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HuntSection {
    /// Run the detections over the trail lake.
    pub enabled: bool,
    /// The first audit's hunt window reaches this many days back; later audits start where
    /// the previous one ended.
    pub first_window_days: u32,
    /// The hunt's parameters (see `hunt --config`).
    pub parameters: HuntConfig,
}

impl Default for HuntSection {
    fn default() -> Self {
        Self {
            enabled: true,
            first_window_days: 7,
            parameters: HuntConfig::default(),
        }
    }
}

/// What an audit writes into `audits/<snapshot id>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AuditFormat {
    /// report.html: the audit document, changes first.
    Html,
    /// report.md: the same as Markdown.
    Markdown,
    /// checks.sarif and findings.sarif, for GitHub code scanning.
    Sarif,
    /// checks.json and findings.json.
    Json,
    /// checks.ocsf.jsonl and findings.ocsf.jsonl, for a security lake.
    Ocsf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportConfig {
    pub formats: Vec<AuditFormat>,
    /// Also copy the audit's files here (a folder on this machine).
    pub output_dir: Option<PathBuf>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            formats: vec![
                AuditFormat::Html,
                AuditFormat::Markdown,
                AuditFormat::Sarif,
                AuditFormat::Json,
                AuditFormat::Ocsf,
            ],
            output_dir: None,
        }
    }
}

/// Which problems make the exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailScope {
    /// FAILs and findings that the previous audit did not have.
    New,
    /// Every FAIL and finding.
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FailOnConfig {
    /// Exit 1 when a FAIL or finding at or above this severity is counted; unset: never.
    pub severity: Option<Severity>,
    pub scope: FailScope,
}

impl Default for FailOnConfig {
    fn default() -> Self {
        Self {
            severity: Some(Severity::High),
            scope: FailScope::New,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Keep the newest this many audits (with their snapshots); unset: no count limit.
    pub keep_last: Option<u32>,
    /// Keep audits younger than this many days; unset: no age limit. With both, an audit is
    /// kept when either keeps it; the newest audit is always kept.
    pub keep_days: Option<u32>,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            keep_last: Some(30),
            keep_days: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockConfig {
    /// A lock whose holder has not renewed it for this many minutes is stale and taken
    /// over (the holder renews it every minute while it runs).
    pub stale_after_minutes: u32,
}

impl Default for LockConfig {
    fn default() -> Self {
        Self {
            stale_after_minutes: 15,
        }
    }
}

impl AuditConfig {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and validates a config's text; an error names the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self = serde_norway::from_str(text).map_err(|e| {
            // The parser's own message says "at line L column C" where it knows them.
            e.to_string()
        })?;
        config
            .validate()
            .map_err(|(key, message)| match line_of(text, &key) {
                Some(line) => format!("line {line}: {}: {message}", key.join(".")),
                None => format!("{}: {message}", key.join(".")),
            })?;
        Ok(config)
    }

    /// What the types cannot say; an error is the key's path and what is wrong.
    pub fn validate(&self) -> Result<(), (Vec<&'static str>, String)> {
        let at = |path: &[&'static str], message: String| Err((path.to_vec(), message));
        let c = &self.collect;
        if c.regions.is_empty() {
            return at(&["collect", "regions"], "give region names or all".into());
        }
        for r in &c.regions {
            let valid = r == "all"
                || (r.split('-').count() >= 3
                    && r.chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'));
            if !valid {
                return at(
                    &["collect", "regions"],
                    format!("{r:?} is not a region name like us-east-1, or all"),
                );
            }
        }
        if c.regions.len() > 1 && c.regions.iter().any(|r| r == "all") {
            return at(
                &["collect", "regions"],
                "all cannot be combined with region names".into(),
            );
        }
        let known: Vec<&str> = crate::collect::all_collectors()
            .iter()
            .map(|s| s.service())
            .collect();
        if let Some(s) = c.services.iter().find(|s| !known.contains(&s.as_str())) {
            return at(
                &["collect", "services"],
                format!("{s:?} is not a service ({})", known.join(", ")),
            );
        }
        if let Some(a) = c
            .accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return at(
                &["collect", "accounts"],
                format!("{a:?} is not a 12-digit account id"),
            );
        }
        if !c.accounts.is_empty() && !c.org {
            return at(
                &["collect", "accounts"],
                "accounts are chosen from the organization: set org: true".into(),
            );
        }
        if !(1..=256).contains(&c.concurrency) {
            return at(&["collect", "concurrency"], "must be 1 to 256".into());
        }
        if !(1..=20).contains(&c.max_attempts) {
            return at(&["collect", "max_attempts"], "must be 1 to 20".into());
        }
        if c.role_name.trim().is_empty() {
            return at(&["collect", "role_name"], "must not be empty".into());
        }
        if self.check.frameworks.is_empty() {
            return at(
                &["check", "frameworks"],
                "name at least one framework".into(),
            );
        }
        let frameworks = crate::checks::framework::builtin_frameworks()
            .map_err(|e| (vec!["check", "frameworks"], e.to_string()))?;
        for f in &self.check.frameworks {
            if !frameworks.iter().any(|k| &k.id == f) {
                let ids: Vec<&str> = frameworks.iter().map(|k| k.id.as_str()).collect();
                return at(
                    &["check", "frameworks"],
                    format!("{f:?} is not a framework ({})", ids.join(", ")),
                );
            }
        }
        if let Some(level) = self.check.level {
            if !(1..=2).contains(&level) {
                return at(&["check", "level"], "must be 1 or 2".into());
            }
        }
        if self.hunt.first_window_days == 0 {
            return at(&["hunt", "first_window_days"], "must be at least 1".into());
        }
        self.hunt
            .parameters
            .validate()
            .map_err(|e| (vec!["hunt", "parameters"], e))?;
        if self.report.formats.is_empty() {
            return at(&["report", "formats"], "name at least one format".into());
        }
        if self.retention.keep_last == Some(0) {
            return at(
                &["retention", "keep_last"],
                "must be at least 1 (the newest audit is what the next one compares with)".into(),
            );
        }
        if self.retention.keep_days == Some(0) {
            return at(&["retention", "keep_days"], "must be at least 1".into());
        }
        if self.trail.retain_days == Some(0) {
            return at(&["trail", "retain_days"], "must be at least 1".into());
        }
        if self.lock.stale_after_minutes < 2 {
            return at(
                &["lock", "stale_after_minutes"],
                "must be at least 2 (the holder renews the lock every minute)".into(),
            );
        }
        Ok(())
    }

    /// The effective configuration as YAML (`audit --print-config`).
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("a config serializes")
    }
}

/// The 1-based line where the nested key `path` is written in `text`: each key is looked
/// for below the previous one, more indented than it.
fn line_of(text: &str, path: &[&str]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut indent: Option<usize> = None;
    let mut found = None;
    for key in path {
        let at = lines.iter().enumerate().skip(from).find_map(|(i, line)| {
            let trimmed = line.trim_start();
            let depth = line.len() - trimmed.len();
            let deeper = indent.is_none_or(|d| depth > d);
            (deeper && trimmed.starts_with(&format!("{key}:"))).then_some((i, depth))
        })?;
        found = Some(at.0 + 1);
        from = at.0 + 1;
        indent = Some(at.1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_the_defaults() {
        assert_eq!(AuditConfig::parse("{}").unwrap(), AuditConfig::default());
        assert_eq!(
            AuditConfig::parse("# nothing\n").unwrap(),
            AuditConfig::default()
        );
    }

    #[test]
    fn a_wrong_value_is_named_with_its_line_and_key() {
        let text = "collect:\n  org: true\n  regions: [us-east-1]\n  services: [iam, nosuch]\nretention:\n  keep_last: 3\n";
        let err = AuditConfig::parse(text).unwrap_err();
        assert!(
            err.starts_with("line 4: collect.services: \"nosuch\" is not a service"),
            "{err}"
        );
        let err = AuditConfig::parse("retention:\n  keep_last: 0\n").unwrap_err();
        assert!(err.starts_with("line 2: retention.keep_last:"), "{err}");
        let err = AuditConfig::parse("check:\n  frameworks: [cis-aws-9.9]\n").unwrap_err();
        assert!(err.contains("line 2: check.frameworks"), "{err}");
        let err =
            AuditConfig::parse("hunt:\n  parameters:\n    trusted_cidrs: [nope]\n").unwrap_err();
        assert!(
            err.starts_with("line 2: hunt.parameters: trusted_cidrs"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_rejected_with_the_parsers_line() {
        let err =
            AuditConfig::parse("collect:\n  org: true\n  regoins: [us-east-1]\n").unwrap_err();
        assert!(err.contains("regoins") && err.contains("line 3"), "{err}");
        let err = AuditConfig::parse("fail_on:\n  severity: severe\n").unwrap_err();
        assert!(err.contains("severe") && err.contains("line 2"), "{err}");
        let err = AuditConfig::parse("report:\n  formats: [pdf]\n").unwrap_err();
        assert!(err.contains("pdf"), "{err}");
    }

    #[test]
    fn the_printed_config_reads_back_as_itself() {
        let mut config = AuditConfig::default();
        config.collect.org = true;
        config.collect.regions = vec!["eu-west-1".into()];
        config.retention.keep_days = Some(90);
        config.fail_on.scope = FailScope::Any;
        assert_eq!(AuditConfig::parse(&config.to_yaml()).unwrap(), config);
    }

    /// docs/govscan.yaml documents every key at its default.
    #[test]
    fn the_documented_config_is_every_key_at_its_default() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("docs/govscan.yaml")).unwrap();
        assert_eq!(AuditConfig::parse(&text).unwrap(), AuditConfig::default());
        let written: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let defaults = serde_norway::to_value(AuditConfig::default()).unwrap();
        fn keys(v: &serde_norway::Value, at: String, out: &mut Vec<String>) {
            if let serde_norway::Value::Mapping(m) = v {
                for (k, v) in m {
                    let k = format!("{at}{}", k.as_str().unwrap_or_default());
                    out.push(k.clone());
                    keys(v, format!("{k}."), out);
                }
            }
        }
        let (mut want, mut have) = (Vec::new(), Vec::new());
        keys(&defaults, String::new(), &mut want);
        keys(&written, String::new(), &mut have);
        let missing: Vec<&String> = want.iter().filter(|k| !have.contains(k)).collect();
        assert!(missing.is_empty(), "docs/govscan.yaml lacks {missing:?}");
    }
}
