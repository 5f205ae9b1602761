//! The policies of a snapshot, assembled per principal the way AWS applies them: a user's
//! inline and attached policies and those of its groups, a role's, the permissions boundary,
//! the trust policy, the SCP and RCP chain from the organization root to the account, and
//! bucket policies.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::document::Policy;

type Row = Map<String, Value>;

/// Reads one snapshot table's rows by name.
pub type TableReader<'a> = dyn Fn(&str) -> Result<Vec<Row>, crate::store::StoreError> + 'a;

/// The snapshot tables the model reads.
pub const TABLES_READ: &[&str] = &[
    "iam_policies",
    "iam_inline_policies",
    "iam_policy_attachments",
    "iam_group_members",
    "iam_users",
    "iam_roles",
    "iam_groups",
    "s3_buckets",
    "s3_account_public_access_block",
    "kms_keys",
    "kms_aliases",
    "sns_topics",
    "sqs_queues",
    "lambda_functions",
    "secretsmanager_secrets",
    "events_buses",
    "org_accounts",
    "org_units",
    "org_policy_targets",
    "org_policies",
];

fn text<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.get(column).and_then(Value::as_str)
}

/// A policy with a name that says where it comes from, e.g. `inline user policy alice/S3`.
#[derive(Debug, Clone)]
pub struct Named {
    pub label: String,
    /// The managed policy's ARN; None for inline and organization policies.
    pub arn: Option<String>,
    pub policy: Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Role,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub arn: String,
    pub account_id: String,
    pub name: String,
    pub kind: PrincipalKind,
    pub identity: Vec<Named>,
    pub boundary: Option<Named>,
    /// A role's trust policy.
    pub trust: Option<Named>,
    pub is_service_linked: bool,
    /// The groups a user is in (ARNs).
    pub groups: Vec<String>,
}

impl Principal {
    /// A role's trust policy's Allow statements that name principals, with the block that
    /// names them (`Principal` or `NotPrincipal`); none for a user.
    pub fn trust_grants(
        &self,
    ) -> impl Iterator<
        Item = (
            &super::document::Statement,
            &super::document::PrincipalBlock,
        ),
    > {
        self.trust
            .iter()
            .filter(|_| self.kind == PrincipalKind::Role)
            .flat_map(|t| t.policy.statements.iter())
            .filter(|s| s.effect == super::document::Effect::Allow)
            .filter_map(|s| Some((s, s.principal.as_ref()?)))
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub account_id: String,
    pub arn: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    pub name: String,
    pub account_id: String,
    pub policy: Option<Named>,
    /// Block Public Access of the bucket: RestrictPublicBuckets limits a public policy to
    /// principals of the account and AWS services.
    pub restrict_public_buckets: bool,
    pub block_public_policy: bool,
}

/// A resource with its own resource-based policy, other than a bucket (which carries Block
/// Public Access too) and a role (whose trust policy is part of the principal): a KMS key
/// (whose key policy must allow every use), an SNS topic, an SQS queue, a Lambda function,
/// a secret, an event bus.
#[derive(Debug, Clone)]
pub struct PolicyResource {
    /// The service prefix: kms, sns, sqs, lambda, secretsmanager, events.
    pub service: &'static str,
    pub arn: String,
    pub account_id: String,
    /// None when the policy could not be read (its error is in collection_errors) or the
    /// resource has none.
    pub policy: Option<Named>,
}

/// Everything the engine needs from a snapshot.
#[derive(Debug, Default)]
pub struct Authorization {
    pub principals: Vec<Principal>,
    pub groups: Vec<Group>,
    pub buckets: Vec<Bucket>,
    pub resources: Vec<PolicyResource>,
    /// KMS alias ARN to the ARN of the key it names.
    pub alias_keys: HashMap<String, String>,
    /// Per account: the organization policy chain, root first (None: SCPs do not apply).
    scps: HashMap<String, Option<Vec<Vec<Named>>>>,
    rcps: HashMap<String, Option<Vec<Vec<Named>>>>,
    /// Organization id per member account.
    organization_of: HashMap<String, String>,
    /// Accounts whose account-level Block Public Access has RestrictPublicBuckets on.
    restricting_accounts: HashSet<String>,
    /// Problems met while assembling (a document that does not parse): reported, never
    /// silently treated as "no policy".
    pub problems: Vec<String>,
    /// Lookups by name, built at the first lookup: an organization has thousands of
    /// principals and buckets, and a scan per lookup made `check` quadratic in accounts.
    index: OnceLock<Index>,
}

/// Positions in [`Authorization`]'s lists by what they are looked up by.
#[derive(Debug, Default)]
struct Index {
    principal_by_arn: HashMap<String, usize>,
    /// A role by (account, name): a role session names the role without its path.
    role_by_name: HashMap<(String, String), usize>,
    principals_by_account: HashMap<String, Vec<usize>>,
    resource_by_arn: HashMap<String, usize>,
    bucket_by_name: HashMap<String, usize>,
    lengths: (usize, usize, usize),
}

impl Authorization {
    /// Reads the IAM, Organizations and S3 tables of a snapshot.
    pub async fn load(snapshot: &crate::store::Snapshot) -> Result<Self, crate::store::StoreError> {
        let mut rows = HashMap::new();
        for table in TABLES_READ {
            rows.insert(table.to_string(), snapshot.read_rows(table).await?);
        }
        Self::load_with(&|table: &str| Ok(rows.get(table).cloned().unwrap_or_default()))
    }

