//! One collection run: find the accounts, enter each one, plan its parts, run them all
//! concurrently, and write the snapshot.

use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use chrono::Utc;
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

struct PartResult {
    account_id: String,
    region: Option<String>,
    service: &'static str,
    service_order: usize,
    sink: Sink,
    api_calls: u64,
    status: Status,
}

pub async fn collect(
    opts: &CollectOptions,
    progress: &dyn Progress,
) -> Result<CollectOutcome, CollectError> {
    let started_at = Utc::now();
    let collectors = select_collectors(&opts.services)?;
    let base = load_sdk_config(&opts.aws).await;
    let home_region = base
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| crate::aws::DEFAULT_REGION.to_owned());
    let setup_calls = ApiCallCounter::default();
    let concurrency = opts.concurrency.max(1);

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
    let caller_target =
        |sdk: &SdkConfig, account: &str, region: &str, calls: &ApiCallCounter| Target {
            account_id: account.to_owned(),
            partition: partition.clone(),
            region: region.to_owned(),
            sdk: sdk.clone(),
            fan_out: concurrency,
            s3_path_style: opts.aws.endpoint_url.is_some(),
            calls: calls.clone(),
        };

    // Which accounts, by whom.
    let mut organization_id = None;
    let mut planned: Vec<(String, Option<String>)> = vec![(caller.account_id.clone(), None)];
    let mut account_errors = Sink::new(&caller.account_id, None, "sts");
    let mut account_entries: BTreeMap<String, AccountEntry> = BTreeMap::new();
    if opts.org {
        let target = caller_target(&base, &caller.account_id, &home_region, &setup_calls);
        let (org_id, accounts) =
            super::org::list_active_accounts(&target)
                .await
                .map_err(|info| CollectError::Organization {
                    account: caller.account_id.clone(),
                    info,
                })?;
        organization_id = Some(org_id);
        planned = accounts
            .into_iter()
            .map(|(id, name)| (id, Some(name)))
            .collect();
        if let Some(wanted) = &opts.accounts {
            for id in wanted {
                if !planned.iter().any(|(p, _)| p == id) {
                    let info = ErrorInfo {
                        code: "AccountNotInOrganization".into(),
                        message: format!("{id} is not an active account of the organization"),
                    };
                    account_errors.record_error("ListAccounts", Some(id), None, info.clone());
                    account_entries.insert(
                        id.clone(),
                        failed_entry(id, None, AccountAccess::AssumedRole, &info),
                    );
                }
            }
            planned.retain(|(id, _)| wanted.contains(id));
        }
    }

    // Enter every account: the caller's own with its credentials, the others by AssumeRole.
    let sessions: Vec<EnteredAccount> = futures::stream::iter(planned)
        .map(|(id, name)| {
            let base = &base;
            let home_region = &home_region;
            let caller = &caller;
            let partition = &partition;
            let setup_calls = &setup_calls;
            async move {
                let session =
                    enter_account(opts, base, caller, partition, &id, home_region, setup_calls)
                        .await;
                (id, name, session)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    let mut errors = TableRows::new(&tables::COLLECTION_ERRORS);
    let mut parts_to_run = Vec::new();
    for (id, name, session) in sessions {
        let access = if id == caller.account_id {
            AccountAccess::Caller
        } else {
            AccountAccess::AssumedRole
        };
        let (session, account_sink) = session;
        let (_, errs) = account_sink.into_parts();
        errors.append(errs);
        match session {
            Ok(session) => {
                let mut count = 0;
                for (order, c) in collectors.iter().enumerate() {
                    // The organization is read once, from the caller's (management) account.
                    if c.service() == "org" && session.id != caller.account_id {
                        continue;
                    }
                    match c.scope() {
                        Scope::Global => {
                            parts_to_run.push((
                                order,
                                c.as_ref(),
                                session.id.clone(),
                                None,
                                session.sdk.clone(),
                                home_region.clone(),
                            ));
                            count += 1;
                        }
                        Scope::Regional => {
                            for r in &session.regions {
                                let sdk = session
                                    .sdk
                                    .to_builder()
                                    .region(aws_config::Region::new(r.clone()))
                                    .build();
                                parts_to_run.push((
                                    order,
                                    c.as_ref(),
                                    session.id.clone(),
                                    Some(r.clone()),
                                    sdk,
                                    r.clone(),
                                ));
                                count += 1;
                            }
                        }
                    }
                }
                progress.account_planned(&session.id, count);
                account_entries.insert(
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
            Err(info) => {
                progress.account_failed(&id, &info.message);
                account_entries.insert(id.clone(), failed_entry(&id, name, access, &info));
            }
        }
    }

    let mut results: Vec<PartResult> = futures::stream::iter(parts_to_run)
        .map(|(order, collector, account_id, region, sdk, client_region)| {
            let calls = ApiCallCounter::default();
            let target = caller_target(&sdk, &account_id, &client_region, &calls);
            async move {
                let mut sink = Sink::new(&account_id, region.as_deref(), collector.service());
                tracing::debug!(account = %account_id, region = region.as_deref().unwrap_or("global"), service = collector.service(), "Collecting.");
                collector.collect(&target, &mut sink).await;
                let status = part_status(&sink, calls.successes());
                progress.part_finished(&account_id, collector.service(), region.as_deref(), status);
                PartResult { account_id, region, service: collector.service(), service_order: order, sink, api_calls: calls.get(), status }
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    progress.finished();
    // Concurrency finishes parts in any order; the snapshot's row order must not depend on it.
    results.sort_by(|a, b| {
        (&a.account_id, a.service_order, &a.region).cmp(&(
            &b.account_id,
            b.service_order,
            &b.region,
        ))
    });

    let mut tables_out: BTreeMap<&'static str, TableRows> = all_tables()
        .into_iter()
        .map(|d| (d.name, TableRows::new(d)))
        .collect();
    let (_, setup_errors) = account_errors.into_parts();
    let mut all_errors = setup_errors;
    all_errors.append(errors);
    let mut parts_table = TableRows::new(&tables::COLLECTION_PARTS);
    let mut part_entries = Vec::new();
    let mut api_calls = setup_calls.get();
    for r in results {
        let status = r.status;
        let rows = r.sink.row_counts();
        let errors = r.sink.error_count() as u64;
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
        let (tables, errs) = r.sink.into_parts();
        for (name, rows) in tables {
            tables_out
                .get_mut(name)
                .expect("every collector table is registered")
                .append(rows);
        }
        all_errors.append(errs);
    }
    // Accounts that could not be entered are recorded as failed parts, so a check can say
    // "not assessed" for them rather than find nothing and pass.
    for entry in account_entries
        .values()
        .filter(|e| e.status == Status::Failed)
    {
        for c in collectors
            .iter()
            .filter(|c| c.service() != "org" || entry.account_id == caller.account_id)
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
        let first = first_error(&all_errors);
        return Err(CollectError::NothingCollected {
            parts: part_entries.len().max(account_entries.len()),
            first,
        });
    }
    tables_out.insert(tables::COLLECTION_ERRORS.name, all_errors);
    tables_out.insert(tables::COLLECTION_PARTS.name, parts_table);

    let mut regions: Vec<String> = part_entries
        .iter()
        .filter_map(|p| p.region.clone())
        .collect();
    if let RegionSelection::List(list) = &opts.regions {
        regions.extend(list.iter().cloned());
    }
    regions.sort();
    regions.dedup();

    let (id, mut writer) = match &opts.snapshot_id {
        Some(target) => (
            target.clone(),
            SnapshotWriter::create_shard(&opts.data_dir, target, &new_snapshot_id(started_at))?,
        ),
        None => {
            let id = new_snapshot_id(started_at);
            let writer = SnapshotWriter::create(&opts.data_dir, &id)?;
            (id, writer)
        }
    };
    for rows in tables_out.values() {
        if let Err(e) = writer.write_table(rows) {
            writer.abandon();
            return Err(e.into());
        }
    }
    let manifest = Manifest {
        snapshot_id: id.clone(),
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at,
        finished_at: Utc::now(),
        caller,
        organization_id,
        accounts: account_entries.into_values().collect(),
        regions,
        services: collectors.iter().map(|c| c.service().to_owned()).collect(),
        parts: part_entries,
        tables: writer.tables().clone(),
        api_calls,
        error_count,
    };
    let path = writer.finish(&manifest)?;
    Ok(CollectOutcome {
        snapshot_id: id,
        path,
        manifest,
    })
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
    crate::aws::signed::enabled_regions(sdk, calls).await
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
