//! Tables the policy engine computes from a snapshot and registers for SQL:
//! `iam_privilege_escalation`, `iam_effective_permissions`, `iam_role_trust`,
//! `resource_exposure` and its S3 view `s3_bucket_exposure`. They are computed once per session, on the first query that reads
//! one of them, so sessions that never ask pay nothing.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::Session;
use datafusion::datasource::{MemTable, TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;

use super::exposure::{account_of, resource_exposure, Exposure};
use super::privesc::{escalations, path_permissions};
use super::snapshot::{Authorization, PrincipalKind};
use super::Context;
use crate::store::table::{col, ColumnType::*, TableDef, TableRows};

pub static IAM_PRIVILEGE_ESCALATION: TableDef = TableDef {
    name: "iam_privilege_escalation",
    key: &[],
    doc: "Computed: every documented privilege-escalation path (pathfinding.cloud) open to a user or role that is not already an administrator (iam_admins), decided by the policy engine with SCPs, permissions boundaries, trust policies and conditions.",
    columns: &[
        col("account_id", Text, "The principal's account"),
        col("principal_arn", Text, "User or role that can escalate"),
        col("principal_type", Text, "user or role"),
        col("path_id", Text, "Path id, e.g. iam-001 (pathfinding.cloud)"),
        col("path_name", Text, "The permissions of the path, e.g. iam:CreatePolicyVersion"),
        col("category", Text, "self-escalation, principal-access, new-passrole or existing-passrole"),
        col("permissions", TextList, "The permissions the path needs, each allowed on its resource"),
        col("target", Text, "The user, role, policy or group it goes through; * for existing service resources"),
        col("detail", Text, "How, where it needs saying"),
    ],
};

pub static IAM_EFFECTIVE_PERMISSIONS: TableDef = TableDef {
    name: "iam_effective_permissions",
    key: &[],
    doc: "Computed: for each user and role, the decision on each sensitive action (permissions management, credentials, data access, the escalation permissions) on the resource patterns its policies name, after SCPs and boundaries.",
    columns: &[
        col("account_id", Text, "The principal's account"),
        col("principal_arn", Text, "User or role"),
        col("principal_type", Text, "user or role"),
        col("action", Text, "service:Action"),
        col("access_level", Text, "List, Read, Write, Permissions management or Tagging"),
        col("resource", Text, "A resource pattern an Allow statement names for the action (or *)"),
        col("decision", Text, "Allowed, ExplicitlyDenied or ImplicitlyDenied"),
        col("blocked_by", TextList, "Policy types that denied it (scp, boundary, identity, ...)"),
        col("via", TextList, "The statements that decided it"),
        col("conditional", Bool, "True if an Allow for it carries conditions (the decision assumes a plain request)"),
    ],
};

pub static IAM_ADMINS: TableDef = TableDef {
    name: "iam_admins",
    key: &[],
    doc: "Computed: users and roles with effective administrator access after SCPs and permissions boundaries: allowed iam:PutRolePolicy, iam:AttachUserPolicy, iam:CreateAccessKey and iam:PassRole on every resource, so they can grant themselves anything else.",
    columns: &[
        col("account_id", Text, "The principal's account"),
        col("principal_arn", Text, "User or role"),
        col("principal_type", Text, "user or role"),
    ],
};

pub static IAM_ROLE_TRUST: TableDef = TableDef {
    name: "iam_role_trust",
    key: &[],
    doc: "Computed: one row per principal a role's trust policy lets assume it.",
    columns: &[
        col("account_id", Text, "The role's account"),
        col("role_arn", Text, "Role ARN"),
        col("role_name", Text, "Role name"),
        col(
            "principal_type",
            Text,
            "AWS, Service, Federated, CanonicalUser or * (anyone)",
        ),
        col("principal", Text, "The trusted principal as written"),
        col("principal_account", Text, "Its account, for AWS principals"),
        col(
            "in_organization",
            Bool,
            "True if that account is one of the organization's; null when not an AWS principal",
        ),
        col(
            "actions",
            TextList,
            "sts:AssumeRole, sts:AssumeRoleWithWebIdentity, ...",
        ),
        col(
            "has_conditions",
            Bool,
            "True if the statement has conditions (external id, MFA, source...)",
        ),
        col(
            "condition_keys",
            TextList,
            "Condition keys the statement tests",
        ),
    ],
};

pub static S3_BUCKET_EXPOSURE: TableDef = TableDef {
    name: "s3_bucket_exposure",
    key: &[],
    doc: "Computed: who outside the bucket's account the bucket policy lets in, and with which actions, after Block Public Access and RCPs.",
    columns: &[
        col("account_id", Text, "Account owning the bucket"),
        col("bucket_name", Text, "Bucket name"),
        col("exposure", Text, "public (anyone) or cross-account"),
        col("principal", Text, "* for anyone, else the other account or principal"),
        col("actions", TextList, "Actions of s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket, s3:PutBucketPolicy, s3:GetBucketAcl allowed"),
        col("blocked_by_public_access_block", Bool, "True if Block Public Access (bucket or account) stops the public grant"),
    ],
};

pub static RESOURCE_EXPOSURE: TableDef = TableDef {
    name: "resource_exposure",
    key: &[],
    doc: "Computed: who outside its account each resource policy (buckets, KMS keys, SNS topics, SQS queues, Lambda functions, Secrets Manager secrets, EventBridge buses) lets act on the resource, with which actions and under which conditions, decided by the policy engine with the owner's RCPs.",
    columns: &[
        col("account_id", Text, "Account owning the resource"),
        col("service", Text, "s3, kms, sns, sqs, lambda, secretsmanager or events"),
        col("resource_arn", Text, "The bucket, key, topic, queue, function, secret or bus"),
        col("principal", Text, "* for anyone, else the other account's root or the principal named"),
        col("exposure", Text, "public (anyone), restricted (anyone, under a condition that pins the caller: aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, ...) or cross-account"),
        col("actions", TextList, "The service's sensitive actions the policy grants them"),
        col("conditions", TextList, "Conditions of the granting statements"),
        col("blocked_by_public_access_block", Bool, "S3: Block Public Access (bucket or account) stops the public grant"),
    ],
};

pub fn all_defs() -> Vec<&'static TableDef> {
    vec![
        &IAM_PRIVILEGE_ESCALATION,
        &IAM_ADMINS,
        &IAM_EFFECTIVE_PERMISSIONS,
        &IAM_ROLE_TRUST,
        &RESOURCE_EXPOSURE,
        &S3_BUCKET_EXPOSURE,
    ]
}

