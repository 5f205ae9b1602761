//! Running govscan's SQL on an Apache DataFusion Ballista cluster (`--engine
//! ballista://HOST:PORT`), and the cluster roles with govscan's functions
//! (`govscan cluster scheduler|executor`). Built with the `cluster` cargo feature.
//!
//! A query planned here travels to the scheduler as a DataFusion protobuf plan. Parquet
//! tables (the snapshot's, the trail lake) travel as their locations, and every executor
//! reads the files itself. What exists only in this process, the policy engine's computed
//! tables, the hunt's parameters, empty stand-ins for tables a snapshot lacks, cannot travel:
//! [`prepare`] writes each one a statement reads to Parquet under the data directory's
//! `scratch/` prefix and registers it again from there, once per session, before the
//! statement is planned. Views are created after the tables they read are prepared, so their
//! plans refer to tables that travel.

use std::sync::{Arc, Mutex};

use datafusion::error::DataFusionError;
use datafusion::execution::SessionState;
use datafusion::prelude::SessionContext;

use crate::store::DataDir;

/// A cluster that sessions send their queries to, and where it stages what must travel. A
/// session made for a cluster carries it in its config ([`prepare`] finds it there); the
/// command that connected it cancels its jobs and removes what it staged.
pub struct Cluster {
    /// `http://host:port` of the scheduler, as Ballista's client wants it.
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))]
    scheduler_url: String,
    /// Folder URL (ending in `/`) under which this process stages tables; removed at exit.
    scratch: String,
    /// Tables already staged, by name.
    staged: Mutex<std::collections::HashSet<String>>,
    /// The runtime whose object stores wrote the staged files, for [`cleanup`].
    runtime: Mutex<Option<Arc<datafusion::execution::runtime_env::RuntimeEnv>>>,
    /// Every distributed plan made in this process, for [`cancel_running_jobs`]. A command
    /// makes at most a few hundred, each small (a logical plan and a job id).
    #[cfg(feature = "cluster")]
    plans: Mutex<Vec<Arc<dyn datafusion::physical_plan::ExecutionPlan>>>,
}

/// `local` or `ballista://HOST:PORT`, as given to `--engine`.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineChoice {
    Local,
    Ballista { host: String, port: u16 },
}

/// Ballista's scheduler listens here unless told otherwise.
pub const DEFAULT_SCHEDULER_PORT: u16 = 50050;

impl std::str::FromStr for EngineChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "local" {
            return Ok(EngineChoice::Local);
        }
        let Some(rest) = text.strip_prefix("ballista://") else {
            return Err(format!(
                "unknown engine {text:?}: use `local` or `ballista://HOST:PORT`"
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("{text:?}: the port must be a number up to 65535"))?,
            ),
            None => (rest, DEFAULT_SCHEDULER_PORT),
        };
        if host.is_empty() || host.contains(['/', '@', '?', '#']) {
            return Err(format!("{text:?}: expected ballista://HOST:PORT"));
        }
        Ok(EngineChoice::Ballista {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Cluster({}, staging in {})",
            self.scheduler_url, self.scratch
        )
    }
}

impl Cluster {
    /// The cluster `choice` names (None for `local`). `data_dir` is where tables that exist
    /// only here are staged for the executors: an S3 data directory, or a local folder that
    /// the executors see at the same path (one machine, or a shared file system).
    pub fn connect(
        choice: &EngineChoice,
        data_dir: &DataDir,
    ) -> Result<Option<Arc<Cluster>>, String> {
        let EngineChoice::Ballista { host, port } = choice else {
            return Ok(None);
        };
        if !cfg!(feature = "cluster") {
            return Err(
                "--engine ballista:// needs a govscan built with the cluster feature \
                 (cargo build --release --features cluster)"
                    .to_owned(),
            );
        }
        let session = format!(
            "{}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S"),
            std::process::id()
        );
        let scratch = match data_dir {
            DataDir::S3(dir) => format!("{}/", dir.url(&format!("scratch/{session}"))),
            DataDir::Local(path) => {
                let base = std::path::absolute(path).map_err(|e| e.to_string())?;
                format!("{}/", base.join(".scratch").join(&session).display())
            }
        };
        Ok(Some(Arc::new(Cluster {
            scheduler_url: format!("http://{host}:{port}"),
            scratch,
            staged: Mutex::new(Default::default()),
            runtime: Mutex::new(None),
            #[cfg(feature = "cluster")]
            plans: Mutex::new(Vec::new()),
        })))
    }
}

