//! Planning and running checks over a snapshot, and deciding what is NOT_ASSESSED.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::stream::StreamExt;
use serde::Serialize;

use super::{Check, RuleError, Severity};
use crate::rules::PlanError;

pub const RESULT_COLUMNS: [&str; 5] = ["resource_id", "account_id", "region", "status", "reason"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    NotAssessed,
    Pass,
    /// A FAIL matched by a mutelist rule in force: an accepted risk, with its reason.
    Muted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotAssessed => "NOT_ASSESSED",
            Status::Muted => "MUTED",
        }
    }
}

/// One evaluated resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub resource_id: String,
    pub account_id: String,
    pub region: Option<String>,
    pub status: Status,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Load(#[from] RuleError),
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    #[error("registering snapshot_info: {0}")]
    SnapshotInfo(DataFusionError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("{path}: running: {source}")]
    Execute {
        path: std::path::PathBuf,
        source: DataFusionError,
    },
    #[error("{path}: status must be PASS or FAIL, got {status:?} for {resource}")]
    BadStatus {
        path: std::path::PathBuf,
        status: String,
        resource: String,
    },
    #[error("reading the collection bookkeeping: {0}")]
    Bookkeeping(DataFusionError),
}

/// A session over the snapshot `wanted` of the data directory (the latest when None), with
/// `snapshot_info`, which checks measure ages from.
pub async fn open(
    sessions: &crate::engine::Sessions,
    data_dir: &crate::store::DataDir,
    wanted: Option<&str>,
) -> Result<crate::engine::Engine, RunError> {
    let engine = sessions.open(data_dir, wanted).await?;
    register_snapshot_info(
        &engine.ctx,
        &engine.manifest.snapshot_id,
        engine.manifest.started_at,
    )
    .map_err(RunError::SnapshotInfo)?;
    Ok(engine)
}

/// True when a check at or above `level` failed (MUTED does not count).
pub fn fails_at(results: &[CheckResult], level: Option<Severity>) -> bool {
    level.is_some_and(|level| {
        results
            .iter()
            .any(|r| r.status == Status::Fail && r.severity >= level)
    })
}