/// The sensitive actions of `iam_effective_permissions`.
pub const SENSITIVE: &[&str] = &[
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "sts:AssumeRole",
    "organizations:LeaveOrganization",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:PutBucketPolicy",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "kms:Decrypt",
    "ec2:GetPasswordData",
    "lambda:UpdateFunctionCode",
];

/// Computes every table of the module for the snapshot.
pub fn compute(auth: &Authorization) -> Result<Vec<(&'static TableDef, RecordBatch)>, String> {
    let arrow = |e: datafusion::arrow::error::ArrowError| e.to_string();
    let mut out = Vec::new();
    // Each table's time in the debug log (-vv): the engine's share of a `check` over a large
    // organization.
    let timed = |def: &'static TableDef, rows: TableRows, started: std::time::Instant| {
        tracing::debug!(
            "policy engine: {} computed in {:.3} s",
            def.name,
            started.elapsed().as_secs_f64()
        );
        rows.to_record_batch().map(|batch| (def, batch))
    };

    let started = std::time::Instant::now();
    let mut rows = TableRows::new(&IAM_PRIVILEGE_ESCALATION);
    for e in escalations(auth) {
        rows.row()
            .set("account_id", e.account_id)
            .set("principal_arn", e.principal_arn)
            .set("principal_type", e.principal_type)
            .set("path_id", e.path_id)
            .set("path_name", e.path_name)
            .set("category", e.category)
            .set("permissions", e.permissions)
            .set("target", e.target)
            .set("detail", e.detail);
    }
    out.push(timed(&IAM_PRIVILEGE_ESCALATION, rows, started).map_err(arrow)?);

    let started = std::time::Instant::now();
    let mut rows = TableRows::new(&IAM_ADMINS);
    for p in &auth.principals {
        let assembled = auth.assemble(p);
        let context = auth.default_context(p, "*", &Context::new());
        if super::privesc::is_admin(auth, &assembled, &context) {
            rows.row()
                .set("account_id", p.account_id.clone())
                .set("principal_arn", p.arn.clone())
                .set("principal_type", kind(p.kind));
        }
    }
    out.push(timed(&IAM_ADMINS, rows, started).map_err(arrow)?);
    let started = std::time::Instant::now();
    let rows = effective_permissions(auth);
    out.push(timed(&IAM_EFFECTIVE_PERMISSIONS, rows, started).map_err(arrow)?);
    let started = std::time::Instant::now();
    out.push(timed(&IAM_ROLE_TRUST, role_trust(auth), started).map_err(arrow)?);
    let started = std::time::Instant::now();
    let exposure = resource_exposure(auth);
    out.push(timed(&RESOURCE_EXPOSURE, exposure_rows(&exposure), started).map_err(arrow)?);
    out.push(timed(&S3_BUCKET_EXPOSURE, bucket_exposure(&exposure), started).map_err(arrow)?);
    Ok(out)
}

