//! The lake in the data directory: its partitions by event day, the checkpoint, and the
//! event ids already in a partition (each event is kept once).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::AsArray;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ProjectionMask;

use super::sources::Seen;
use super::{IngestError, CHECKPOINT};
use crate::store::DataStore;

/// An event id as remembered for deduplication: CloudTrail's ids are lowercase UUIDs, held
/// in 16 bytes; anything else is kept as text. Exact either way, so two events are never
/// taken for one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum EventId {
    Uuid(u128),
    Other(Box<str>),
}

impl EventId {
    pub(super) fn new(id: &str) -> Self {
        Self::uuid(id).map_or_else(|| Self::Other(id.into()), Self::Uuid)
    }

    pub(super) fn uuid(id: &str) -> Option<u128> {
        let bytes = id.as_bytes();
        if bytes.len() != 36 {
            return None;
        }
        let mut value: u128 = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return None;
                }
                continue;
            }
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                _ => return None,
            };
            value = value << 4 | u128::from(digit);
        }
        Some(value)
    }
}

/// The event ids of one partition day. Hashed by foldhash, seeded per process: SipHash was a
/// measurable part of ingest (one insert per event), and ids come from the logs, so the
/// seed still keeps a crafted log from choosing collisions.
pub(super) type EventIds = std::collections::HashSet<EventId, foldhash::fast::RandomState>;

/// A partition's date from days since 1970-01-01.
pub(super) fn day_to_date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + 719_163).expect("event times are in range")
}

pub(super) fn date_to_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - 719_163
}

/// The lake in the data directory: `trail/cloudtrail_events/event_date=.../*.parquet` and
/// the checkpoint `trail/checkpoint.json`, which is written last.
pub(super) struct LakeTarget {
    pub(super) store: DataStore,
}

impl LakeTarget {
    pub(super) async fn open(data_dir: &crate::store::DataDir) -> Result<Self, IngestError> {
        Ok(LakeTarget {
            store: DataStore::open(data_dir).await?,
        })
    }

    pub(super) fn checkpoint() -> String {
        format!("trail/{CHECKPOINT}")
    }

    /// The checkpoint of ingested files (empty before the first run).
    pub(super) async fn read_checkpoint(&self) -> Result<BTreeMap<String, Seen>, IngestError> {
        let Some(bytes) = self.store.get(&Self::checkpoint()).await? else {
            return Ok(BTreeMap::new());
        };
        serde_json::from_slice(&bytes).map_err(|source| IngestError::Checkpoint {
            path: self.store.display(&Self::checkpoint()).into(),
            source,
        })
    }

    /// Replaces the checkpoint: the last write of a run.
    pub(super) async fn write_checkpoint(
        &self,
        checkpoint: &BTreeMap<String, Seen>,
    ) -> Result<(), IngestError> {
        let bytes = serde_json::to_vec_pretty(checkpoint).expect("checkpoint serializes");
        Ok(self.store.put(&Self::checkpoint(), bytes).await?)
    }

    /// The partition folder of `day`, relative to the data directory.
    pub(super) fn partition(day: i32) -> String {
        format!("{}/event_date={}", crate::store::LAKE, day_to_date(day))
    }

    /// The event ids already in the lake's partition of `day`: the `event_id` column of each
    /// of its files (each at most one flush of one run).
    pub(super) async fn event_ids(&self, day: i32) -> Result<EventIds, IngestError> {
        let mut ids = EventIds::default();
        let keys = self.store.list(&Self::partition(day)).await?;
        for key in keys.iter().filter(|k| k.as_ref().ends_with(".parquet")) {
            let bytes = self.store.get_key(key).await?;
            let shown = PathBuf::from(self.store.display_key(key));
            read_event_ids(bytes, &shown, &mut ids)?;
        }
        Ok(ids)
    }

    /// Moves a staged file into the partition of `day`: one rename, or one PUT, so the file
    /// appears whole or not at all.
    pub(super) async fn publish(&self, day: i32, staged: &Path) -> Result<(), IngestError> {
        let name = staged
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let relative = format!("{}/{name}", Self::partition(day));
        Ok(self.store.publish_file(staged, &relative).await?)
    }
}

/// Adds the `event_id` column of a Parquet file of the lake to `ids`.
pub(super) fn read_event_ids(
    bytes: bytes::Bytes,
    path: &Path,
    ids: &mut EventIds,
) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| IngestError::Write {
        path: path.to_owned(),
        message: format!("reading event ids: {e}"),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| bad(&e))?;
    let index = builder.schema().index_of("event_id").map_err(|e| bad(&e))?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), [index]);
    for batch in builder.with_projection(mask).build().map_err(|e| bad(&e))? {
        let batch = batch.map_err(|e| bad(&e))?;
        let col = batch.column(0).as_string::<i32>();
        ids.extend(col.iter().flatten().map(EventId::new));
    }
    Ok(())
}