    /// Builds the model from a snapshot's tables as `read` returns them.
    pub fn load_with(read: &TableReader<'_>) -> Result<Self, crate::store::StoreError> {
        let mut auth = Authorization::default();
        let iam = Iam::new(
            read("iam_policies")?,
            read("iam_inline_policies")?,
            read("iam_policy_attachments")?,
        );
        let group_members = by_text(read("iam_group_members")?, "user_arn");
        let mut found = Vec::new();
        for u in read("iam_users")? {
            let (Some(account), Some(arn), Some(name)) = (
                text(&u, "account_id"),
                text(&u, "arn"),
                text(&u, "user_name"),
            ) else {
                continue;
            };
            let mut identity = iam.identity(&mut auth.problems, account, arn, "user", name);
            let mut groups = Vec::new();
            for g in group_members.get(arn).into_iter().flatten() {
                if let (Some(group_arn), Some(group)) =
                    (text(g, "group_arn"), text(g, "group_name"))
                {
                    identity.extend(iam.identity(
                        &mut auth.problems,
                        account,
                        group_arn,
                        "group",
                        group,
                    ));
                    groups.push(group_arn.to_owned());
                }
            }
            found.push((
                u.clone(),
                PrincipalKind::User,
                name.to_owned(),
                identity,
                groups,
            ));
        }
        for r in read("iam_roles")? {
            let (Some(account), Some(arn), Some(name)) = (
                text(&r, "account_id"),
                text(&r, "arn"),
                text(&r, "role_name"),
            ) else {
                continue;
            };
            let identity = iam.identity(&mut auth.problems, account, arn, "role", name);
            found.push((
                r.clone(),
                PrincipalKind::Role,
                name.to_owned(),
                identity,
                Vec::new(),
            ));
        }
        for g in read("iam_groups")? {
            if let (Some(account), Some(arn), Some(name)) = (
                text(&g, "account_id"),
                text(&g, "arn"),
                text(&g, "group_name"),
            ) {
                auth.groups.push(Group {
                    account_id: account.to_owned(),
                    arn: arn.to_owned(),
                    name: name.to_owned(),
                });
            }
        }
        for (row, kind, name, identity, groups) in found {
            let account = text(&row, "account_id").unwrap_or_default().to_owned();
            let arn = text(&row, "arn").unwrap_or_default().to_owned();
            let boundary = text(&row, "permissions_boundary_arn").map(|b| {
                let label = format!("permissions boundary {b}");
                match iam.managed_document(&account, b) {
                    Some(doc) => parse_into(&mut auth.problems, label.clone(), &doc)
                        .unwrap_or_else(|| deny_all(label)),
                    None => {
                        // Not collected: evaluate as allowing nothing, and say so, rather
                        // than pretend there is no boundary.
                        auth.problems.push(format!(
                            "{arn}: permissions boundary {b} is not in the snapshot; evaluated as allowing nothing"
                        ));
                        deny_all(label)
                    }
                }
            });
            let trust = text(&row, "assume_role_policy").and_then(|doc| {
                parse_into(
                    &mut auth.problems,
                    format!("trust policy of role {name}"),
                    doc,
                )
            });
            let path = text(&row, "path").unwrap_or_default();
            auth.principals.push(Principal {
                is_service_linked: row
                    .get("is_service_linked")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    || path.starts_with("/aws-service-role/"),
                arn,
                account_id: account,
                name,
                kind,
                identity,
                boundary,
                trust,
                groups,
            });
        }
        for b in read("s3_buckets")? {
            let name = text(&b, "bucket_name").unwrap_or_default().to_owned();
            let policy = text(&b, "policy").and_then(|doc| {
                parse_into(&mut auth.problems, format!("bucket policy of {name}"), doc)
            });
            let flag = |c: &str| b.get(c).and_then(Value::as_bool).unwrap_or(false);
            auth.buckets.push(Bucket {
                account_id: text(&b, "account_id").unwrap_or_default().to_owned(),
                restrict_public_buckets: flag("restrict_public_buckets"),
                block_public_policy: flag("block_public_policy"),
                name,
                policy,
            });
        }
        for (table, service, arn_column, what) in [
            ("kms_keys", "kms", "arn", "key policy"),
            ("sns_topics", "sns", "topic_arn", "access policy"),
            ("sqs_queues", "sqs", "queue_arn", "access policy"),
            (
                "lambda_functions",
                "lambda",
                "function_arn",
                "resource policy",
            ),
            (
                "secretsmanager_secrets",
                "secretsmanager",
                "arn",
                "resource policy",
            ),
            ("events_buses", "events", "arn", "resource policy"),
        ] {
            for r in read(table)? {
                let Some(arn) = text(&r, arn_column) else {
                    continue;
                };
                let policy = text(&r, "policy").and_then(|doc| {
                    parse_into(&mut auth.problems, format!("{what} of {arn}"), doc)
                });
                auth.resources.push(PolicyResource {
                    service,
                    arn: arn.to_owned(),
                    account_id: text(&r, "account_id").unwrap_or_default().to_owned(),
                    policy,
                });
            }
        }
        for a in read("kms_aliases")? {
            let (Some(alias), Some(key)) = (text(&a, "alias_arn"), text(&a, "target_key_id"))
            else {
                continue;
            };
            // The key's ARN: the alias's, with key/ID for alias/NAME.
            if let Some((prefix, _)) = alias.split_once(":alias/") {
                auth.alias_keys
                    .insert(alias.to_owned(), format!("{prefix}:key/{key}"));
            }
        }
        for a in read("s3_account_public_access_block")? {
            if a.get("restrict_public_buckets").and_then(Value::as_bool) == Some(true) {
                if let Some(account) = text(&a, "account_id") {
                    auth.restricting_accounts.insert(account.to_owned());
                }
            }
        }
        auth.load_organization(read)?;
        Ok(auth)
    }