fn effective_permissions(auth: &Authorization) -> TableRows {
    let mut actions: Vec<String> = SENSITIVE.iter().map(|s| s.to_string()).collect();
    actions.extend(path_permissions());
    actions.sort_by_key(|a| a.to_ascii_lowercase());
    actions.dedup_by_key(|a| a.to_ascii_lowercase());
    let mut rows = TableRows::new(&IAM_EFFECTIVE_PERMISSIONS);
    for p in &auth.principals {
        for permission in auth.permissions(p, &actions) {
            let via: Vec<String> = permission
                .decision
                .matched
                .iter()
                .map(ToString::to_string)
                .collect();
            let mut row = rows.row();
            row.set("account_id", p.account_id.clone())
                .set("principal_arn", p.arn.clone())
                .set("principal_type", kind(p.kind))
                .set("via", via);
            set_permission(row, permission);
        }
    }
    rows
}

/// The columns a decided permission fills, in `iam_effective_permissions` and
/// `permissions_of`.
fn set_permission(
    mut row: crate::store::table::RowBuilder<'_>,
    permission: super::can::Permission,
) {
    let d = permission.decision;
    row.set("action", permission.action)
        .set("access_level", permission.access_level)
        .set("resource", permission.resource)
        .set("decision", format!("{:?}", d.decision))
        .set(
            "blocked_by",
            d.blocked_by
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        )
        .set("conditional", permission.conditional);
}

fn kind(k: PrincipalKind) -> &'static str {
    match k {
        PrincipalKind::User => "user",
        PrincipalKind::Role => "role",
    }
}

