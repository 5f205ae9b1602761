//! One collection run: find the accounts, enter each one, plan its parts, run them all
//! concurrently, and write the snapshot.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::{DateTime, Utc};
use futures::stream::StreamExt;

use super::{all_collectors, all_tables, tables, Collector, Scope, Sink, Target};
use crate::aws::{client, error_info, load_sdk_config, ApiCallCounter, AwsOptions, ErrorInfo};
use crate::progress::Progress;
use crate::store::manifest::{
    AccountAccess, AccountEntry, CallerIdentity, PartEntry, Status, SCHEMA_VERSION,
};
use crate::store::snapshot::new_snapshot_id;
use crate::store::{Manifest, SnapshotWriter, StoreError, TableRows};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelection {
    /// Every region enabled for each account (EC2 DescribeRegions).
    All,
    List(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct CollectOptions {
    pub data_dir: PathBuf,
    pub aws: AwsOptions,
    pub regions: RegionSelection,
    /// Collector service names; empty means all.
    pub services: Vec<String>,
    pub org: bool,
    pub role_name: String,
    /// With `org`: only these accounts.
    pub accounts: Option<Vec<String>>,
    pub concurrency: usize,
    /// Write a shard of this snapshot (merged later by `snapshots finalize`) instead of a
    /// snapshot of its own.
    pub snapshot_id: Option<String>,
}

#[derive(Debug)]
pub struct CollectOutcome {
    pub snapshot_id: String,
    pub path: PathBuf,
    pub manifest: Manifest,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot call AWS as anyone (sts:GetCallerIdentity failed: {}: {}); check credentials, --profile and --endpoint-url", .0.code, .0.message)]
    NoIdentity(ErrorInfo),
    #[error("--org: cannot read the organization from account {account} ({}: {}); run from the management or a delegated administrator account", .info.code, .info.message)]
    Organization { account: String, info: ErrorInfo },
    #[error("unknown service {0:?}; known services: {1}")]
    UnknownService(String, String),
    #[error("nothing could be collected: all {parts} parts failed (first error: {first})")]
    NothingCollected { parts: usize, first: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An account the run will collect, with the credentials to do it.
struct AccountSession {
    id: String,
    sdk: SdkConfig,
    regions: Vec<String>,
}

/// An account id, its name, and the outcome of entering it with its account-level errors.
type EnteredAccount = (
    String,
    Option<String>,
    (Result<AccountSession, ErrorInfo>, Sink),
);

/// What a finished part leaves once its rows are in the snapshot's files.
struct PartResult {
    account_id: String,
    region: Option<String>,
    service: &'static str,
    service_order: usize,
    rows: BTreeMap<String, u64>,
    errors: TableRows,
    api_calls: u64,
    status: Status,
}

/// One collection run: find the accounts, enter each one, plan its parts, run them all
/// concurrently, gather what they read, and write the snapshot (or shard).
pub async fn collect(
    opts: &CollectOptions,
    progress: &dyn Progress,
) -> Result<CollectOutcome, CollectError> {
    let run = Run::start(opts, progress).await?;
    let mut accounts = run.plan_accounts().await?;
    let entered = run
        .enter_accounts(std::mem::take(&mut accounts.planned))
        .await;
    let parts = run.plan_parts(entered, &mut accounts);
    let (id, mut writer) = run.create_writer()?;
    // Each part's rows go to the tables' files as the part finishes: the run never holds
    // the organization's tables in memory, only the parts still running.
    let gathered = match run.run_parts(parts, &mut writer).await {
        Ok(results) => run.gather(results, &mut accounts),
        Err(e) => Err(e),
    };
    match gathered {
        Ok(gathered) => run.write(id, writer, accounts, gathered),
        Err(e) => {
            writer.abandon();
            Err(e)
        }
    }
}

/// What every step of a run shares.
struct Run<'a> {
    opts: &'a CollectOptions,
    progress: &'a dyn Progress,
    started_at: DateTime<Utc>,
    collectors: Vec<Box<dyn Collector>>,
    /// The caller's configuration: its credentials, in its home region.
    base: SdkConfig,
    home_region: String,
    /// The calls made before any part runs (identity, organization, AssumeRole, regions).
    setup_calls: ApiCallCounter,
    concurrency: usize,
    caller: CallerIdentity,
    /// `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN.
    partition: String,
}

/// The accounts of a run: those to enter, and what is known of each.
struct Accounts {
    organization_id: Option<String>,
    /// (id, name) of the accounts still to enter.
    planned: Vec<(String, Option<String>)>,
    /// Account-level errors (an account not in the organization, a failed AssumeRole).
    errors: TableRows,
    entries: BTreeMap<String, AccountEntry>,
}

/// One part to run: a collector, in an account, in a region (None for a global service).
struct PlannedPart<'c> {
    service_order: usize,
    collector: &'c dyn Collector,
    account_id: String,
    region: Option<String>,
    sdk: SdkConfig,
    /// The region its clients are built for: the part's, or the home region.
    client_region: String,
}

/// The bookkeeping of what the parts read: their errors and a row for each part (the rows
/// themselves are already in the snapshot's files).
struct Gathered {
    errors: TableRows,
    parts_table: TableRows,
    parts: Vec<PartEntry>,
    regions: Vec<String>,
    api_calls: u64,
    error_count: u64,
}

impl<'a> Run<'a> {
    /// Who is calling: the one call every run needs to succeed.
    async fn start(
        opts: &'a CollectOptions,
        progress: &'a dyn Progress,
    ) -> Result<Self, CollectError> {
        let started_at = Utc::now();
        let collectors = select_collectors(&opts.services)?;
        let base = load_sdk_config(&opts.aws).await;
        let home_region = base
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| crate::aws::DEFAULT_REGION.to_owned());
        let setup_calls = ApiCallCounter::default();
        let identity = client!(&base, setup_calls, aws_sdk_sts)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| CollectError::NoIdentity(error_info(&e)))?;
        let caller = CallerIdentity {
            account_id: identity.account.unwrap_or_default(),
            arn: identity.arn.unwrap_or_default(),
            user_id: identity.user_id.unwrap_or_default(),
        };
        let partition = caller
            .arn
            .split(':')
            .nth(1)
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_owned();
        Ok(Run {
            opts,
            progress,
            started_at,
            collectors,
            base,
            home_region,
            setup_calls,
            concurrency: opts.concurrency.max(1),
            caller,
            partition,
        })
    }

    /// A part's view of an account in a region.
    fn target(
        &self,
        sdk: &SdkConfig,
        account: &str,
        region: &str,
        calls: &ApiCallCounter,
    ) -> Target {
        Target {
            account_id: account.to_owned(),
            partition: self.partition.clone(),
            region: region.to_owned(),
            sdk: sdk.clone(),
            fan_out: self.concurrency,
            s3_path_style: self.opts.aws.endpoint_url.is_some(),
            calls: calls.clone(),
        }
    }

    /// Which accounts, by whom: the caller's own, or with `--org` the organization's active
    /// accounts (those of `--accounts` only; one that is not in it is a recorded failure).
    async fn plan_accounts(&self) -> Result<Accounts, CollectError> {
        let mut accounts = Accounts {
            organization_id: None,
            planned: vec![(self.caller.account_id.clone(), None)],
            errors: TableRows::new(&tables::COLLECTION_ERRORS),
            entries: BTreeMap::new(),
        };
        if !self.opts.org {
            return Ok(accounts);
        }
        let target = self.target(
            &self.base,
            &self.caller.account_id,
            &self.home_region,
            &self.setup_calls,
        );
        let (org_id, listed) = super::org::list_active_accounts(&target)
            .await
            .map_err(|info| CollectError::Organization {
                account: self.caller.account_id.clone(),
                info,
            })?;
        accounts.organization_id = Some(org_id);
        accounts.planned = listed
            .into_iter()
            .map(|(id, name)| (id, Some(name)))
            .collect();
        if let Some(wanted) = &self.opts.accounts {
            let mut sink = Sink::new(&self.caller.account_id, None, "sts");
            for id in wanted {
                if !accounts.planned.iter().any(|(p, _)| p == id) {
                    let info = ErrorInfo {
                        code: "AccountNotInOrganization".into(),
                        message: format!("{id} is not an active account of the organization"),
                    };
                    sink.record_error("ListAccounts", Some(id), None, info.clone());
                    accounts.entries.insert(
                        id.clone(),
                        failed_entry(id, None, AccountAccess::AssumedRole, &info),
                    );
                }
            }
            accounts.errors.append(sink.into_parts().1);
            accounts.planned.retain(|(id, _)| wanted.contains(id));
        }
        Ok(accounts)
    }

    /// Enters every planned account: the caller's own with its credentials, the others by
    /// AssumeRole.
    async fn enter_accounts(&self, planned: Vec<(String, Option<String>)>) -> Vec<EnteredAccount> {
        futures::stream::iter(planned)
            .map(|(id, name)| async move {
                let session = enter_account(
                    self.opts,
                    &self.base,
                    &self.caller,
                    &self.partition,
                    &id,
                    &self.home_region,
                    &self.setup_calls,
                )
                .await;
                (id, name, session)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// The parts of every entered account: each global collector once, each regional one per
    /// region; the organization is read once, from the caller's (management) account. An
    /// account that could not be entered is recorded as failed.
    fn plan_parts(
        &self,
        entered: Vec<EnteredAccount>,
        accounts: &mut Accounts,
    ) -> Vec<PlannedPart<'_>> {
        let mut parts = Vec::new();
        for (id, name, (session, account_sink)) in entered {
            let access = if id == self.caller.account_id {
                AccountAccess::Caller
            } else {
                AccountAccess::AssumedRole
            };
            accounts.errors.append(account_sink.into_parts().1);
            let session = match session {
                Ok(session) => session,
                Err(info) => {
                    self.progress.account_failed(&id, &info.message);
                    accounts
                        .entries
                        .insert(id.clone(), failed_entry(&id, name, access, &info));
                    continue;
                }
            };
            let before = parts.len();
            for (order, c) in self.collectors.iter().enumerate() {
                if c.service() == "org" && session.id != self.caller.account_id {
                    continue;
                }
                let part =
                    |region: Option<&String>, sdk: SdkConfig, client_region: &str| PlannedPart {
                        service_order: order,
                        collector: c.as_ref(),
                        account_id: session.id.clone(),
                        region: region.cloned(),
                        sdk,
                        client_region: client_region.to_owned(),
                    };
                match c.scope() {
                    Scope::Global => parts.push(part(None, session.sdk.clone(), &self.home_region)),
                    Scope::Regional => {
                        for r in &session.regions {
                            let sdk = session
                                .sdk
                                .to_builder()
                                .region(aws_config::Region::new(r.clone()))
                                .build();
                            parts.push(part(Some(r), sdk, r));
                        }
                    }
                }
            }
            self.progress
                .account_planned(&session.id, parts.len() - before);
            accounts.entries.insert(
                id.clone(),
                AccountEntry {
                    account_id: id,
                    name,
                    access,
                    status: Status::Ok,
                    error: None,
                },
            );
        }
        parts
    }

    /// Runs the parts, `concurrency` at a time; results in a stable order (account, service,
    /// region), whatever order the parts finished in.
    async fn run_parts(
        &self,
        parts: Vec<PlannedPart<'_>>,
        writer: &mut SnapshotWriter,
    ) -> Result<Vec<PartResult>, CollectError> {
        let mut finished = futures::stream::iter(parts)
            .map(|part| {
                let calls = ApiCallCounter::default();
                let target = self.target(&part.sdk, &part.account_id, &part.client_region, &calls);
                async move {
                    let PlannedPart { service_order, collector, account_id, region, .. } = part;
                    let mut sink = Sink::new(&account_id, region.as_deref(), collector.service());
                    tracing::debug!(account = %account_id, region = region.as_deref().unwrap_or("global"), service = collector.service(), "Collecting.");
                    collector.collect(&target, &mut sink).await;
                    let status = part_status(&sink, calls.successes());
                    self.progress.part_finished(&account_id, collector.service(), region.as_deref(), status);
                    (account_id, region, collector.service(), service_order, sink, calls.get(), status)
                }
            })
            .buffer_unordered(self.concurrency);
        let mut results = Vec::new();
        while let Some((account_id, region, service, service_order, sink, api_calls, status)) =
            finished.next().await
        {
            let rows = sink.row_counts();
            let (tables, errors) = sink.into_parts();
            for rows in tables.values() {
                writer.append(rows)?;
            }
            results.push(PartResult {
                account_id,
                region,
                service,
                service_order,
                rows,
                errors,
                api_calls,
                status,
            });
        }
        self.progress.finished();
        results.sort_by(|a, b| {
            (&a.account_id, a.service_order, &a.region).cmp(&(
                &b.account_id,
                b.service_order,
                &b.region,
            ))
        });
        Ok(results)
    }

    /// The bookkeeping tables of the parts: their errors, a row per part, and per collector
    /// of an account that could not be entered (so a check can say "not assessed" for it
    /// rather than find nothing and pass). A run that read nothing but errors fails.
    fn gather(
        &self,
        results: Vec<PartResult>,
        accounts: &mut Accounts,
    ) -> Result<Gathered, CollectError> {
        let mut all_errors = std::mem::replace(
            &mut accounts.errors,
            TableRows::new(&tables::COLLECTION_ERRORS),
        );
        let mut parts_table = TableRows::new(&tables::COLLECTION_PARTS);
        let mut part_entries = Vec::new();
        let mut api_calls = self.setup_calls.get();
        for r in results {
            let status = r.status;
            let rows = r.rows;
            let errors = r.errors.len() as u64;
            let total_rows: u64 = rows.values().sum();
            parts_table
                .row()
                .set("account_id", &r.account_id)
                .set("region", r.region.clone())
                .set("service", r.service)
                .set("status", status_name(status))
                .set("rows", total_rows as i64)
                .set("errors", errors as i64)
                .set("api_calls", r.api_calls as i64);
            api_calls += r.api_calls;
            part_entries.push(PartEntry {
                account_id: r.account_id,
                region: r.region,
                service: r.service.to_owned(),
                status,
                rows,
                api_calls: r.api_calls,
                errors,
            });
            all_errors.append(r.errors);
        }
        for entry in accounts
            .entries
            .values()
            .filter(|e| e.status == Status::Failed)
        {
            for c in self
                .collectors
                .iter()
                .filter(|c| c.service() != "org" || entry.account_id == self.caller.account_id)
            {
                parts_table
                    .row()
                    .set("account_id", &entry.account_id)
                    .set("service", c.service())
                    .set("status", status_name(Status::Failed))
                    .set("rows", 0)
                    .set("errors", 1)
                    .set("api_calls", 0);
            }
        }
        let error_count = all_errors.len() as u64;
        let nothing_read = part_entries
            .iter()
            .all(|p| p.rows.values().sum::<u64>() == 0);
        if nothing_read && error_count > 0 {
            return Err(CollectError::NothingCollected {
                parts: part_entries.len().max(accounts.entries.len()),
                first: first_error(&all_errors),
            });
        }
        let mut regions: Vec<String> = part_entries
            .iter()
            .filter_map(|p| p.region.clone())
            .collect();
        if let RegionSelection::List(list) = &self.opts.regions {
            regions.extend(list.iter().cloned());
        }
        regions.sort();
        regions.dedup();
        Ok(Gathered {
            errors: all_errors,
            parts_table,
            parts: part_entries,
            regions,
            api_calls,
            error_count,
        })
    }

    /// The writer of the snapshot (or, with `--snapshot-id`, a shard of it), with a file
    /// open for each table the collectors fill.
    fn create_writer(&self) -> Result<(String, SnapshotWriter), CollectError> {
        let opts = self.opts;
        let (id, mut writer) = match &opts.snapshot_id {
            Some(target) => (
                target.clone(),
                SnapshotWriter::create_shard(
                    &opts.data_dir,
                    target,
                    &new_snapshot_id(self.started_at),
                )?,
            ),
            None => {
                let id = new_snapshot_id(self.started_at);
                let writer = SnapshotWriter::create(&opts.data_dir, &id)?;
                (id, writer)
            }
        };
        let filled: Vec<_> = all_tables()
            .into_iter()
            .filter(|d| {
                d.name != tables::COLLECTION_ERRORS.name && d.name != tables::COLLECTION_PARTS.name
            })
            .collect();
        if let Err(e) = writer.open_tables(&filled) {
            writer.abandon();
            return Err(e.into());
        }
        Ok((id, writer))
    }

    /// Closes the tables, writes the bookkeeping tables and the manifest, and publishes.
    fn write(
        self,
        id: String,
        mut writer: SnapshotWriter,
        accounts: Accounts,
        gathered: Gathered,
    ) -> Result<CollectOutcome, CollectError> {
        let written = writer
            .close_tables()
            .and_then(|()| writer.write_table(&gathered.errors))
            .and_then(|()| writer.write_table(&gathered.parts_table));
        if let Err(e) = written {
            writer.abandon();
            return Err(e.into());
        }
        let manifest = Manifest {
            snapshot_id: id.clone(),
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: self.started_at,
            finished_at: Utc::now(),
            caller: self.caller,
            organization_id: accounts.organization_id,
            accounts: accounts.entries.into_values().collect(),
            regions: gathered.regions,
            services: self
                .collectors
                .iter()
                .map(|c| c.service().to_owned())
                .collect(),
            parts: gathered.parts,
            tables: writer.tables().clone(),
            api_calls: gathered.api_calls,
            error_count: gathered.error_count,
        };
        let path = writer.finish(&manifest)?;
        Ok(CollectOutcome {
            snapshot_id: id,
            path,
            manifest,
        })
    }
}

fn select_collectors(services: &[String]) -> Result<Vec<Box<dyn Collector>>, CollectError> {
    let all = all_collectors();
    if services.is_empty() {
        return Ok(all);
    }
    let known: Vec<&str> = all.iter().map(|c| c.service()).collect();
    for s in services {
        if !known.contains(&s.as_str()) {
            return Err(CollectError::UnknownService(s.clone(), known.join(", ")));
        }
    }
    Ok(all
        .into_iter()
        .filter(|c| services.iter().any(|s| s == c.service()))
        .collect())
}

/// Enters one account. The sink carries the account-level errors (a failed AssumeRole, a
/// region list that could not be read) whether or not the account could be entered.
async fn enter_account(
    opts: &CollectOptions,
    base: &SdkConfig,
    caller: &CallerIdentity,
    partition: &str,
    account_id: &str,
    home_region: &str,
    calls: &ApiCallCounter,
) -> (Result<AccountSession, ErrorInfo>, Sink) {
    let mut sink = Sink::new(account_id, None, "sts");
    let sdk = if account_id == caller.account_id {
        base.clone()
    } else {
        let role_arn = format!("arn:{partition}:iam::{account_id}:role/{}", opts.role_name);
        // One explicit AssumeRole gives a clear error (AccessDenied, no such role) up front;
        // the provider then refreshes the credentials for runs longer than a session.
        let sts = client!(base, calls, aws_sdk_sts);
        if let Err(e) = sts
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("govscan")
            .send()
            .await
        {
            let info = error_info(&e);
            sink.record_error("AssumeRole", Some(&role_arn), None, info.clone());
            return (Err(info), sink);
        }
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("govscan")
            .configure(base)
            .build()
            .await;
        base.to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build()
    };
    let regions = match &opts.regions {
        RegionSelection::List(list) => list.clone(),
        RegionSelection::All => match enabled_regions(&sdk, calls).await {
            Ok(r) => r,
            Err(info) => {
                // Still collect the global services and the home region; the error says
                // the other regions were not assessed.
                let mut ec2 = Sink::new(account_id, None, "ec2");
                ec2.record_error("DescribeRegions", None, Some(home_region), info);
                let (_, errs) = ec2.into_parts();
                sink.append_errors(errs);
                vec![home_region.to_owned()]
            }
        },
    };
    (
        Ok(AccountSession {
            id: account_id.to_owned(),
            sdk,
            regions,
        }),
        sink,
    )
}

/// Regions the account can use: opted in, or not needing opt-in.
async fn enabled_regions(
    sdk: &SdkConfig,
    calls: &ApiCallCounter,
) -> Result<Vec<String>, ErrorInfo> {
    crate::aws::ec2::enabled_regions(sdk, calls).await
}

/// Failed only when no call of the part succeeded: an empty answer is an answer (a region
/// without recorders), and what it says is in the tables.
fn part_status(sink: &Sink, successful_calls: u64) -> Status {
    let rows: u64 = sink.row_counts().values().sum();
    match (sink.error_count(), rows, successful_calls) {
        (0, _, _) => Status::Ok,
        (_, 0, 0) => Status::Failed,
        _ => Status::Partial,
    }
}

pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Partial => "partial",
        Status::Failed => "failed",
    }
}

fn failed_entry(
    id: &str,
    name: Option<String>,
    access: AccountAccess,
    info: &ErrorInfo,
) -> AccountEntry {
    AccountEntry {
        account_id: id.to_owned(),
        name,
        access,
        status: Status::Failed,
        error: Some(format!("{}: {}", info.code, info.message)),
    }
}

fn first_error(errors: &TableRows) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let text = |column| errors.get(0, column).as_text().unwrap_or_default();
    format!(
        "{} {} in {}: {}: {}",
        text("service"),
        text("operation"),
        text("account_id"),
        text("error_code"),
        text("error_message")
    )
}
