//! The DataFusion session every SQL consumer uses: the snapshot's tables, the trail lake
//! when there is one, and govscan's functions.

pub mod cluster;
pub mod filter_pattern;
pub mod udf;
pub mod views;

use std::path::PathBuf;
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::collect::all_tables;
use crate::store::{DataDir, DataStore, Manifest, Snapshot, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("registering table {table} from {path}: {source}")]
    Register {
        table: String,
        path: PathBuf,
        source: DataFusionError,
    },
    #[error("registering SQL functions and views: {0}")]
    Functions(DataFusionError),
}

/// A session over one snapshot and the trail lake.
pub struct Engine {
    pub ctx: SessionContext,
    /// Where the snapshot's files are, for commands that read its rows directly.
    pub snapshot: Snapshot,
    pub manifest: Manifest,
}

/// Where a command's SQL runs: here, or planned here and run on a Ballista cluster. Every
/// session a command makes comes from its `Sessions`, so a cluster is chosen once, per
/// command, and not held in a global.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    cluster: Option<Arc<cluster::Cluster>>,
}

impl Sessions {
    /// Sessions that run their SQL in this process.
    pub fn local() -> Self {
        Self::default()
    }

    /// Sessions for `--engine`: local, or on the cluster it names (which stages what cannot
    /// travel under `data_dir`).
    pub fn new(choice: &cluster::EngineChoice, data_dir: &DataDir) -> Result<Self, String> {
        Ok(Sessions {
            cluster: cluster::Cluster::connect(choice, data_dir)?,
        })
    }

    /// The cluster the sessions run on, if any: to cancel its jobs and remove what it
    /// staged when the command ends.
    pub fn cluster(&self) -> Option<&Arc<cluster::Cluster>> {
        self.cluster.as_ref()
    }

    /// A session with govscan's functions and no tables.
    pub fn new_context(&self) -> Result<SessionContext, EngineError> {
        new_context_on(self.cluster.as_ref())
    }

    /// Opens the snapshot `wanted` (id or path; the latest when None) for SQL, with the
    /// trail lake as `cloudtrail_events` when there is one. Tables are registered at their
    /// location in the data directory (a folder, or `s3://`) and read in place.
    pub async fn open(
        &self,
        data_dir: &DataDir,
        wanted: Option<&str>,
    ) -> Result<Engine, EngineError> {
        open(self.new_context()?, data_dir, wanted).await
    }

    /// A session over the trail lake alone, for data directories without snapshots.
    pub async fn open_trail_only(
        &self,
        data_dir: &DataDir,
    ) -> Result<Option<SessionContext>, EngineError> {
        let store = DataStore::open(data_dir).await?;
        if !store.any_under(crate::store::LAKE).await {
            return Ok(None);
        }
        let ctx = self.new_context()?;
        register_store(&ctx, &store);
        register_trail_at(&ctx, &store.location(&format!("{}/", crate::store::LAKE))).await?;
        Ok(Some(ctx))
    }
}

async fn open(
    ctx: SessionContext,
    data_dir: &DataDir,
    wanted: Option<&str>,
) -> Result<Engine, EngineError> {
    let store = DataStore::open(data_dir).await?;
    let (snapshot, manifest) = Snapshot::resolve(&store, wanted).await?;
    register_store(&ctx, &store);
    register_store(&ctx, &snapshot.store);
    if store.any_under(crate::store::LAKE).await {
        register_trail_at(&ctx, &store.location(&format!("{}/", crate::store::LAKE))).await?;
    }
    for def in all_tables() {
        let location = match manifest.tables.get(def.name) {
            // A single-file table (the older layout) is its own location.
            Some(entry) if entry.file.ends_with(".parquet") && !entry.file.contains('/') => {
                Some(snapshot.store.location(&snapshot.path(&entry.file)))
            }
            // A folder of parts is a table location only with its trailing slash.
            Some(_) => Some(
                snapshot
                    .store
                    .location(&format!("{}/", snapshot.path(def.name))),
            ),
            // A snapshot written before this table existed: the table is there, empty, so
            // checks still plan; collection_parts tells that nothing was read.
            None => None,
        };
        let registered = match &location {
            Some(url) => {
                ctx.register_parquet(def.name, url, ParquetReadOptions::default())
                    .await
            }
            None => MemTable::try_new(def.schema(), vec![vec![]])
                .and_then(|t| ctx.register_table(def.name, Arc::new(t)).map(|_| ())),
        };
        registered.map_err(|source| EngineError::Register {
            table: def.name.to_owned(),
            path: location.unwrap_or_default().into(),
            source,
        })?;
    }
    // The policy engine's tables (computed on the first query that reads one), then the
    // views, which read them.
    crate::policy::tables::register(&ctx, snapshot.clone()).map_err(EngineError::Functions)?;
    views::register(&ctx)
        .await
        .map_err(EngineError::Functions)?;
    Ok(Engine {
        ctx,
        snapshot,
        manifest,
    })
}