/// The session state for a new context: Ballista's planner for a cluster, which the state
/// then carries. govscan's functions are registered on the context afterwards (Ballista's
/// upgrade resets the function list to DataFusion's).
pub fn upgrade(
    state: SessionState,
    cluster: Option<&Arc<Cluster>>,
) -> Result<SessionState, DataFusionError> {
    match cluster {
        #[cfg(feature = "cluster")]
        Some(cluster) => {
            use ballista_core::extension::{SessionConfigExt, SessionStateExt};
            // Ballista 55's adaptive planner re-plans a job after each stage from measured
            // statistics. On the hunt's plans (a CTE read twice, joined to itself through
            // nested-loop joins with the parameters table) it never converged: one job ran
            // over a thousand stages of 80 ms tasks. The static distributed planner runs the
            // same plan in a handful of stages.
            let mut config = state
                .config()
                .clone()
                .upgrade_for_ballista()
                .with_ballista_adaptive_query_planner(false)
                // In push mode (the default) the client learns a job's id only with the
                // first status the scheduler pushes, which comes when a stage ends: a long
                // first stage could not be cancelled (see `cancel_running_jobs`). In pull
                // mode the id comes back with the submission; the client then polls every
                // 50 ms.
                .set_str(ballista_core::config::BALLISTA_CLIENT_PULL, "true");
            // The client sends its optimized logical plan as protobuf. DataFusion 55's leaf
            // expression pushdown names what it extracts `__datafusion_extracted_N`, and
            // aggregates over those names do not survive the round trip: the scheduler
            // refused the plan ("No field named count(DISTINCT __datafusion_extracted_1)").
            config
                .options_mut()
                .optimizer
                .enable_leaf_expression_pushdown = false;
            let state = datafusion::execution::SessionStateBuilder::new_from_existing(state)
                .with_config(config)
                .build();
            let state = state.upgrade_for_ballista(cluster.scheduler_url.clone())?;
            let planner = JobNotingPlanner {
                ballista: Arc::clone(state.query_planner()),
                cluster: Arc::clone(cluster),
            };
            let mut state = datafusion::execution::SessionStateBuilder::new_from_existing(state)
                .with_query_planner(Arc::new(planner))
                .build();
            state.config_mut().set_extension(Arc::clone(cluster));
            Ok(state)
        }
        #[cfg(not(feature = "cluster"))]
        Some(_) => Ok(state),
        None => Ok(state),
    }
}

/// Ballista's query planner, noting every distributed plan it makes: the plan knows its job
/// id once it runs, and [`cancel_running_jobs`] needs those ids when govscan is interrupted.
#[cfg(feature = "cluster")]
#[derive(Debug)]
struct JobNotingPlanner {
    ballista: Arc<dyn datafusion::execution::context::QueryPlanner + Send + Sync>,
    cluster: Arc<Cluster>,
}

#[cfg(feature = "cluster")]
#[async_trait::async_trait]
impl datafusion::execution::context::QueryPlanner for JobNotingPlanner {
    async fn create_physical_plan(
        &self,
        logical_plan: &datafusion::logical_expr::LogicalPlan,
        session: &dyn datafusion::catalog::Session,
    ) -> Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>, DataFusionError> {
        let plan = self
            .ballista
            .create_physical_plan(logical_plan, session)
            .await?;
        self.cluster
            .plans
            .lock()
            .expect("not poisoned")
            .push(Arc::clone(&plan));
        Ok(plan)
    }
}

