//! The DataFusion session every SQL consumer uses: the snapshot's tables, the trail lake
//! when there is one, and govscan's functions.

pub mod cluster;
pub mod udf;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::collect::all_tables;
use crate::store::remote::SnapshotSource;
use crate::store::snapshot::read_manifest;
use crate::store::{resolve_snapshot, DataDir, Manifest, StoreError};

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
    pub snapshot: SnapshotSource,
    pub manifest: Manifest,
}

/// Opens the snapshot `wanted` (id or path; the latest when None) for SQL, with the trail
/// lake as `cloudtrail_events` when there is one.
pub async fn open(data_dir: &DataDir, wanted: Option<&str>) -> Result<Engine, EngineError> {
    let data_dir = match data_dir {
        DataDir::S3(dir) => return open_s3(dir, wanted).await,
        DataDir::Local(path) => path,
    };
    let snapshot_dir = resolve_snapshot(data_dir, wanted)?;
    let manifest = read_manifest(&snapshot_dir)?;
    let ctx = new_context()?;
    register_trail(&ctx, data_dir).await?;
    for def in all_tables() {
        let location = crate::store::snapshot::table_location(&snapshot_dir, def.name);
        let path = location
            .clone()
            .unwrap_or_else(|| snapshot_dir.join(def.name));
        let registered = if let Some(location) = location {
            // A folder of parts is a table location only with its trailing slash.
            let mut url = location.to_string_lossy().into_owned();
            if location.is_dir() {
                url.push('/');
            }
            ctx.register_parquet(def.name, &url, ParquetReadOptions::default())
                .await
        } else {
            // A snapshot written before this table existed: the table is there, empty, so
            // checks still plan; collection_parts tells that nothing was read.
            MemTable::try_new(def.schema(), vec![vec![]])
                .and_then(|t| ctx.register_table(def.name, Arc::new(t)).map(|_| ()))
        };
        registered.map_err(|source| EngineError::Register {
            table: def.name.to_owned(),
            path: path.clone(),
            source,
        })?;
    }
    finish(ctx, SnapshotSource::Local(snapshot_dir), manifest).await
}

/// The policy engine's tables (computed on the first query that reads one), then the views,
/// which read them.
async fn finish(
    ctx: SessionContext,
    snapshot: SnapshotSource,
    manifest: Manifest,
) -> Result<Engine, EngineError> {
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

/// [`open`] for a data directory on S3: the snapshot's tables and the lake are registered
/// as `s3://` locations and read in place.
async fn open_s3(
    dir: &crate::store::remote::S3Dir,
    wanted: Option<&str>,
) -> Result<Engine, EngineError> {
    use crate::store::remote;
    let store = remote::open_store(dir).await?;
    let (id, manifest) = remote::resolve(store.as_ref(), dir, wanted).await?;
    let ctx = new_context()?;
    ctx.register_object_store(&dir.bucket_url(), store.clone());
    if remote::exists(store.as_ref(), dir, "trail/cloudtrail_events").await {
        register_trail_at(&ctx, &format!("{}/", dir.url("trail/cloudtrail_events"))).await?;
    }
    for def in all_tables() {
        let location = match manifest.tables.get(def.name) {
            // A single-file table (the older layout) is its own location.
            Some(entry) if entry.file.ends_with(".parquet") && !entry.file.contains('/') => {
                Some(dir.url(&format!("snapshots/{id}/{}", entry.file)))
            }
            Some(_) => Some(format!(
                "{}/",
                dir.url(&format!("snapshots/{id}/{}", def.name))
            )),
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
    let snapshot = SnapshotSource::Remote {
        store,
        dir: dir.clone(),
        id,
    };
    finish(ctx, snapshot, manifest).await
}

/// Whether the data directory holds a trail lake.
pub async fn lake_exists(data_dir: &DataDir) -> Result<bool, EngineError> {
    match data_dir {
        DataDir::S3(dir) => {
            let store = crate::store::remote::open_store(dir).await?;
            Ok(crate::store::remote::exists(store.as_ref(), dir, "trail/cloudtrail_events").await)
        }
        DataDir::Local(path) => Ok(crate::trail::lake_dir(path).exists()),
    }
}

/// A session over the trail lake alone, for data directories without snapshots.
pub async fn open_trail_only(data_dir: &DataDir) -> Result<Option<SessionContext>, EngineError> {
    let data_dir = match data_dir {
        DataDir::S3(dir) => return open_trail_only_s3(dir).await,
        DataDir::Local(path) => path,
    };
    if !crate::trail::lake_dir(data_dir).exists() {
        return Ok(None);
    }
    let ctx = new_context()?;
    register_trail(&ctx, data_dir).await?;
    Ok(Some(ctx))
}

async fn open_trail_only_s3(
    dir: &crate::store::remote::S3Dir,
) -> Result<Option<SessionContext>, EngineError> {
    use crate::store::remote;
    let store = remote::open_store(dir).await?;
    if !remote::exists(store.as_ref(), dir, "trail/cloudtrail_events").await {
        return Ok(None);
    }
    let ctx = new_context()?;
    ctx.register_object_store(&dir.bucket_url(), store);
    register_trail_at(&ctx, &format!("{}/", dir.url("trail/cloudtrail_events"))).await?;
    Ok(Some(ctx))
}

/// Registers `cloudtrail_events`, partitioned by `event_date` so a filter on the date
/// reads only the matching folders.
async fn register_trail(ctx: &SessionContext, data_dir: &Path) -> Result<(), EngineError> {
    let lake = crate::trail::lake_dir(data_dir);
    if !lake.exists() {
        return Ok(());
    }
    register_trail_at(ctx, &format!("{}/", lake.display())).await
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

/// A session with govscan's functions and no tables.
pub fn new_context() -> Result<SessionContext, EngineError> {
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
    let state = cluster::upgrade(state).map_err(EngineError::Functions)?;
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