fn role_trust(auth: &Authorization) -> TableRows {
    let mut rows = TableRows::new(&IAM_ROLE_TRUST);
    for p in &auth.principals {
        for (s, block) in p.trust_grants() {
            if block.negated {
                continue;
            }
            let principals = &block.principals;
            let mut entries: Vec<(&str, String)> = Vec::new();
            if principals.any {
                entries.push(("*", "*".into()));
            }
            entries.extend(principals.aws.iter().map(|e| ("AWS", e.clone())));
            entries.extend(principals.service.iter().map(|e| ("Service", e.clone())));
            entries.extend(
                principals
                    .federated
                    .iter()
                    .map(|e| ("Federated", e.clone())),
            );
            entries.extend(
                principals
                    .canonical_user
                    .iter()
                    .map(|e| ("CanonicalUser", e.clone())),
            );
            for (kind, entry) in entries {
                let account = (kind == "AWS")
                    .then(|| account_of(&entry).map(str::to_owned))
                    .flatten();
                let in_org = account.as_ref().map(|a| auth.in_organization(a));
                rows.row()
                    .set("account_id", p.account_id.clone())
                    .set("role_arn", p.arn.clone())
                    .set("role_name", p.name.clone())
                    .set("principal_type", kind)
                    .set("principal", entry)
                    .set("principal_account", account)
                    .set("in_organization", in_org)
                    .set("actions", s.actions.patterns.clone())
                    .set("has_conditions", !s.conditions.is_empty())
                    .set(
                        "condition_keys",
                        s.conditions
                            .iter()
                            .map(|c| c.key.clone())
                            .collect::<Vec<_>>(),
                    );
            }
        }
    }
    rows
}

fn exposure_rows(exposure: &[Exposure]) -> TableRows {
    let mut rows = TableRows::new(&RESOURCE_EXPOSURE);
    for e in exposure {
        rows.row()
            .set("account_id", e.account_id.clone())
            .set("service", e.service)
            .set("resource_arn", e.resource_arn.clone())
            .set("principal", e.principal.clone())
            .set("exposure", e.exposure)
            .set("actions", e.actions.clone())
            .set("conditions", e.conditions.clone())
            .set(
                "blocked_by_public_access_block",
                e.blocked_by_public_access_block,
            );
    }
    rows
}

/// `s3_bucket_exposure`: the buckets of `resource_exposure` open to anyone or to another
/// account (a grant to anyone that pins the caller is neither).
fn bucket_exposure(exposure: &[Exposure]) -> TableRows {
    let mut rows = TableRows::new(&S3_BUCKET_EXPOSURE);
    for e in exposure
        .iter()
        .filter(|e| e.service == "s3" && e.exposure != "restricted")
    {
        rows.row()
            .set("account_id", e.account_id.clone())
            .set(
                "bucket_name",
                e.resource_arn
                    .trim_start_matches("arn:aws:s3:::")
                    .to_owned(),
            )
            .set("exposure", e.exposure)
            .set("principal", e.principal.clone())
            .set("actions", e.actions.clone())
            .set(
                "blocked_by_public_access_block",
                e.blocked_by_public_access_block,
            );
    }
    rows
}

/// A table computed on first scan, or a table function's answer to its arguments.
#[derive(Debug)]
struct Computed {
    def: &'static TableDef,
    shared: Arc<Shared>,
    /// The table function's arguments; None for a computed table.
    question: Option<Vec<String>>,
}

use crate::store::Snapshot;