/// The ids of the cluster jobs `plan` (or a plan inside it) has started.
#[cfg(feature = "cluster")]
fn started_jobs(plan: &Arc<dyn datafusion::physical_plan::ExecutionPlan>, ids: &mut Vec<String>) {
    use ballista_core::execution_plans::DistributedQueryExec;
    use datafusion_proto::protobuf::LogicalPlanNode;
    let distributed = plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>();
    if let Some(id) = distributed.and_then(|plan| plan.job_id()) {
        ids.push(id.to_string());
    }
    for child in plan.children() {
        started_jobs(child, ids);
    }
}

/// Asks the scheduler to cancel every job of this process that is still queued or running,
/// and returns how many it cancelled. Called when govscan is interrupted: Ballista's client
/// cancels nothing when its process ends, and the executors would go on computing an answer
/// nobody reads. The scheduler then launches none of the job's remaining tasks; a task
/// already running runs to its end (Ballista 55's executor marks it aborted, but the thread
/// computing its shuffle output goes on). A failure is only logged.
pub async fn cancel_running_jobs(cluster: &Cluster) -> usize {
    #[cfg(feature = "cluster")]
    {
        use ballista_core::serde::protobuf::{
            job_status, scheduler_grpc_client::SchedulerGrpcClient, CancelJobParams,
            GetJobStatusParams,
        };
        let mut ids = Vec::new();
        let plans = cluster.plans.lock().expect("not poisoned").clone();
        for plan in &plans {
            started_jobs(plan, &mut ids);
        }
        tracing::debug!("{} cluster plans, started jobs {ids:?}", plans.len());
        if ids.is_empty() {
            return 0;
        }
        let mut scheduler = match SchedulerGrpcClient::connect(cluster.scheduler_url.clone()).await
        {
            Ok(client) => client,
            Err(e) => {
                tracing::warn!(
                    "could not reach {} to cancel jobs {ids:?}: {e}",
                    cluster.scheduler_url
                );
                return 0;
            }
        };
        let mut cancelled = 0;
        for job_id in ids {
            let status = scheduler
                .get_job_status(GetJobStatusParams {
                    job_id: job_id.clone(),
                })
                .await
                .ok()
                .and_then(|answer| answer.into_inner().status)
                .and_then(|status| status.status);
            if !matches!(
                status,
                Some(job_status::Status::Queued(_) | job_status::Status::Running(_))
            ) {
                continue;
            }
            match scheduler
                .cancel_job(CancelJobParams {
                    job_id: job_id.clone(),
                })
                .await
            {
                Ok(_) => cancelled += 1,
                Err(e) => tracing::warn!("could not cancel cluster job {job_id}: {e}"),
            }
        }
        cancelled
    }
    #[cfg(not(feature = "cluster"))]
    {
        let _ = cluster;
        0
    }
}

/// Makes every table `sql` reads able to travel to the cluster (see the module docs).
/// Does nothing when queries run here.
pub async fn prepare(ctx: &SessionContext, sql: &str) -> Result<(), DataFusionError> {
    let state = ctx.state();
    let Some(cluster) = state.config().get_extension::<Cluster>() else {
        return Ok(());
    };
    let dialect = state.config().options().sql_parser.dialect;
    let statement = state.sql_to_statement(sql, &dialect)?;
    for reference in state.resolve_table_references(&statement)? {
        let Ok(provider) = ctx.table_provider(reference.clone()).await else {
            // A CTE or a table that does not exist: the planner will say.
            continue;
        };
        if provider.is::<datafusion::datasource::listing::ListingTable>()
            || provider.is::<datafusion::datasource::ViewTable>()
        {
            continue;
        }
        let name = reference.to_string();
        if cluster.staged.lock().expect("not poisoned").contains(&name) {
            continue;
        }
        stage(ctx, &cluster, &reference, provider).await?;
        cluster.staged.lock().expect("not poisoned").insert(name);
    }
    Ok(())
}