    fn load_organization(
        &mut self,
        read: &TableReader<'_>,
    ) -> Result<(), crate::store::StoreError> {
        let accounts = read("org_accounts")?;
        let units = read("org_units")?;
        // Policy ids by (target, policy type).
        let mut targets: HashMap<(String, String), Vec<String>> = HashMap::new();
        for t in read("org_policy_targets")? {
            if let (Some(target), Some(policy_type), Some(id)) = (
                text(&t, "target_id"),
                text(&t, "policy_type"),
                text(&t, "policy_id"),
            ) {
                targets
                    .entry((target.to_owned(), policy_type.to_owned()))
                    .or_default()
                    .push(id.to_owned());
            }
        }
        let mut documents = HashMap::new();
        for p in read("org_policies")? {
            if let (Some(id), Some(content)) = (text(&p, "policy_id"), text(&p, "content")) {
                let label = format!(
                    "{} {} ({id})",
                    match text(&p, "policy_type") {
                        Some("RESOURCE_CONTROL_POLICY") => "RCP",
                        _ => "SCP",
                    },
                    text(&p, "name").unwrap_or("?")
                );
                if let Some(named) = parse_into(&mut self.problems, label, content) {
                    documents.insert(id.to_owned(), named);
                }
            }
        }
        // A policy type applies when the root has it enabled.
        let enabled = |policy_type: &str| {
            units
                .iter()
                .filter(|u| text(u, "unit_type") == Some("ROOT"))
                .any(|u| {
                    u.get("policy_types_enabled")
                        .and_then(Value::as_array)
                        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some(policy_type)))
                })
        };
        for a in &accounts {
            if let (Some(account), Some(org)) = (text(a, "account_id"), text(a, "organization_id"))
            {
                self.organization_of
                    .insert(account.to_owned(), org.to_owned());
            }
        }
        for (policy_type, chains) in [
            ("SERVICE_CONTROL_POLICY", &mut self.scps),
            ("RESOURCE_CONTROL_POLICY", &mut self.rcps),
        ] {
            let on = enabled(policy_type);
            for a in &accounts {
                let Some(account) = text(a, "account_id") else {
                    continue;
                };
                let management = a
                    .get("is_management_account")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !on || management {
                    chains.insert(account.to_owned(), None);
                    continue;
                }
                let mut levels: Vec<&str> = text(a, "ou_id_path")
                    .map(|p| p.split('/').filter(|s| !s.is_empty()).collect())
                    .unwrap_or_default();
                levels.push(account);
                let chain = levels
                    .iter()
                    .map(|level| {
                        targets
                            .get(&(level.to_string(), policy_type.to_owned()))
                            .into_iter()
                            .flatten()
                            .filter_map(|id| documents.get(id).cloned())
                            .collect()
                    })
                    .collect();
                chains.insert(account.to_owned(), Some(chain));
            }
        }
        Ok(())
    }

    /// The SCP levels of `account`, root first; None where SCPs do not apply.
    pub fn scps(&self, account: &str) -> Option<&[Vec<Named>]> {
        self.scps.get(account).and_then(|c| c.as_deref())
    }

    pub fn rcps(&self, account: &str) -> Option<&[Vec<Named>]> {
        self.rcps.get(account).and_then(|c| c.as_deref())
    }

    /// Whether `account` is a member of the snapshot's organization.
    pub fn in_organization(&self, account: &str) -> bool {
        self.organization_of.contains_key(account)
    }

    pub fn account_restricts_public_buckets(&self, account: &str) -> bool {
        self.restricting_accounts.contains(account)
    }

    /// The lookups; the lists must not change once a lookup was made.
    fn index(&self) -> &Index {
        let index = self.index.get_or_init(|| {
            let mut index = Index {
                lengths: (
                    self.principals.len(),
                    self.resources.len(),
                    self.buckets.len(),
                ),
                ..Index::default()
            };
            // The first of duplicates wins, as a scan in list order would find it.
            for (i, p) in self.principals.iter().enumerate() {
                index.principal_by_arn.entry(p.arn.clone()).or_insert(i);
                if p.kind == PrincipalKind::Role {
                    index
                        .role_by_name
                        .entry((p.account_id.clone(), p.name.clone()))
                        .or_insert(i);
                }
                index
                    .principals_by_account
                    .entry(p.account_id.clone())
                    .or_default()
                    .push(i);
            }
            for (i, r) in self.resources.iter().enumerate() {
                index.resource_by_arn.entry(r.arn.clone()).or_insert(i);
            }
            for (i, b) in self.buckets.iter().enumerate() {
                index.bucket_by_name.entry(b.name.clone()).or_insert(i);
            }
            index
        });
        debug_assert_eq!(
            index.lengths,
            (
                self.principals.len(),
                self.resources.len(),
                self.buckets.len()
            ),
            "the authorization's lists changed after a lookup"
        );
        index
    }

    pub fn principal(&self, arn: &str) -> Option<&Principal> {
        let i = *self.index().principal_by_arn.get(arn)?;
        Some(&self.principals[i])
    }

    /// The users and roles of `account`, in list order.
    pub fn principals_of<'a>(&'a self, account: &str) -> impl Iterator<Item = &'a Principal> {
        self.index()
            .principals_by_account
            .get(account)
            .into_iter()
            .flatten()
            .map(|&i| &self.principals[i])
    }

    /// The user or role `arn` names, also for a role session
    /// (`arn:aws:sts::111122223333:assumed-role/name/session` is a session of the role
    /// `name` of that account, whatever its path).
    pub fn principal_or_session(&self, arn: &str) -> Option<&Principal> {
        if let Some(p) = self.principal(arn) {
            return Some(p);
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let (account, rest) = match parts.as_slice() {
            [_, _, "sts", _, account, rest] => (*account, *rest),
            _ => return None,
        };
        let role = rest.strip_prefix("assumed-role/")?.split('/').next()?;
        let i = *self
            .index()
            .role_by_name
            .get(&(account.to_owned(), role.to_owned()))?;
        Some(&self.principals[i])
    }

    /// The key, topic or queue an ARN names.
    pub fn policy_resource(&self, resource: &str) -> Option<&PolicyResource> {
        let i = *self.index().resource_by_arn.get(resource)?;
        Some(&self.resources[i])
    }

    /// The bucket an S3 ARN (`arn:aws:s3:::bucket` or `.../key`) is in.
    pub fn bucket_of(&self, resource: &str) -> Option<&Bucket> {
        let rest = resource.strip_prefix("arn:aws:s3:::")?;
        let name = rest.split('/').next()?;
        let i = *self.index().bucket_by_name.get(name)?;
        Some(&self.buckets[i])
    }
}

