//! `govscan cluster scheduler|executor`: Ballista's scheduler and executor, started with
//! govscan's SQL functions (govscan's own and the JSON functions) so the plans that
//! `--engine ballista://` sends can be decoded and run, and with object stores for any
//! `s3://` bucket the plans name.

use crate::cli::{ExecutorArgs, SchedulerArgs};
#[cfg(not(feature = "cluster"))]
use crate::commands::CommandError;

#[cfg(not(feature = "cluster"))]
fn not_built() -> CommandError {
    CommandError::Usage(
        "this govscan was built without the cluster feature: \
         cargo build --release --features cluster"
            .to_owned(),
    )
}

#[cfg(not(feature = "cluster"))]
pub async fn scheduler(_: &SchedulerArgs) -> Result<(), CommandError> {
    Err(not_built())
}

#[cfg(not(feature = "cluster"))]
pub async fn executor(_: &ExecutorArgs) -> Result<(), CommandError> {
    Err(not_built())
}

#[cfg(feature = "cluster")]
pub use roles::{executor, scheduler};

#[cfg(feature = "cluster")]
mod roles {
    use std::collections::HashMap;
    use std::sync::{Arc, RwLock};

    use ballista_core::extension::SessionConfigExt;
    use ballista_core::registry::BallistaFunctionRegistry;
    use datafusion::error::{DataFusionError, Result as DfResult};
    use datafusion::execution::object_store::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
    use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
    use datafusion::execution::{SessionState, SessionStateBuilder};
    use datafusion::prelude::SessionConfig;
    use object_store::aws::AmazonS3Builder;
    use object_store::ObjectStore;
    use url::Url;

    use super::{ExecutorArgs, SchedulerArgs};
    use crate::commands::CommandError;

    /// Object stores for the cluster roles: the local file system as DataFusion has it, and
    /// an S3 client per bucket, made on first use from the environment: AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, web identity, ECS or the instance role
    /// (refreshed as they expire), AWS_REGION, and AWS_ENDPOINT_URL for moto or a VPC
    /// endpoint.
    #[derive(Debug, Default)]
    pub struct EnvObjectStores {
        defaults: DefaultObjectStoreRegistry,
        buckets: RwLock<HashMap<String, Arc<dyn ObjectStore>>>,
    }

    impl EnvObjectStores {
        fn s3(&self, bucket: &str) -> DfResult<Arc<dyn ObjectStore>> {
            if let Some(store) = self.buckets.read().expect("not poisoned").get(bucket) {
                return Ok(store.clone());
            }
            let mut builder = govscan::store::objects::with_env_endpoint(
                AmazonS3Builder::from_env().with_bucket_name(bucket),
            );
            if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err()
            {
                builder = builder.with_region(govscan::aws::DEFAULT_REGION);
            }
            let store: Arc<dyn ObjectStore> = Arc::new(
                builder
                    .build()
                    .map_err(|e| DataFusionError::External(Box::new(e)))?,
            );
            self.buckets
                .write()
                .expect("not poisoned")
                .insert(bucket.to_owned(), store.clone());
            Ok(store)
        }
    }

    impl ObjectStoreRegistry for EnvObjectStores {
        fn register_store(
            &self,
            url: &Url,
            store: Arc<dyn ObjectStore>,
        ) -> Option<Arc<dyn ObjectStore>> {
            self.defaults.register_store(url, store)
        }

        fn deregister_store(&self, url: &Url) -> DfResult<Arc<dyn ObjectStore>> {
            self.defaults.deregister_store(url)
        }

        fn get_store(&self, url: &Url) -> DfResult<Arc<dyn ObjectStore>> {
            match (url.scheme(), url.host_str()) {
                ("s3", Some(bucket)) => self.s3(bucket),
                _ => self.defaults.get_store(url),
            }
        }
    }

    fn runtime(stores: &Arc<EnvObjectStores>) -> DfResult<Arc<RuntimeEnv>> {
        Ok(Arc::new(
            RuntimeEnvBuilder::new()
                .with_object_store_registry(stores.clone())
                .build()?,
        ))
    }

    /// A session as Ballista's default one, with govscan's functions and object stores.
    pub fn session_state(
        config: SessionConfig,
        stores: &Arc<EnvObjectStores>,
    ) -> DfResult<SessionState> {
        let mut state = SessionStateBuilder::new()
            .with_default_features()
            .with_config(config)
            .with_runtime_env(runtime(stores)?)
            .with_optimizer_rules(ballista_core::optimizer::ballista_default_optimizer_rules())
            .build();
        datafusion_functions_json::register_all(&mut state)?;
        for function in govscan::engine::udf::all() {
            datafusion::execution::FunctionRegistry::register_udf(&mut state, Arc::new(function))?;
        }
        Ok(state)
    }

    fn cluster_err(role: &str, e: impl std::fmt::Display) -> CommandError {
        CommandError::Usage(format!("{role}: {e}"))
    }

    pub async fn scheduler(args: &SchedulerArgs) -> Result<(), CommandError> {
        use ballista_scheduler::cluster::BallistaCluster;
        use ballista_scheduler::config::SchedulerConfig;

        let stores = Arc::new(EnvObjectStores::default());
        let config = SchedulerConfig {
            bind_host: args.bind.ip().to_string(),
            bind_port: args.bind.port(),
            external_host: args
                .external_host
                .clone()
                .unwrap_or_else(|| args.bind.ip().to_string()),
            override_session_builder: Some(Arc::new(move |config: SessionConfig| {
                session_state(config, &stores)
            })),
            ..Default::default()
        };
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(|e| cluster_err("scheduler", e))?;
        eprintln!(
            "govscan cluster scheduler listening on {} (clients: --engine ballista://{})",
            args.bind, args.bind
        );
        ballista_scheduler::scheduler_process::start_server(cluster, args.bind, Arc::new(config))
            .await
            .map_err(|e| cluster_err("scheduler", e))
    }

    pub async fn executor(args: &ExecutorArgs) -> Result<(), CommandError> {
        use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};

        let (scheduler_host, scheduler_port) = args
            .scheduler
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
            .ok_or_else(|| {
                CommandError::Usage(format!(
                    "--scheduler {:?}: expected HOST:PORT",
                    args.scheduler
                ))
            })?;
        let stores = Arc::new(EnvObjectStores::default());
        let functions = session_state(SessionConfig::new_with_ballista(), &stores)
            .map_err(|e| cluster_err("executor", e))?;
        let runtime_stores = stores.clone();
        let config = ExecutorProcessConfig {
            bind_host: args.bind_host.clone(),
            external_host: args.external_host.clone(),
            port: args.port,
            grpc_port: args.grpc_port,
            scheduler_host,
            scheduler_port,
            vcores: args.vcores,
            work_dir: args
                .work_dir
                .as_ref()
                .map(|d| d.to_string_lossy().into_owned()),
            override_function_registry: Some(Arc::new(BallistaFunctionRegistry::from(&functions))),
            override_runtime_producer: Some(Arc::new(move |_config: &SessionConfig| {
                runtime(&runtime_stores)
            })),
            ..Default::default()
        };
        eprintln!(
            "govscan cluster executor on {}:{} (flight) / {} (grpc), scheduler {}",
            args.bind_host, args.port, args.grpc_port, args.scheduler
        );
        start_executor_process(Arc::new(config))
            .await
            .map_err(|e| cluster_err("executor", e))
    }
}
