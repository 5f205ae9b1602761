//! The hunt's parameters: what depends on the environment (baseline window, thresholds,
//! trusted networks, expected regions) is set in a YAML file (`govscan hunt --config F`),
//! not by editing the SQL. Detections read them from the one-row table `hunt_params`.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, ListBuilder, RecordBatch, StringBuilder,
    TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use serde::{Deserialize, Serialize};

/// Every parameter with its default; a config file sets any subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HuntConfig {
    /// Days of history before the hunt window that baselines and first-seen compare with.
    pub baseline_days: u32,
    /// A rate is anomalous when it is this many times its baseline average...
    pub rate_ratio: f64,
    /// ...and at least this many events in the hour.
    pub rate_min_count: i64,
    /// The window in which bursts are counted, in minutes.
    pub burst_minutes: i64,
    /// Failed console logins by one user or from one IP within `burst_minutes`.
    pub login_failure_burst: i64,
    /// AccessDenied-type errors by one principal within `burst_minutes`.
    pub access_denied_burst: i64,
    /// Distinct List/Describe/Get APIs called by one principal within `burst_minutes`.
    pub enumeration_distinct_calls: i64,
    /// Secret reads (GetSecretValue, decrypted GetParameter(s), GetPasswordData) by one
    /// principal within `burst_minutes`.
    pub credential_access_volume: i64,
    /// S3 objects deleted by one principal within `burst_minutes` (each key of a
    /// DeleteObjects call counts).
    pub object_deletion_volume: i64,
    /// Hours within which the steps of a sequence must follow each other.
    pub sequence_hours: i64,
    /// Source networks that are never "new" or "outside" (CIDRs, e.g. your VPN's egress).
    pub trusted_cidrs: Vec<String>,
    /// Regions you work in; activity elsewhere is reported (empty: no region detection).
    pub expected_regions: Vec<String>,
}

impl Default for HuntConfig {
    fn default() -> Self {
        Self {
            baseline_days: 14,
            rate_ratio: 5.0,
            rate_min_count: 50,
            burst_minutes: 10,
            login_failure_burst: 5,
            access_denied_burst: 10,
            enumeration_distinct_calls: 20,
            credential_access_volume: 10,
            object_deletion_volume: 100,
            sequence_hours: 24,
            trusted_cidrs: Vec::new(),
            expected_regions: Vec::new(),
        }
    }
}

impl HuntConfig {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let config: Self =
            serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        config
            .validate()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(config)
    }

    /// What the types cannot say: CIDRs are CIDRs, a baseline has at least one day.
    pub fn validate(&self) -> Result<(), String> {
        for cidr in &self.trusted_cidrs {
            // A valid CIDR contains its own network address.
            let network = cidr.split('/').next().unwrap_or_default();
            if crate::policy::net::cidr_contains(cidr, network) != Some(true) {
                return Err(format!("trusted_cidrs: {cidr:?} is not a CIDR"));
            }
        }
        if self.baseline_days == 0 {
            return Err("baseline_days must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The one row of `hunt_params`: these settings plus the window's edges.
    pub fn params_table(
        &self,
        window_start: DateTime<Utc>,
        window_end: DateTime<Utc>,
        history_start: DateTime<Utc>,
        new_after: DateTime<Utc>,
    ) -> RecordBatch {
        let ts = || DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        let schema = Schema::new(vec![
            Field::new("window_start", ts(), false),
            Field::new("window_end", ts(), false),
            Field::new("history_start", ts(), false),
            Field::new("new_after", ts(), false),
            Field::new("baseline_days", DataType::Int64, false),
            Field::new("rate_ratio", DataType::Float64, false),
            Field::new("rate_min_count", DataType::Int64, false),
            Field::new("burst_minutes", DataType::Int64, false),
            Field::new("login_failure_burst", DataType::Int64, false),
            Field::new("access_denied_burst", DataType::Int64, false),
            Field::new("enumeration_distinct_calls", DataType::Int64, false),
            Field::new("credential_access_volume", DataType::Int64, false),
            Field::new("object_deletion_volume", DataType::Int64, false),
            Field::new("sequence_hours", DataType::Int64, false),
            Field::new("trusted_cidrs", list(), false),
            Field::new("expected_regions", list(), false),
        ]);
        let time = |t: DateTime<Utc>| -> ArrayRef {
            Arc::new(
                TimestampMicrosecondArray::from(vec![t.timestamp_micros()]).with_timezone("UTC"),
            )
        };
        let int = |v: i64| -> ArrayRef { Arc::new(Int64Array::from(vec![v])) };
        let strings = |values: &[String]| -> ArrayRef {
            let mut b = ListBuilder::new(StringBuilder::new());
            for v in values {
                b.values().append_value(v);
            }
            b.append(true);
            Arc::new(b.finish())
        };
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                time(window_start),
                time(window_end),
                time(history_start),
                time(new_after),
                int(i64::from(self.baseline_days)),
                Arc::new(Float64Array::from(vec![self.rate_ratio])),
                int(self.rate_min_count),
                int(self.burst_minutes),
                int(self.login_failure_burst),
                int(self.access_denied_burst),
                int(self.enumeration_distinct_calls),
                int(self.credential_access_volume),
                int(self.object_deletion_volume),
                int(self.sequence_hours),
                strings(&self.trusted_cidrs),
                strings(&self.expected_regions),
            ],
        )
        .expect("the columns match the schema")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_sets_some_parameters_and_rejects_unknown_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hunt.yaml");
        std::fs::write(&path, "baseline_days: 30\ntrusted_cidrs: [10.0.0.0/8]\n").unwrap();
        let c = HuntConfig::load(&path).unwrap();
        assert_eq!(c.baseline_days, 30);
        assert_eq!(
            c.login_failure_burst,
            HuntConfig::default().login_failure_burst
        );
        std::fs::write(&path, "baseline_dayz: 30\n").unwrap();
        assert!(HuntConfig::load(&path)
            .unwrap_err()
            .contains("baseline_dayz"));
        std::fs::write(&path, "trusted_cidrs: [10.0.0.0/33]\n").unwrap();
        assert!(HuntConfig::load(&path).unwrap_err().contains("not a CIDR"));
    }
}