/// Rows by the text of one of their columns (rows without it are left out), in table order.
fn by_text(rows: Vec<Row>, column: &str) -> HashMap<String, Vec<Row>> {
    let mut out: HashMap<String, Vec<Row>> = HashMap::new();
    for r in rows {
        if let Some(key) = text(&r, column) {
            out.entry(key.to_owned()).or_default().push(r);
        }
    }
    out
}

/// The IAM policy tables, for assembling one principal's identity-based policies.
struct Iam {
    /// Managed policy documents by (account, ARN).
    managed: HashMap<(String, String), String>,
    /// An AWS managed policy's document from the first account that holds it.
    aws_managed: HashMap<String, String>,
    /// Inline policies and attachments by the principal's (or group's) ARN.
    inline: HashMap<String, Vec<Row>>,
    attachments: HashMap<String, Vec<Row>>,
}

impl Iam {
    fn new(policies: Vec<Row>, inline: Vec<Row>, attachments: Vec<Row>) -> Self {
        let mut managed = HashMap::new();
        let mut aws_managed = HashMap::new();
        for r in &policies {
            let (Some(account), Some(arn), Some(document)) =
                (text(r, "account_id"), text(r, "arn"), text(r, "document"))
            else {
                continue;
            };
            if arn.starts_with("arn:aws:iam::aws:policy/") {
                aws_managed
                    .entry(arn.to_owned())
                    .or_insert_with(|| document.to_owned());
            }
            managed.insert((account.to_owned(), arn.to_owned()), document.to_owned());
        }
        Iam {
            managed,
            aws_managed,
            inline: by_text(inline, "principal_arn"),
            attachments: by_text(attachments, "principal_arn"),
        }
    }