/// Lets the session read the store's S3 locations (a local folder needs nothing).
fn register_store(ctx: &SessionContext, store: &DataStore) {
    if let Some((url, object_store)) = store.s3_object_store() {
        ctx.register_object_store(&url, object_store);
    }
}

/// Whether the data directory holds a trail lake.
pub async fn lake_exists(data_dir: &DataDir) -> Result<bool, EngineError> {
    Ok(DataStore::open(data_dir)
        .await?
        .any_under(crate::store::LAKE)
        .await)
}

/// Registers `cloudtrail_events` over the lake at `location` (a folder path or URL ending
/// in `/`), partitioned by `event_date`.
async fn register_trail_at(ctx: &SessionContext, location: &str) -> Result<(), EngineError> {
    let schema = crate::trail::schema::event_schema();
    let options = ParquetReadOptions::default()
        .table_partition_cols(vec![(
            "event_date".to_owned(),
            datafusion::arrow::datatypes::DataType::Utf8,
        )])
        .schema(&schema);
    ctx.register_parquet("cloudtrail_events", location, options)
        .await
        .map_err(|source| EngineError::Register {
            table: "cloudtrail_events".into(),
            path: location.into(),
            source,
        })
}

/// A local session with govscan's functions and no tables.
pub fn new_context() -> Result<SessionContext, EngineError> {
    new_context_on(None)
}

fn new_context_on(cluster: Option<&Arc<cluster::Cluster>>) -> Result<SessionContext, EngineError> {
    // Identifiers are case-insensitive in the checks, as in most SQL engines users know.
    let mut config = SessionConfig::new().with_information_schema(true);
    // Spans let a planning error say where in the SQL it is (see `describe_sql_error`).
    config.options_mut().sql_parser.collect_spans = true;
    // Filters are evaluated while Parquet is decoded, and the other columns are read only
    // for rows that pass: a detection that keeps a few thousand of a million events does not
    // decode every request_parameters text.
    config.options_mut().execution.parquet.pushdown_filters = true;
    config.options_mut().execution.parquet.reorder_filters = true;
    let state = datafusion::execution::SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    // With --engine ballista:// the session plans here and executes on the cluster.
    let state = cluster::upgrade(state, cluster).map_err(EngineError::Functions)?;
    let mut ctx = SessionContext::new_with_state(state);
    datafusion_functions_json::register_all(&mut ctx).map_err(EngineError::Functions)?;
    udf::register(&ctx);
    Ok(ctx)
}

/// A DataFusion error as users read it: its message, and where in the SQL it points when
/// the planner knows (an unknown column or table, a type mismatch). Syntax errors name their
/// line and column in the message already.
pub fn describe_sql_error(error: &DataFusionError) -> String {
    let message = error.to_string();
    match error.diagnostic().and_then(|d| d.span) {
        Some(span) if span.start.line > 0 && !message.contains(" at Line: ") => format!(
            "{message} (at line {}, column {})",
            span.start.line, span.start.column
        ),
        _ => message,
    }
}