type ComputedTables = Result<Vec<(&'static TableDef, RecordBatch)>, String>;

#[derive(Debug)]
struct Shared {
    source: Snapshot,
    auth: tokio::sync::OnceCell<Result<Arc<Authorization>, String>>,
    tables: tokio::sync::OnceCell<ComputedTables>,
}

impl Shared {
    /// The engine's view of the snapshot, read once per session.
    async fn load(&self) -> Result<Arc<Authorization>, String> {
        self.auth
            .get_or_init(|| async {
                let started = std::time::Instant::now();
                let auth = Authorization::load(&self.source)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::debug!(
                    "policy engine: {} principals read in {:.3} s",
                    auth.principals.len(),
                    started.elapsed().as_secs_f64()
                );
                for problem in &auth.problems {
                    tracing::warn!("policy engine: {problem}");
                }
                Ok(Arc::new(auth))
            })
            .await
            .clone()
    }

    async fn batch(&self, def: &TableDef) -> Result<RecordBatch> {
        let tables = self
            .tables
            .get_or_init(|| async { compute(&*self.load().await?) })
            .await;
        match tables {
            Ok(list) => list
                .iter()
                .find(|(d, _)| d.name == def.name)
                .map(|(_, b)| b.clone())
                .ok_or_else(|| DataFusionError::Internal(format!("{} was not computed", def.name))),
            Err(e) => Err(DataFusionError::Execution(format!("{}: {e}", def.name))),
        }
    }
}

#[async_trait]
impl TableProvider for Computed {
    fn schema(&self) -> SchemaRef {
        self.def.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let batch = match &self.question {
            None => self.shared.batch(self.def).await?,
            Some(args) => {
                let auth =
                    self.shared.load().await.map_err(|e| {
                        DataFusionError::Execution(format!("{}: {e}", self.def.name))
                    })?;
                answer(self.def, args, &auth)?.to_record_batch()?
            }
        };
        MemTable::try_new(self.schema(), vec![vec![batch]])?
            .scan(state, projection, filters, limit)
            .await
    }
}

/// Registers the computed tables on a session over the snapshot at `source`.
pub fn register(ctx: &SessionContext, source: Snapshot) -> Result<()> {
    let shared = Arc::new(Shared {
        source,
        auth: tokio::sync::OnceCell::new(),
        tables: tokio::sync::OnceCell::new(),
    });
    ctx.register_udtf(
        WHO_CAN.name,
        Arc::new(Question {
            def: &WHO_CAN,
            shared: shared.clone(),
        }),
    );
    ctx.register_udtf(
        PERMISSIONS_OF.name,
        Arc::new(Question {
            def: &PERMISSIONS_OF,
            shared: shared.clone(),
        }),
    );
    for def in all_defs() {
        ctx.register_table(
            def.name,
            Arc::new(Computed {
                def,
                shared: shared.clone(),
                question: None,
            }),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resource pattern with a policy variable is decided for the principal it stands for.
    #[test]
    fn effective_permissions_substitute_policy_variables() {
        use crate::policy::snapshot::{Named, Principal};
        use crate::policy::Policy;
        let policy = Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::corp/home/${aws:username}/*"}]}"#,
        )
        .unwrap();
        let mut auth = Authorization::default();
        auth.principals.push(Principal {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
            account_id: "111122223333".into(),
            name: "alice".into(),
            kind: PrincipalKind::User,
            identity: vec![Named {
                label: "home".into(),
                arn: None,
                policy,
            }],
            boundary: None,
            trust: None,
            is_service_linked: false,
            groups: vec![],
        });
        let rows = effective_permissions(&auth).to_record_batch().unwrap();
        let text = |c: &str, i: usize| {
            use datafusion::arrow::array::AsArray;
            rows.column_by_name(c)
                .unwrap()
                .as_string::<i32>()
                .value(i)
                .to_owned()
        };
        assert_eq!(rows.num_rows(), 1);
        assert_eq!(text("action", 0), "s3:PutObject");
        assert_eq!(text("resource", 0), "arn:aws:s3:::corp/home/alice/*");
        assert_eq!(text("decision", 0), "Allowed");
    }

    /// Every declared table is computed, with its declared schema, even for an empty snapshot.
    #[test]
    fn every_declared_table_is_computed() {
        let computed = compute(&Authorization::default()).unwrap();
        let names: Vec<&str> = computed.iter().map(|(d, _)| d.name).collect();
        let declared: Vec<&str> = all_defs().iter().map(|d| d.name).collect();
        assert_eq!(names, declared);
        for (def, batch) in computed {
            assert_eq!(batch.schema(), def.schema(), "{}", def.name);
        }
    }
}

pub static WHO_CAN: TableDef = TableDef {
    name: "who_can",
    key: &[],
    doc: "Table function who_can(action, resource): every principal that may do it, as `govscan policy who-can` answers (users and roles of the snapshot decided with all their policies, then the accounts, services and anyone the resource's policy names), with the statements that grant it and their conditions.",
    columns: &[
        col("principal", Text, "User or role ARN, account root, service principal, or * for anyone"),
        col("account_id", Text, "Its account, when it has one"),
        col("kind", Text, "user, role, account, service or anyone"),
        col("granted_by", TextList, "The Allow statements, each with its policy"),
        col("conditions", TextList, "The Condition blocks of those statements"),
        col("notes", TextList, "What the answer rests on that the snapshot cannot show"),
    ],
};

pub static PERMISSIONS_OF: TableDef = TableDef {
    name: "permissions_of",
    key: &[],
    doc: "Table function permissions_of(principal): every action the principal's Allow statements name, on each resource pattern they name, decided with its SCPs and boundary, as `govscan policy can` lists them (one row per action and pattern, allowed or not).",
    columns: &[
        col("action", Text, "service:Action, as the catalog spells it"),
        col("access_level", Text, "List, Read, Write, Permissions management or Tagging"),
        col("resource", Text, "A resource pattern an Allow statement names for it (or *)"),
        col("decision", Text, "Allowed, ExplicitlyDenied or ImplicitlyDenied"),
        col("blocked_by", TextList, "Policy types that denied it"),
        col("conditional", Bool, "True if an Allow for it carries conditions"),
    ],
};

/// The table functions: their declarations, for the reference.
pub fn function_defs() -> Vec<&'static TableDef> {
    vec![&WHO_CAN, &PERMISSIONS_OF]
}

/// `who_can(action, resource)` or `permissions_of(principal)`, asked of the session's
/// snapshot: the arguments are text literals.
#[derive(Debug)]
struct Question {
    def: &'static TableDef,
    shared: Arc<Shared>,
}

impl datafusion::catalog::TableFunctionImpl for Question {
    fn call_with_args(
        &self,
        args: datafusion::catalog::TableFunctionArgs,
    ) -> Result<Arc<dyn TableProvider>> {
        let texts: Vec<String> = args
            .exprs()
            .iter()
            .map(|e| match e {
                Expr::Literal(datafusion::scalar::ScalarValue::Utf8(Some(t)), _) => Ok(t.clone()),
                other => Err(DataFusionError::Plan(format!(
                    "{}: arguments are text literals, not {other}",
                    self.def.name
                ))),
            })
            .collect::<Result<_>>()?;
        let wanted = if self.def.name == WHO_CAN.name { 2 } else { 1 };
        if texts.len() != wanted {
            return Err(DataFusionError::Plan(format!(
                "{} takes {wanted} argument(s): {}",
                self.def.name,
                if wanted == 2 {
                    "action, resource"
                } else {
                    "principal"
                }
            )));
        }
        Ok(Arc::new(Computed {
            def: self.def,
            shared: self.shared.clone(),
            question: Some(texts),
        }))
    }
}

/// A table function's rows: `who_can(action, resource)` or `permissions_of(principal)`.
fn answer(def: &'static TableDef, args: &[String], auth: &Authorization) -> Result<TableRows> {
    let mut rows = TableRows::new(def);
    if def.name == WHO_CAN.name {
        for g in auth.who_can(&args[0], &args[1], &Context::new()) {
            rows.row()
                .set("principal", g.principal)
                .set("account_id", g.account_id)
                .set("kind", g.kind)
                .set("granted_by", g.granted_by)
                .set("conditions", g.conditions)
                .set("notes", g.notes);
        }
    } else {
        let p = auth.principal_or_session(&args[0]).ok_or_else(|| {
            DataFusionError::Plan(format!(
                "permissions_of: {} is not a user, role or role session of the snapshot",
                args[0]
            ))
        })?;
        let actions = auth.actions_named(p);
        for permission in auth.permissions(p, &actions) {
            set_permission(rows.row(), permission);
        }
    }
    Ok(rows)
}