    /// A managed policy's document; an AWS managed policy is the same in every account, so
    /// any account's copy will do.
    fn managed_document(&self, account: &str, arn: &str) -> Option<String> {
        if let Some(doc) = self.managed.get(&(account.to_owned(), arn.to_owned())) {
            return Some(doc.clone());
        }
        self.aws_managed.get(arn).cloned()
    }

    /// The inline and attached policies of the user, group or role `arn`.
    fn identity(
        &self,
        problems: &mut Vec<String>,
        account: &str,
        arn: &str,
        kind: &str,
        name: &str,
    ) -> Vec<Named> {
        let mut out = Vec::new();
        for r in self.inline.get(arn).into_iter().flatten() {
            let policy_name = text(r, "policy_name").unwrap_or("?");
            if let Some(doc) = text(r, "document") {
                out.extend(parse_into(
                    problems,
                    format!("inline {kind} policy {name}/{policy_name}"),
                    doc,
                ));
            }
        }
        for r in self.attachments.get(arn).into_iter().flatten() {
            let policy_arn = text(r, "policy_arn").unwrap_or("?");
            let label = format!("{policy_arn} (attached to {kind} {name})");
            match self.managed_document(account, policy_arn) {
                Some(doc) => out.extend(parse_into(problems, label, &doc).map(|n| Named {
                    arn: Some(policy_arn.to_owned()),
                    ..n
                })),
                None => problems.push(format!(
                    "{label}: not in the snapshot's iam_policies; its permissions are not counted"
                )),
            }
        }
        out
    }
}

/// A policy that allows nothing, for a boundary that could not be read.
fn deny_all(label: String) -> Named {
    Named {
        label,
        arn: None,
        policy: Policy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).expect("valid"),
    }
}

fn parse_into(problems: &mut Vec<String>, label: String, document: &str) -> Option<Named> {
    match Policy::parse(document) {
        Ok(policy) => Some(Named {
            label,
            arn: None,
            policy,
        }),
        Err(e) => {
            problems.push(format!("{label}: {e}"));
            None
        }
    }
}