/// Registers `snapshot_info` (one row: snapshot id and when it was collected), so checks
/// that age credentials compare with the collection time and give the same answer on
/// every run, not a different one each day.
pub fn register_snapshot_info(
    ctx: &SessionContext,
    snapshot_id: &str,
    collected_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), DataFusionError> {
    use datafusion::arrow::array::{StringArray, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::{Field, Schema, TimeUnit};
    let schema = Arc::new(Schema::new(vec![
        Field::new("snapshot_id", DataType::Utf8, false),
        Field::new(
            "collected_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec![snapshot_id])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![collected_at.timestamp_micros()])
                    .with_timezone("UTC"),
            ),
        ],
    )?;
    ctx.register_table(
        "snapshot_info",
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(())
}

fn texts(batch: &RecordBatch, column: &str) -> Result<Vec<Option<String>>, DataFusionError> {
    let array = batch
        .column_by_name(column)
        .ok_or_else(|| DataFusionError::Plan(format!("no column {column}")))?;
    let array = cast(array, &DataType::Utf8)?;
    let strings = array.as_string::<i32>();
    Ok((0..strings.len())
        .map(|i| (!strings.is_null(i)).then(|| strings.value(i).to_owned()))
        .collect())
}

/// Runs the planned checks, `concurrency` at a time, in check order.
pub async fn run_all(
    ctx: &SessionContext,
    checks: &[Check],
    concurrency: usize,
) -> Result<Vec<CheckResult>, RunError> {
    let planned = crate::rules::plan_all(ctx, checks).await?;
    let outputs: Vec<Result<Vec<RecordBatch>, RunError>> =
        futures::stream::iter(checks.iter().zip(planned))
            .map(|(check, df)| async move {
                df.collect().await.map_err(|source| RunError::Execute {
                    path: check.source.clone(),
                    source,
                })
            })
            .buffered(concurrency.max(1))
            .collect()
            .await;
    let coverage = Coverage::load(ctx).await?;
    let mut results = Vec::new();
    for (check, batches) in checks.iter().zip(outputs) {
        let mut rows = Vec::new();
        for batch in batches? {
            let cols: Vec<Vec<Option<String>>> = RESULT_COLUMNS
                .iter()
                .map(|c| texts(&batch, c))
                .collect::<Result<_, _>>()
                .map_err(|source| RunError::Execute {
                    path: check.source.clone(),
                    source,
                })?;
            let table_rows = (0..batch.num_rows())
                .map(|i| cols.iter().map(|c| c[i].clone()).collect::<Vec<_>>());
            for cells in table_rows {
                let resource_id = cells[0].clone().unwrap_or_default();
                let status = match cells[3].as_deref() {
                    Some("PASS") => Status::Pass,
                    Some("FAIL") => Status::Fail,
                    other => {
                        return Err(RunError::BadStatus {
                            path: check.source.clone(),
                            status: other.unwrap_or("NULL").to_owned(),
                            resource: resource_id,
                        });
                    }
                };
                rows.push(CheckResult {
                    check_id: check.meta.id.clone(),
                    title: check.meta.title.clone(),
                    severity: check.meta.severity,
                    frameworks: check.meta.frameworks.clone(),
                    resource_id,
                    account_id: cells[1].clone().unwrap_or_default(),
                    region: cells[2].clone().filter(|r| !r.is_empty()),
                    status,
                    reason: cells[4].clone().unwrap_or_default(),
                });
            }
        }
        coverage.apply(check, &mut rows);
        rows.sort_by(|a, b| {
            (a.status, &a.account_id, &a.region, &a.resource_id).cmp(&(
                b.status,
                &b.account_id,
                &b.region,
                &b.resource_id,
            ))
        });
        results.extend(rows);
    }
    Ok(results)
}

/// A part (account, region, service) that read nothing, and the first error that says why.
struct FailedPart {
    account: String,
    region: Option<String>,
    service: String,
    why: String,
}

/// One failed AWS call from `collection_errors`.
struct FailedCall {
    account: String,
    region: Option<String>,
    service: String,
    operation: String,
    resource: Option<String>,
    /// `code: message`
    message: String,
}

/// What the snapshot could not read, from `collection_parts` and `collection_errors`.
struct Coverage {
    failed_parts: Vec<FailedPart>,
    errors: Vec<FailedCall>,
}

/// Reads of a managed policy's document: what every principal it is attached to is decided
/// from.
const POLICY_DOCUMENT_READS: [&str; 2] = ["GetPolicy", "GetPolicyVersion"];

impl Coverage {
    async fn load(ctx: &SessionContext) -> Result<Self, RunError> {
        let query = |sql: &'static str| async move {
            crate::engine::cluster::prepare(ctx, sql).await?;
            let batches = ctx.sql(sql).await?.collect().await?;
            let mut rows: Vec<Vec<Option<String>>> = Vec::new();
            for b in &batches {
                let cols: Vec<Vec<Option<String>>> = (0..b.num_columns())
                    .map(|i| texts(b, b.schema().field(i).name()))
                    .collect::<Result<_, _>>()?;
                for r in 0..b.num_rows() {
                    rows.push(cols.iter().map(|c| c[r].clone()).collect());
                }
            }
            Ok::<_, DataFusionError>(rows)
        };
        let errors = query("SELECT account_id, region, service, operation, resource, error_code || ': ' || error_message FROM collection_errors")
            .await
            .map_err(RunError::Bookkeeping)?;
        let parts = query(
            "SELECT account_id, region, service FROM collection_parts WHERE status = 'failed'",
        )
        .await
        .map_err(RunError::Bookkeeping)?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let errors: Vec<FailedCall> = errors
            .iter()
            .map(|r| FailedCall {
                account: text(&r[0]),
                region: r[1].clone(),
                service: text(&r[2]),
                operation: text(&r[3]),
                resource: r[4].clone(),
                message: text(&r[5]),
            })
            .collect();
        let failed_parts = parts
            .iter()
            .map(|r| {
                let (account, region, service) = (text(&r[0]), r[1].clone(), text(&r[2]));
                let why = errors
                    .iter()
                    .find(|e| {
                        e.account == account
                            && (e.service == service || e.service == "sts")
                            && (region.is_none() || e.region == region)
                    })
                    .map(|e| format!("{} {}: {}", e.service, e.operation, e.message))
                    .unwrap_or_else(|| format!("{service} was not collected"));
                FailedPart {
                    account,
                    region,
                    service,
                    why,
                }
            })
            .collect();
        Ok(Self {
            failed_parts,
            errors,
        })
    }

    /// Marks as NOT_ASSESSED what the check's inputs could not cover, and adds a
    /// NOT_ASSESSED row for an account or region that produced no row at all.
    fn apply(&self, check: &Check, rows: &mut Vec<CheckResult>) {
        let services: Vec<&str> = check
            .meta
            .tables
            .iter()
            .filter_map(|t| t.split('_').next())
            .filter(|s| *s != "collection" && *s != "snapshot")
            .collect();
        // Scopes that could not be read: whole parts, and operations that failed without
        // naming a resource.
        let mut scopes: Vec<(String, Option<String>, &str, String)> = Vec::new();
        for part in &self.failed_parts {
            if services.contains(&part.service.as_str()) {
                scopes.push((
                    part.account.clone(),
                    part.region.clone(),
                    &part.service,
                    part.why.clone(),
                ));
            }
        }
        // Rows by account: errors and scopes name an account, and an organization has
        // thousands (a scan of every row for each error made `check` quadratic).
        let mut of_account: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            of_account.entry(r.account_id.clone()).or_default().push(i);
        }
        let push = |rows: &mut Vec<CheckResult>,
                    of_account: &mut HashMap<String, Vec<usize>>,
                    row: CheckResult| {
            of_account
                .entry(row.account_id.clone())
                .or_default()
                .push(rows.len());
            rows.push(row);
        };
        for call in &self.errors {
            let (account, region) = (&call.account, &call.region);
            if check.meta.requires_call(&call.service, &call.operation) {
                let why = format!("{} {}: {}", call.service, call.operation, call.message);
                match &call.resource {
                    // A resource of the organization (a policy, an OU) is not what the rows
                    // name: it decides about every account, so the whole check is unread.
                    _ if call.service == "org" => {
                        scopes.push((account.clone(), region.clone(), &call.service, why))
                    }
                    None => scopes.push((account.clone(), region.clone(), &call.service, why)),
                    Some(res) => {
                        let mut any = false;
                        for &i in of_account.get(account).into_iter().flatten() {
                            let row = &mut rows[i];
                            if names_resource(&row.resource_id, res) {
                                row.status = Status::NotAssessed;
                                row.reason = format!("not assessed: {why}");
                                any = true;
                            }
                        }
                        if any {
                            continue;
                        }
                        if call.service == "iam"
                            && POLICY_DOCUMENT_READS.contains(&call.operation.as_str())
                            && check.meta.tables.iter().any(|t| t == "iam_policies")
                        {
                            // A managed policy whose document could not be read may be
                            // attached to any user, group or role of its account, and the
                            // policy engine decides each of them from the documents: every
                            // row of the account is unread (a storm found a user called no
                            // administrator because AdministratorAccess was not read).
                            scopes.push((account.clone(), region.clone(), &call.service, why));
                        } else {
                            // The failed read may be why the resource has no row at all
                            // (keys of a user whose keys could not be listed): say so.
                            let row = self.placeholder(check, res.clone(), account, region, &why);
                            push(rows, &mut of_account, row);
                        }
                    }
                }
            }
        }
        for (account, region, service, why) in scopes {
            // Organization data is read once, in the management account, about every account;
            // a check decided across accounts may have looked for its evidence anywhere.
            let any_account = service == "org" || check.meta.decided_across_accounts;
            // An account-wide row (no region) is incomplete when any of its regions failed.
            let in_region =
                |r: &CheckResult| region.is_none() || r.region.is_none() || r.region == region;
            let own_rows = of_account.get(&account).cloned().unwrap_or_default();
            let in_scope: Vec<usize> = if any_account {
                (0..rows.len()).filter(|&i| in_region(&rows[i])).collect()
            } else {
                own_rows
                    .iter()
                    .copied()
                    .filter(|&i| in_region(&rows[i]))
                    .collect()
            };
            for &i in &in_scope {
                let row = &mut rows[i];
                if check.meta.decided_across_accounts && row.status == Status::Pass {
                    continue;
                }
                row.status = Status::NotAssessed;
                row.reason = if row.account_id == account {
                    format!("not assessed: {why}")
                } else {
                    let place = region
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default();
                    format!("not assessed: in account {account}{place}, {why}")
                };
            }
            let own_row = own_rows.iter().any(|&i| in_region(&rows[i]));
            if in_scope.is_empty() || (check.meta.decided_across_accounts && !own_row) {
                let row =
                    self.placeholder(check, format!("account/{account}"), &account, &region, &why);
                push(rows, &mut of_account, row);
            }
        }
    }

    fn placeholder(
        &self,
        check: &Check,
        resource_id: String,
        account: &str,
        region: &Option<String>,
        why: &str,
    ) -> CheckResult {
        CheckResult {
            check_id: check.meta.id.clone(),
            title: check.meta.title.clone(),
            severity: check.meta.severity,
            frameworks: check.meta.frameworks.clone(),
            resource_id,
            account_id: account.to_owned(),
            region: region.clone(),
            status: Status::NotAssessed,
            reason: format!("not assessed: {why}"),
        }
    }
}

/// An error's resource (a bucket or user name, or an ARN) names a result's resource id.
fn names_resource(resource_id: &str, resource: &str) -> bool {
    resource_id == resource
        || resource_id
            .strip_suffix(resource)
            .is_some_and(|head| head.ends_with(':') || head.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_match_by_name_or_arn_suffix() {
        assert!(names_resource("arn:aws:s3:::logs", "logs"));
        assert!(names_resource("arn:aws:iam::1:user/eng/bob", "bob"));
        assert!(!names_resource("arn:aws:iam::1:user/bobby", "bob"));
        assert!(names_resource(
            "arn:aws:iam::1:role/x",
            "arn:aws:iam::1:role/x"
        ));
    }

    fn check_with(header: &str) -> Check {
        check_reading("cloudwatch_alarms", "DescribeAlarms", header)
    }

    /// A check over `tables` that requires `requires`, with `header` lines besides.
    fn check_reading(tables: &str, requires: &str, header: &str) -> Check {
        let text = format!("-- id: x-check\n-- title: X\n-- severity: high\n-- description: d\n-- remediation: r\n-- tables: [{tables}]\n-- requires: [{requires}]\n{header}SELECT 1\n");
        crate::checks::parse_check(std::path::Path::new("checks/x/x.sql"), &text).unwrap()
    }

    /// Coverage with one failed read, in account 111 and no region.
    fn one_failed_read(service: &str, operation: &str, resource: &str) -> Coverage {
        Coverage {
            failed_parts: vec![],
            errors: vec![FailedCall {
                account: "111".into(),
                region: None,
                service: service.into(),
                operation: operation.into(),
                resource: Some(resource.into()),
                message: "Throttling: Rate exceeded".into(),
            }],
        }
    }

    fn row(check: &Check, account: &str, region: Option<&str>, status: Status) -> CheckResult {
        CheckResult {
            check_id: check.meta.id.clone(),
            title: String::new(),
            severity: check.meta.severity,
            frameworks: BTreeMap::new(),
            resource_id: format!("account/{account}/x"),
            account_id: account.into(),
            region: region.map(Into::into),
            status,
            reason: "as found".into(),
        }
    }

    /// DescribeAlarms failed in the management account's us-east-1.
    fn alarms_failed_in_management() -> Coverage {
        Coverage {
            failed_parts: vec![],
            errors: vec![FailedCall {
                account: "111".into(),
                region: Some("us-east-1".into()),
                service: "cloudwatch".into(),
                operation: "DescribeAlarms".into(),
                resource: None,
                message: "Throttling: Rate exceeded".into(),
            }],
        }
    }

    #[test]
    fn an_account_wide_result_is_not_assessed_when_one_of_its_regions_failed() {
        let check = check_with("");
        let mut rows = vec![
            row(&check, "111", None, Status::Pass),
            row(&check, "222", None, Status::Fail),
        ];
        alarms_failed_in_management().apply(&check, &mut rows);
        assert_eq!(rows.len(), 2, "no placeholder beside the row: {rows:?}");
        assert_eq!(rows[0].status, Status::NotAssessed);
        assert!(
            rows[0].reason.contains("DescribeAlarms"),
            "{}",
            rows[0].reason
        );
        // Without decided_across_accounts another account's failure is not this one's.
        assert_eq!(rows[1].status, Status::Fail);
    }

    /// A policy of the organization that could not be read decides about every account's
    /// row, none of which names the policy: all of them are not assessed (a storm found
    /// guardrail checks failing accounts because a DescribePolicy was throttled).
    #[test]
    fn a_failed_read_of_an_organization_policy_makes_every_row_not_assessed() {
        let check = check_reading("org_accounts, org_policies", "DescribePolicy", "");
        let mut rows = vec![
            row(&check, "111", None, Status::Pass),
            row(&check, "222", None, Status::Fail),
        ];
        let coverage = one_failed_read("org", "DescribePolicy", "p-abc123");
        coverage.apply(&check, &mut rows);
        assert!(
            rows.iter().all(|r| r.status == Status::NotAssessed),
            "{rows:?}"
        );
        assert_eq!(rows.len(), 2, "no placeholder for the policy: {rows:?}");
    }

    /// `org:ListPolicies` is Organizations' call: IAM's ListPolicies failing leaves the rows
    /// as they are, Organizations' makes them not assessed.
    #[test]
    fn a_required_operation_of_one_service_is_not_another_services_of_the_same_name() {
        let check = check_reading("iam_users, org_policies", "org:ListPolicies", "");
        let rows = vec![row(&check, "111", None, Status::Fail)];
        for (service, expected) in [("iam", Status::Fail), ("org", Status::NotAssessed)] {
            let mut rows = rows.clone();
            let mut coverage = one_failed_read(service, "ListPolicies", "");
            coverage.errors[0].resource = None;
            coverage.apply(&check, &mut rows);
            assert_eq!(rows[0].status, expected, "{service}: {rows:?}");
        }
    }

    /// A managed policy whose document could not be read decides about every principal it
    /// is attached to, none of which the rows name by the policy: every row of its account
    /// is not assessed, the other account's are left as they are.
    #[test]
    fn a_failed_read_of_a_policy_document_makes_the_accounts_principals_not_assessed() {
        let check = check_reading("iam_users, iam_policies", "GetPolicyVersion", "");
        let mut rows = vec![
            row(&check, "111", None, Status::Pass),
            row(&check, "111", None, Status::Fail),
            row(&check, "222", None, Status::Pass),
        ];
        let coverage = one_failed_read(
            "iam",
            "GetPolicyVersion",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        );
        coverage.apply(&check, &mut rows);
        let statuses: Vec<(&str, Status)> = rows
            .iter()
            .map(|r| (r.account_id.as_str(), r.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("111", Status::NotAssessed),
                ("111", Status::NotAssessed),
                ("222", Status::Pass)
            ]
        );
    }

    #[test]
    fn a_failed_read_elsewhere_makes_fails_of_a_check_decided_across_accounts_not_assessed() {
        let check = check_with("-- decided_across_accounts: true\n");
        let mut rows = vec![
            row(&check, "111", None, Status::Fail),
            row(&check, "222", None, Status::Fail),
            row(&check, "333", None, Status::Pass),
            row(&check, "444", Some("eu-west-1"), Status::Fail),
        ];
        alarms_failed_in_management().apply(&check, &mut rows);
        let statuses: Vec<Status> = rows.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                Status::NotAssessed,
                Status::NotAssessed,
                Status::Pass,
                Status::Fail
            ],
            "{rows:?}"
        );
        assert_eq!(
            rows[1].reason,
            "not assessed: in account 111 us-east-1, cloudwatch DescribeAlarms: Throttling: Rate exceeded"
        );
        assert_eq!(rows[2].reason, "as found");
    }

    #[tokio::test]
    async fn a_check_that_does_not_plan_names_its_file_line_and_column() {
        let text = "-- id: iam-x\n-- title: X\n-- severity: high\n-- description: d\n-- remediation: r\n-- tables: [iam_users]\n\nSELECT arn AS resource_id, account_id,\n  NULL AS region, 'PASS' AS status, no_such_column AS reason\nFROM iam_users\n";
        let check =
            crate::checks::parse_check(std::path::Path::new("checks/iam/x.sql"), text).unwrap();
        let ctx = crate::engine::new_context().unwrap();
        let users = crate::collect::all_tables()
            .into_iter()
            .find(|d| d.name == "iam_users")
            .unwrap();
        let empty = MemTable::try_new(users.schema(), vec![vec![]]).unwrap();
        ctx.register_table("iam_users", Arc::new(empty)).unwrap();
        let err = crate::rules::plan_all(&ctx, &[check])
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("checks/iam/x.sql: the SQL does not plan")
                && err.contains("no_such_column")
                && err.contains("(at line 9, column 37)"),
            "{err}"
        );
    }
}
