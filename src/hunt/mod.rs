//! Detections over the trail lake: one SQL file per detection in `queries/`, with the same
//! kind of YAML header as checks, run by `govscan hunt`.
//!
//! A detection reads two views the hunt registers: `hunt_events` (the events of the hunt
//! window) and `hunt_history` (the window plus the baseline days before it, for baselines
//! and first-seen), both `cloudtrail_events` plus `principal` (who acted: the role for an
//! assumed-role session, else the ARN, the invoking service or the principal id) and
//! `account_id` (the account whose trail logged it). Thresholds come from `hunt_params`
//! (one row), filled from the config file.
//!
//! Each detection returns one row per finding: `event_time`, `account_id`, `region`,
//! `principal`, `source_ip_address`, `event_ids` (the evidence, a list) and `reason`.

pub mod config;
pub mod sigma;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::stream::StreamExt;
use serde::{Deserialize, Serialize};

use crate::rules::{Meta, PlanError, Rule, RuleError, Severity};
pub use config::HuntConfig;

/// The columns every detection returns.
pub const FINDING_COLUMNS: [&str; 7] = [
    "event_time",
    "account_id",
    "region",
    "principal",
    "source_ip_address",
    "event_ids",
    "reason",
];

/// What kind of reasoning a detection does (for documentation and filtering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// One event is enough.
    Event,
    /// Events counted in a window against a threshold (bursts, volume).
    Threshold,
    /// A rate compared with its own trailing history.
    Baseline,
    /// Something not seen before in the history window.
    FirstSeen,
    /// Events in an order, by the same principal or key.
    Sequence,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitre {
    /// ATT&CK tactic ids, e.g. TA0005.
    #[serde(default)]
    pub tactics: Vec<String>,
    /// ATT&CK technique ids, e.g. T1562.008.
    #[serde(default)]
    pub techniques: Vec<String>,
}

/// The metadata header of a detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectionMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub kind: Kind,
    pub description: String,
    #[serde(default)]
    pub mitre: Mitre,
    #[serde(default)]
    pub references: Vec<String>,
    /// Legitimate activity that also matches, so a reader can triage.
    #[serde(default)]
    pub false_positives: Vec<String>,
    /// What a responder does about a finding (SARIF's help, the reports).
    #[serde(default)]
    pub remediation: String,
}

impl Meta for DetectionMeta {
    const KIND: &'static str = "detection";
    const COLUMNS: &'static [&'static str] = &FINDING_COLUMNS;
    fn id(&self) -> &str {
        &self.id
    }
}

pub type Detection = Rule<DetectionMeta>;

/// The detections compiled into govscan.
pub fn builtin_detections() -> Result<Vec<Detection>, RuleError> {
    crate::rules::load_builtin(crate::rules::BUILTIN_QUERIES, "queries", Detection::parse)
}

/// Every detection below `dir`.
pub fn load_dir(dir: &Path) -> Result<Vec<Detection>, RuleError> {
    crate::rules::load_dir(dir, Detection::parse)
}

/// One finding of one detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub query_id: String,
    pub title: String,
    pub severity: Severity,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    pub event_time: Option<String>,
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub principal: Option<String>,
    pub source_ip_address: Option<String>,
    pub event_ids: Vec<String>,
    pub reason: Option<String>,
    /// The mutelist rule's reason, when one suppresses this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    #[error(transparent)]
    Load(#[from] RuleError),
    #[error("there is no trail lake in {0}: ingest CloudTrail logs first (govscan trail ingest)")]
    NoLake(String),
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("{path}: running: {source}")]
    Execute {
        path: PathBuf,
        source: DataFusionError,
    },
    #[error("setting up the hunt window: {0}")]
    Setup(DataFusionError),
}