/// A decision on a snapshot's principal, with the policies that took part, by the reference
/// the decision's `matched` list uses (`identity[0]`, `scp[1][0]`, `resource`...).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub principal: String,
    pub action: String,
    pub resource: String,
    #[serde(flatten)]
    pub decision: super::Decision,
    pub policies: Vec<(String, String)>,
    /// The request context the decision used: the caller's keys and the defaults every
    /// real request carries.
    pub context: std::collections::BTreeMap<String, Vec<String>>,
    /// What the snapshot could not supply, so the decision is only as good as this says.
    pub notes: Vec<String>,
}

/// One principal's policies, cloned once into the shape [`super::evaluate`] takes, for
/// deciding many requests.
pub struct Assembled<'a> {
    pub principal: &'a Principal,
    /// The session ARN the requests come from, when a role's session was asked about:
    /// resource policies may name the session itself.
    pub session: Option<String>,
    identity: Vec<Policy>,
    boundaries: Vec<Policy>,
    scps: Option<Vec<Vec<Policy>>>,
    /// `identity[0]` → `inline user policy alice/S3`, and so on.
    labels: Vec<(String, String)>,
}

fn plain(levels: &[Vec<Named>]) -> Vec<Vec<Policy>> {
    levels
        .iter()
        .map(|l| l.iter().map(|n| n.policy.clone()).collect())
        .collect()
}

fn level_labels(kind: &str, levels: &[Vec<Named>], labels: &mut Vec<(String, String)>) {
    for (l, list) in levels.iter().enumerate() {
        for (i, n) in list.iter().enumerate() {
            labels.push((format!("{kind}[{l}][{i}]"), n.label.clone()));
        }
    }
}