/// Computes the table here, writes it as one Parquet file under the scratch folder, and
/// registers it again from there under the same name.
async fn stage(
    ctx: &SessionContext,
    cluster: &Cluster,
    reference: &datafusion::common::TableReference,
    provider: Arc<dyn datafusion::catalog::TableProvider>,
) -> Result<(), DataFusionError> {
    use datafusion::datasource::listing::ListingTableUrl;
    use datafusion::execution::SessionStateBuilder;
    use datafusion::parquet::arrow::ArrowWriter;
    use object_store::ObjectStoreExt;

    // A plain local state: the table is computed in this process, not sent anywhere.
    let local = SessionStateBuilder::new()
        .with_default_features()
        .with_runtime_env(ctx.runtime_env())
        .build();
    let plan = provider.scan(&local, None, &[], None).await?;
    let batches = datafusion::physical_plan::collect(plan, local.task_ctx()).await?;
    let schema = provider.schema();
    let mut bytes = Vec::new();
    {
        let mut writer = ArrowWriter::try_new(&mut bytes, schema.clone(), None)?;
        for batch in &batches {
            writer.write(batch)?;
        }
        writer.close()?;
    }
    // Names are SQL identifiers; the folder name keeps only what is safe in a path.
    let folder: String = reference
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let location = format!("{}{folder}/", cluster.scratch);
    let url = ListingTableUrl::parse(&location)?;
    let store = ctx.runtime_env().object_store(url.object_store())?;
    let key = url.prefix().clone().join("part-00000.parquet");
    store
        .put(&key, bytes.into())
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
    *cluster.runtime.lock().expect("not poisoned") = Some(ctx.runtime_env());
    ctx.deregister_table(reference.clone())?;
    let options = datafusion::prelude::ParquetReadOptions::default().schema(&schema);
    ctx.register_parquet(reference.clone(), &location, options)
        .await
}

/// Removes what the cluster's sessions staged; a failure is only logged (the prefix can be deleted
/// by hand or by a lifecycle rule on `scratch/`).
pub async fn cleanup(cluster: &Cluster) {
    use futures::TryStreamExt;
    use object_store::ObjectStoreExt;
    let Some(runtime) = cluster.runtime.lock().expect("not poisoned").clone() else {
        return;
    };
    let Ok(url) = datafusion::datasource::listing::ListingTableUrl::parse(&cluster.scratch) else {
        return;
    };
    let Ok(store) = runtime.object_store(url.object_store()) else {
        return;
    };
    let prefix = url.prefix().clone();
    let listed: Result<Vec<_>, _> = store.list(Some(&prefix)).try_collect().await;
    match listed {
        Ok(objects) => {
            for object in objects {
                if let Err(e) = store.delete(&object.location).await {
                    tracing::warn!("could not remove staged {}: {e}", object.location);
                }
            }
        }
        Err(e) => tracing::warn!(
            "could not list staged tables under {}: {e}",
            cluster.scratch
        ),
    }
    if !cluster.scratch.starts_with("s3://") {
        let _ = std::fs::remove_dir_all(cluster.scratch.trim_end_matches('/'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_choices_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!("local".parse::<EngineChoice>(), Ok(EngineChoice::Local));
        assert_eq!(
            "ballista://10.0.0.5:50050".parse::<EngineChoice>(),
            Ok(EngineChoice::Ballista {
                host: "10.0.0.5".into(),
                port: 50050
            })
        );
        assert_eq!(
            "ballista://scheduler".parse::<EngineChoice>(),
            Ok(EngineChoice::Ballista {
                host: "scheduler".into(),
                port: DEFAULT_SCHEDULER_PORT
            })
        );
        for bad in [
            "spark://x:1",
            "ballista://",
            "ballista://host:notaport",
            "ballista://host:70000",
            "ballista://u@host:1",
        ] {
            assert!(bad.parse::<EngineChoice>().is_err(), "{bad}");
        }
    }
}