/// The time range hunted: events in [start, end). `None` means the edge of the lake.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// A session over the trail lake with the hunt's views and parameters.
pub async fn open(
    sessions: &crate::engine::Sessions,
    data_dir: &crate::store::DataDir,
    window: Window,
    config: &HuntConfig,
) -> Result<SessionContext, HuntError> {
    let ctx = sessions
        .open_trail_only(data_dir)
        .await?
        .ok_or_else(|| HuntError::NoLake(data_dir.to_string()))?;
    register_views(&ctx, window, config).await?;
    Ok(ctx)
}

fn timestamp_literal(t: DateTime<Utc>) -> String {
    format!("TIMESTAMP '{}'", t.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
}

/// Registers `hunt_params`, `hunt_history` and `hunt_events` on a session that has
/// `cloudtrail_events`.
pub async fn register_views(
    ctx: &SessionContext,
    window: Window,
    config: &HuntConfig,
) -> Result<(), HuntError> {
    let setup = HuntError::Setup;
    // Without --since the window starts where the lake does: first-seen then needs the
    // baseline days of history at the start of the lake before it calls anything new.
    let lake_start = match window.start {
        Some(start) => start,
        None => {
            // Only the first day's partition is read: its name comes from listing the
            // lake's folders, so the session starts without scanning the lake.
            let sql = match lake_first_day(ctx).await {
                Some(day) => format!(
                    "SELECT min(event_time) FROM cloudtrail_events WHERE event_date = '{day}'"
                ),
                None => "SELECT min(event_time) FROM cloudtrail_events".to_owned(),
            };
            let batches = ctx
                .sql(&sql)
                .await
                .map_err(setup)?
                .collect()
                .await
                .map_err(setup)?;
            let column = batches
                .first()
                .map(|b| b.column(0).clone())
                .filter(|c| !c.is_empty() && !c.is_null(0));
            match column {
                Some(c) => {
                    let micros = c
                        .as_primitive::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
                        .value(0);
                    DateTime::from_timestamp_micros(micros).unwrap_or_default()
                }
                None => Utc::now(),
            }
        }
    };
    let baseline = chrono::Duration::days(i64::from(config.baseline_days));
    let history_start = lake_start - baseline;
    let new_after = match window.start {
        Some(start) => start,
        None => lake_start + baseline,
    };
    let end = window.end.unwrap_or(DateTime::<Utc>::MAX_UTC);
    let params = config.params_table(
        window.start.unwrap_or(lake_start),
        end,
        history_start,
        new_after,
    );
    ctx.register_batch("hunt_params", params).map_err(setup)?;

    let principal = "coalesce(user_identity['session_context']['session_issuer']['arn'], \
                     user_identity['arn'], user_identity['invoked_by'], user_identity['principal_id'])";
    let mut history = format!(
        "CREATE VIEW hunt_history AS SELECT *, {principal} AS principal, \
         recipient_account_id AS account_id FROM cloudtrail_events \
         WHERE event_date >= '{}' AND event_time >= {}",
        history_start.date_naive(),
        timestamp_literal(history_start)
    );
    if let Some(end) = window.end {
        history.push_str(&format!(
            " AND event_date <= '{}' AND event_time < {}",
            end.date_naive(),
            timestamp_literal(end)
        ));
    }
    let events = match window.start {
        Some(start) => format!(
            "CREATE VIEW hunt_events AS SELECT * FROM hunt_history WHERE event_date >= '{}' AND event_time >= {}",
            start.date_naive(),
            timestamp_literal(start)
        ),
        None => "CREATE VIEW hunt_events AS SELECT * FROM hunt_history".to_owned(),
    };
    for statement in [history, events] {
        crate::engine::cluster::prepare(ctx, &statement)
            .await
            .map_err(setup)?;
        ctx.sql(&statement).await.map_err(setup)?;
    }
    Ok(())
}

/// The first `event_date=` partition of the lake behind `cloudtrail_events`, from one
/// listing of its folder; None when it is not a partitioned listing table.
async fn lake_first_day(ctx: &SessionContext) -> Option<chrono::NaiveDate> {
    use datafusion::datasource::listing::ListingTable;
    let provider = ctx.table_provider("cloudtrail_events").await.ok()?;
    let listing = provider.downcast_ref::<ListingTable>()?;
    let url = listing.table_paths().first()?;
    let store = ctx.runtime_env().object_store(url).ok()?;
    let listed = store.list_with_delimiter(Some(url.prefix())).await.ok()?;
    listed
        .common_prefixes
        .iter()
        .filter_map(|p| crate::trail::partition_date(p.filename()?))
        .min()
}

/// The ATT&CK Enterprise tactics, in the matrix's order: (id, name).
pub const TACTICS: &[(&str, &str)] = &[
    ("TA0043", "Reconnaissance"),
    ("TA0042", "Resource Development"),
    ("TA0001", "Initial Access"),
    ("TA0002", "Execution"),
    ("TA0003", "Persistence"),
    ("TA0004", "Privilege Escalation"),
    ("TA0005", "Defense Evasion"),
    ("TA0006", "Credential Access"),
    ("TA0007", "Discovery"),
    ("TA0008", "Lateral Movement"),
    ("TA0009", "Collection"),
    ("TA0011", "Command and Control"),
    ("TA0010", "Exfiltration"),
    ("TA0040", "Impact"),
];

/// What the detections cover of one tactic: the techniques of the detections tagged with
/// it, each with those detections' ids.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TacticCoverage {
    pub tactic: &'static str,
    pub name: &'static str,
    pub techniques: std::collections::BTreeMap<String, Vec<String>>,
}