impl Authorization {
    pub fn assemble<'a>(&self, p: &'a Principal) -> Assembled<'a> {
        let mut labels = Vec::new();
        for (i, n) in p.identity.iter().enumerate() {
            labels.push((format!("identity[{i}]"), n.label.clone()));
        }
        if let Some(b) = &p.boundary {
            labels.push(("boundary[0]".into(), b.label.clone()));
        }
        let scps = self.scps(&p.account_id);
        if let Some(levels) = scps {
            level_labels("scp", levels, &mut labels);
        }
        Assembled {
            principal: p,
            session: None,
            identity: p.identity.iter().map(|n| n.policy.clone()).collect(),
            boundaries: p.boundary.iter().map(|n| n.policy.clone()).collect(),
            scps: scps.map(plain),
            labels,
        }
    }

    /// The resource's own policy and account: a role's trust policy for `sts:AssumeRole*`
    /// on a role of the snapshot, a bucket policy for S3, a key policy for a KMS key, a
    /// topic's or a queue's access policy.
    pub fn resource_policy(
        &self,
        action: &str,
        resource: &str,
    ) -> (Option<&Named>, Option<String>) {
        if action.to_ascii_lowercase().starts_with("sts:assumerole") {
            if let Some(role) = self.principal(resource) {
                return (role.trust.as_ref(), Some(role.account_id.clone()));
            }
        } else if let Some(r) = self.policy_resource(resource) {
            return (r.policy.as_ref(), Some(r.account_id.clone()));
        } else if let Some(bucket) = self.bucket_of(resource) {
            return (bucket.policy.as_ref(), Some(bucket.account_id.clone()));
        }
        (None, None)
    }

    /// Decides one request of an assembled principal; `context` should already hold the
    /// defaults of [`Authorization::default_context`].
    pub fn decide(
        &self,
        a: &Assembled,
        action: &str,
        resource: &str,
        context: &super::Context,
    ) -> super::Decision {
        let (resource_policy, resource_account) = self.resource_policy(action, resource);
        let rcps = resource_account
            .as_deref()
            .and_then(|account| self.rcps(account))
            .map(plain);
        let request = super::Request {
            principal: a.session.clone().unwrap_or_else(|| a.principal.arn.clone()),
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account,
            context: context.clone(),
        };
        super::evaluate(
            &request,
            &super::Policies {
                identity: &a.identity,
                boundaries: &a.boundaries,
                session: None,
                resource: resource_policy.map(|n| &n.policy),
                vpc_endpoints: &[],
                scps: a.scps.as_deref(),
                rcps: rcps.as_deref(),
            },
        )
    }

    /// Decides whether `principal` (a user or role ARN of the snapshot; a role stands for
    /// its sessions) may do `action` on `resource`, with every policy that applies.
    pub fn explain(
        &self,
        principal: &str,
        action: &str,
        resource: &str,
        context: &super::Context,
    ) -> Result<Explanation, String> {
        let p = self.principal_or_session(principal).ok_or_else(|| {
            format!("{principal} is not a user, role or role session of the snapshot (see iam_users, iam_roles)")
        })?;
        let mut assembled = self.assemble(p);
        if principal != p.arn {
            assembled.session = Some(principal.to_owned());
        }
        let mut labels = assembled.labels.clone();
        let (resource_policy, resource_account) = self.resource_policy(action, resource);
        if let Some(n) = resource_policy {
            labels.push(("resource".into(), n.label.clone()));
        }
        if let Some(levels) = resource_account.as_deref().and_then(|a| self.rcps(a)) {
            level_labels("rcp", levels, &mut labels);
        }
        let mut notes = Vec::new();
        let lower = action.to_ascii_lowercase();
        let key_arn = resource.contains(":key/");
        if resource_policy.is_none() && lower.starts_with("kms:") && key_arn {
            notes.push(if !self.resources.iter().any(|r| r.service == "kms") {
                "KMS keys are not in the snapshot (collect kms): the decision takes the key policy to allow nothing, and AWS needs it to allow".to_owned()
            } else {
                format!("{resource} is not a key of the snapshot, or its key policy could not be read: the decision takes it to allow nothing")
            });
        } else if resource_policy.is_none() && lower.starts_with("sts:assumerole") {
            notes.push(format!(
                "{resource} is not a role of the snapshot: there is no trust policy to decide with"
            ));
        }
        let context = self.default_context(p, resource, context);
        let mut decision = self.decide(&assembled, action, resource, &context);
        // An alias operation is authorized twice: on the alias by IAM policies (decided
        // above) and on the key by its key policy ("kms:CreateAlias permission for the
        // alias in an IAM policy and for the KMS key in a key policy", AWS KMS Developer
        // Guide, Controlling access to aliases). UpdateAlias also needs the new key, which
        // the request does not name: the current one is asked.
        let alias_operation = matches!(
            lower.as_str(),
            "kms:createalias" | "kms:updatealias" | "kms:deletealias"
        );
        if alias_operation && resource.contains(":alias/") {
            match self.alias_keys.get(resource) {
                Some(key) => {
                    let on_key = self.decide(&assembled, action, key, &context);
                    notes.push(format!(
                        "{action} is also authorized on the key the alias names, {key}: {:?} there",
                        on_key.decision
                    ));
                    if decision.decision == super::DecisionKind::Allowed
                        && on_key.decision != super::DecisionKind::Allowed
                    {
                        decision = on_key;
                    }
                }
                None => notes.push(format!(
                    "{resource} is not an alias of the snapshot: the key half of {action} (its key policy) is not decided"
                )),
            }
        }
        Ok(Explanation {
            principal: principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            decision,
            policies: labels,
            context: context.entries(),
            notes,
        })
    }

    /// The caller's context completed with what every real request carries: the region
    /// (the resource's, else us-east-1), TLS, the time, the principal's type and
    /// organization. Without them a Deny on a *missing* key (`StringNotEquals
    /// aws:RequestedRegion`) would fire on every request.
    pub fn default_context(
        &self,
        p: &Principal,
        resource: &str,
        given: &super::Context,
    ) -> super::Context {
        let mut c = given.clone();
        let region = resource
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or("us-east-1");
        c.set_default("aws:RequestedRegion", region);
        c.set_default("aws:SecureTransport", "true");
        let now = chrono::Utc::now();
        c.set_default(
            "aws:CurrentTime",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        c.set_default("aws:EpochTime", now.timestamp().to_string());
        c.set_default("aws:PrincipalIsAWSService", "false");
        c.set_default("aws:PrincipalArn", p.arn.clone());
        c.set_default("aws:PrincipalAccount", p.account_id.clone());
        if p.kind == PrincipalKind::User {
            c.set_default("aws:username", p.name.clone());
        }
        c.set_default(
            "aws:PrincipalType",
            match p.kind {
                PrincipalKind::User => "User",
                PrincipalKind::Role => "AssumedRole",
            },
        );
        if let Some(org) = self.organization_of.get(&p.account_id) {
            c.set_default("aws:PrincipalOrgID", org.clone());
        }
        c
    }
}
