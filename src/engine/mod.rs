//! The DataFusion session every SQL consumer uses: the snapshot's tables, the trail lake
//! when there is one, and govscan's functions.

pub mod udf;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::collect::all_tables;
use crate::store::snapshot::read_manifest;
use crate::store::{resolve_snapshot, Manifest, StoreError};

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
    pub snapshot_dir: PathBuf,
    pub manifest: Manifest,
}

/// Opens the snapshot `wanted` (id or path; the latest when None) for SQL, with the trail
/// lake as `cloudtrail_events` when there is one.
pub async fn open(data_dir: &Path, wanted: Option<&str>) -> Result<Engine, EngineError> {
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
    // The policy engine's tables: computed on the first query that reads one. Before the
    // views, which read them.
    crate::policy::tables::register(&ctx, &snapshot_dir).map_err(EngineError::Functions)?;
    views::register(&ctx)
        .await
        .map_err(EngineError::Functions)?;
    Ok(Engine {
        ctx,
        snapshot_dir,
        manifest,
    })
}

/// A session over the trail lake alone, for data directories without snapshots.
pub async fn open_trail_only(data_dir: &Path) -> Result<Option<SessionContext>, EngineError> {
    if !crate::trail::lake_dir(data_dir).exists() {
        return Ok(None);
    }
    let ctx = new_context()?;
    register_trail(&ctx, data_dir).await?;
    Ok(Some(ctx))
}

/// Registers `cloudtrail_events`, partitioned by `event_date` so a filter on the date
/// reads only the matching folders.
async fn register_trail(ctx: &SessionContext, data_dir: &Path) -> Result<(), EngineError> {
    let lake = crate::trail::lake_dir(data_dir);
    if !lake.exists() {
        return Ok(());
    }
    let schema = crate::trail::schema::event_schema();
    let options = ParquetReadOptions::default()
        .table_partition_cols(vec![(
            "event_date".to_owned(),
            datafusion::arrow::datatypes::DataType::Utf8,
        )])
        .schema(&schema);
    let path = format!("{}/", lake.display());
    ctx.register_parquet("cloudtrail_events", &path, options)
        .await
        .map_err(|source| EngineError::Register {
            table: "cloudtrail_events".into(),
            path: lake.clone(),
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
    let mut ctx = SessionContext::new_with_config(config);
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