/// ATT&CK coverage of `detections`, tactic by tactic (every tactic, covered or not).
pub fn coverage(detections: &[Detection]) -> Vec<TacticCoverage> {
    TACTICS
        .iter()
        .map(|(tactic, name)| {
            let mut techniques: std::collections::BTreeMap<String, Vec<String>> =
                std::collections::BTreeMap::new();
            for d in detections
                .iter()
                .filter(|d| d.meta.mitre.tactics.iter().any(|t| t == tactic))
            {
                for t in &d.meta.mitre.techniques {
                    techniques
                        .entry(t.clone())
                        .or_default()
                        .push(d.meta.id.clone());
                }
            }
            TacticCoverage {
                tactic,
                name,
                techniques,
            }
        })
        .collect()
}

/// True when a detection at or above `level` found something not muted.
pub fn finds_at(findings: &[Finding], level: Option<Severity>) -> bool {
    level.is_some_and(|level| {
        findings
            .iter()
            .any(|f| f.severity >= level && f.muted.is_none())
    })
}

/// Runs the detections, `concurrency` at a time; findings in detection order, each
/// detection's sorted by time.
pub async fn run(
    ctx: &SessionContext,
    queries: &[Detection],
    concurrency: usize,
) -> Result<Vec<Finding>, HuntError> {
    let planned = crate::rules::plan_all(ctx, queries).await?;
    let results: Vec<Result<Vec<Finding>, HuntError>> =
        futures::stream::iter(queries.iter().zip(planned).map(|(q, df)| async move {
            let batches = df.collect().await.map_err(|source| HuntError::Execute {
                path: q.source.clone(),
                source,
            })?;
            let mut findings = Vec::new();
            for batch in &batches {
                findings.extend(findings_of(q, batch).map_err(|source| HuntError::Execute {
                    path: q.source.clone(),
                    source,
                })?);
            }
            findings.sort_by(|a, b| {
                (&a.event_time, &a.principal, &a.event_ids).cmp(&(
                    &b.event_time,
                    &b.principal,
                    &b.event_ids,
                ))
            });
            Ok(findings)
        }))
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    Ok(all)
}

fn texts(batch: &RecordBatch, column: &str) -> Result<Vec<Option<String>>, DataFusionError> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| DataFusionError::Plan(format!("no column {column}")))?;
    let array = match array.data_type() {
        // Times print as RFC 3339 in UTC.
        DataType::Timestamp(_, _) => cast(
            &cast(
                array,
                &DataType::Timestamp(
                    datafusion::arrow::datatypes::TimeUnit::Second,
                    Some("UTC".into()),
                ),
            )?,
            &DataType::Utf8,
        )?,
        _ => cast(array, &DataType::Utf8)?,
    };
    let strings = array.as_string::<i32>();
    Ok((0..strings.len())
        .map(|i| (!strings.is_null(i)).then(|| strings.value(i).to_owned()))
        .collect())
}

fn lists(batch: &RecordBatch, column: &str) -> Result<Vec<Vec<String>>, DataFusionError> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| DataFusionError::Plan(format!("no column {column}")))?;
    let list = cast(
        array,
        &DataType::List(Arc::new(datafusion::arrow::datatypes::Field::new(
            "item",
            DataType::Utf8,
            true,
        ))),
    )
    .map_err(|e| DataFusionError::Plan(format!("{column} must be a list of event ids: {e}")))?;
    let list = list.as_list::<i32>();
    Ok((0..list.len())
        .map(|i| {
            if list.is_null(i) {
                return Vec::new();
            }
            let values = list.value(i);
            let values = values.as_string::<i32>();
            let mut ids: Vec<String> = values.iter().flatten().map(str::to_owned).collect();
            ids.sort();
            ids.dedup();
            ids
        })
        .collect())
}

fn findings_of(q: &Detection, batch: &RecordBatch) -> Result<Vec<Finding>, DataFusionError> {
    let time = texts(batch, "event_time")?;
    let account = texts(batch, "account_id")?;
    let region = texts(batch, "region")?;
    let principal = texts(batch, "principal")?;
    let ip = texts(batch, "source_ip_address")?;
    let ids = lists(batch, "event_ids")?;
    let reason = texts(batch, "reason")?;
    Ok((0..batch.num_rows())
        .map(|i| Finding {
            query_id: q.meta.id.clone(),
            title: q.meta.title.clone(),
            severity: q.meta.severity,
            tactics: q.meta.mitre.tactics.clone(),
            techniques: q.meta.mitre.techniques.clone(),
            event_time: time[i].clone(),
            account_id: account[i].clone(),
            region: region[i].clone(),
            principal: principal[i].clone(),
            source_ip_address: ip[i].clone(),
            event_ids: ids[i].clone(),
            reason: reason[i].clone(),
            muted: None,
        })
        .collect())
}

/// `--since`/`--until`: a date (`2024-03-01`), an RFC 3339 time, or an age before now
/// (`7d`, `12h`, `30m`).
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| {
        format!("{text:?} is not a date (YYYY-MM-DD), an RFC 3339 time or an age like 7d, 12h, 30m")
    })?;
    let age = match unit {
        "d" => chrono::Duration::days(n),
        "h" => chrono::Duration::hours(n),
        "m" => chrono::Duration::minutes(n),
        _ => return Err(format!("{text:?}: an age ends in d, h or m")),
    };
    Ok(now - age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_query_loads() {
        let queries = builtin_detections().unwrap();
        assert!(!queries.is_empty());
    }

    #[test]
    fn times_are_dates_times_or_ages() {
        let now = DateTime::parse_from_rfc3339("2024-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = |s: &str| parse_time(s, now).map(|t| t.to_rfc3339());
        assert_eq!(t("2024-03-01").unwrap(), "2024-03-01T00:00:00+00:00");
        assert_eq!(t("7d").unwrap(), "2024-03-03T12:00:00+00:00");
        assert_eq!(t("90m").unwrap(), "2024-03-10T10:30:00+00:00");
        assert_eq!(
            t("2024-03-05T01:02:03+02:00").unwrap(),
            "2024-03-04T23:02:03+00:00"
        );
        assert!(t("yesterday").unwrap_err().contains("not a date"));
        assert!(t("7w").unwrap_err().contains("ends in d, h or m"));
    }
}
