//! IAM: principals, policies and their attachments, credentials, and account settings.
//!
//! GetAccountAuthorizationDetails returns users, groups, roles, customer managed policies
//! (with every version's document) and all attachments in a few pages, so it replaces
//! thousands of per-entity calls. What it lacks (access keys, MFA devices, login profiles,
//! password last used, AWS managed policy documents) is read per user or per policy.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_iam as iam;
use aws_sdk_iam::types::{EntityType, PolicyScopeType, ReportStateType, Tag};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::{client, decode_policy, error_code, opt_utc, to_utc, ErrorInfo};
use crate::store::{col, ColumnType::*, TableDef, TableRows};

pub static IAM_USERS: TableDef = TableDef {
    name: "iam_users",
    key: &[],
    doc: "IAM users, with console access and group membership.",
    columns: &[
        col("account_id", Text, "Account"),
        col("user_name", Text, "User name"),
        col("user_id", Text, "Unique id (AIDA...)"),
        col("arn", Text, "User ARN"),
        col("path", Text, "IAM path"),
        col("create_date", Timestamp, "When the user was created"),
        col(
            "password_last_used",
            Timestamp,
            "Last console sign-in; null if never or no password",
        ),
        col(
            "has_login_profile",
            Bool,
            "True if the user has a console password",
        ),
        col(
            "login_profile_created_at",
            Timestamp,
            "When the console password was created",
        ),
        col(
            "password_reset_required",
            Bool,
            "Must change password at next sign-in",
        ),
        col(
            "permissions_boundary_arn",
            Text,
            "Managed policy set as permissions boundary",
        ),
        col("group_names", TextList, "Groups the user belongs to"),
        col("tags", Json, "Tags as a JSON object"),
    ],
};

pub static IAM_GROUPS: TableDef = TableDef {
    name: "iam_groups",
    key: &[],
    doc: "IAM groups.",
    columns: &[
        col("account_id", Text, "Account"),
        col("group_name", Text, "Group name"),
        col("group_id", Text, "Unique id (AGPA...)"),
        col("arn", Text, "Group ARN"),
        col("path", Text, "IAM path"),
        col("create_date", Timestamp, "When the group was created"),
    ],
};

pub static IAM_GROUP_MEMBERS: TableDef = TableDef {
    name: "iam_group_members",
    key: &["group_arn", "user_name"],
    doc: "Which user is in which group.",
    columns: &[
        col("account_id", Text, "Account"),
        col("group_name", Text, "Group name"),
        col("group_arn", Text, "Group ARN"),
        col("user_name", Text, "Member user name"),
        col("user_arn", Text, "Member user ARN"),
    ],
};

pub static IAM_ROLES: TableDef = TableDef {
    name: "iam_roles",
    key: &[],
    doc: "IAM roles, with trust policy, permissions boundary and last use.",
    columns: &[
        col("account_id", Text, "Account"),
        col("role_name", Text, "Role name"),
        col("role_id", Text, "Unique id (AROA...)"),
        col("arn", Text, "Role ARN"),
        col(
            "path",
            Text,
            "IAM path (/aws-service-role/ for service-linked roles)",
        ),
        col("create_date", Timestamp, "When the role was created"),
        col("description", Text, "Description"),
        col(
            "max_session_duration",
            Int,
            "Maximum session length in seconds",
        ),
        col("assume_role_policy", Json, "Trust policy document"),
        col(
            "permissions_boundary_arn",
            Text,
            "Managed policy set as permissions boundary",
        ),
        col(
            "last_used_date",
            Timestamp,
            "Last time the role was assumed and used",
        ),
        col("last_used_region", Text, "Region of that last use"),
        col(
            "instance_profile_arns",
            TextList,
            "Instance profiles that carry the role",
        ),
        col(
            "is_service_linked",
            Bool,
            "True for service-linked roles (SCPs do not restrict them)",
        ),
        col("tags", Json, "Tags as a JSON object"),
    ],
};

pub static IAM_POLICIES: TableDef = TableDef {
    name: "iam_policies",
    key: &[],
    doc: "Customer managed policies, and the AWS managed policies that are attached or used as boundaries, with the default version's document.",
    columns: &[
        col("account_id", Text, "Account"),
        col("policy_name", Text, "Policy name"),
        col("policy_id", Text, "Unique id (ANPA...)"),
        col("arn", Text, "Policy ARN"),
        col("path", Text, "IAM path"),
        col("aws_managed", Bool, "True for AWS managed policies (arn:aws:iam::aws:policy/...)"),
        col("default_version_id", Text, "Version in effect, e.g. v3"),
        col("attachment_count", Int, "Users, groups and roles it is attached to"),
        col("permissions_boundary_usage_count", Int, "Entities using it as permissions boundary"),
        col("is_attachable", Bool, "Whether it can be attached"),
        col("description", Text, "Description"),
        col("create_date", Timestamp, "When it was created"),
        col("update_date", Timestamp, "When its default version last changed"),
        col("document", Json, "The default version's policy document, URL-decoded"),
    ],
};

pub static IAM_POLICY_ATTACHMENTS: TableDef = TableDef {
    name: "iam_policy_attachments",
    key: &[],
    doc: "Which user, group or role has which managed policy attached.",
    columns: &[
        col("account_id", Text, "Account"),
        col("policy_arn", Text, "Attached managed policy"),
        col("policy_name", Text, "Its name"),
        col("principal_type", Text, "user, group or role"),
        col("principal_name", Text, "Name of the user, group or role"),
        col("principal_arn", Text, "ARN of the user, group or role"),
    ],
};

pub static IAM_INLINE_POLICIES: TableDef = TableDef {
    name: "iam_inline_policies",
    key: &[],
    doc: "Inline policies embedded in users, groups and roles.",
    columns: &[
        col("account_id", Text, "Account"),
        col("principal_type", Text, "user, group or role"),
        col("principal_name", Text, "Name of the user, group or role"),
        col("principal_arn", Text, "ARN of the user, group or role"),
        col("policy_name", Text, "Inline policy name"),
        col("document", Json, "Policy document, URL-decoded"),
    ],
};

pub static IAM_ACCESS_KEYS: TableDef = TableDef {
    name: "iam_access_keys",
    key: &["access_key_id"],
    doc: "Access keys of IAM users (ids only; secrets are never readable).",
    columns: &[
        col("account_id", Text, "Account"),
        col("user_name", Text, "Owner"),
        col("user_arn", Text, "Owner ARN"),
        col("access_key_id", Text, "Key id (AKIA...)"),
        col("status", Text, "Active or Inactive"),
        col("create_date", Timestamp, "When the key was created"),
        col("last_used_date", Timestamp, "Last use; null if never used"),
        col("last_used_service", Text, "Service of the last use"),
        col("last_used_region", Text, "Region of the last use"),
    ],
};

pub static IAM_MFA_DEVICES: TableDef = TableDef {
    name: "iam_mfa_devices",
    key: &["account_id", "serial_number"],
    doc: "MFA devices: virtual, hardware and FIDO, assigned or not, including the root user's.",
    columns: &[
        col("account_id", Text, "Account"),
        col(
            "serial_number",
            Text,
            "Device ARN (virtual, FIDO) or serial (hardware)",
        ),
        col("device_type", Text, "virtual, hardware or fido"),
        col(
            "user_name",
            Text,
            "Assigned user; <root_account> for the root user; null if unassigned",
        ),
        col("user_arn", Text, "Assigned user ARN"),
        col("enable_date", Timestamp, "When it was enabled for the user"),
        col("assigned", Bool, "True if assigned to a user"),
    ],
};

pub static IAM_CREDENTIAL_REPORT: TableDef = TableDef {
    name: "iam_credential_report",
    key: &[],
    doc: "The IAM credential report, typed: one row per user, including <root_account>.",
    columns: &[
        col("account_id", Text, "Account"),
        col("user", Text, "User name, or <root_account>"),
        col("arn", Text, "User ARN"),
        col("user_creation_time", Timestamp, "When the user was created"),
        col(
            "password_enabled",
            Bool,
            "Has a console password (null for root: not_supported)",
        ),
        col("password_last_used", Timestamp, "Last console sign-in"),
        col("password_last_changed", Timestamp, "Last password change"),
        col(
            "password_next_rotation",
            Timestamp,
            "When the password policy requires a change",
        ),
        col("mfa_active", Bool, "Has an MFA device"),
        col("access_key_1_active", Bool, "First key is active"),
        col(
            "access_key_1_last_rotated",
            Timestamp,
            "First key created or rotated",
        ),
        col(
            "access_key_1_last_used_date",
            Timestamp,
            "First key last used",
        ),
        col("access_key_1_last_used_region", Text, "Region of that use"),
        col(
            "access_key_1_last_used_service",
            Text,
            "Service of that use",
        ),
        col("access_key_2_active", Bool, "Second key is active"),
        col(
            "access_key_2_last_rotated",
            Timestamp,
            "Second key created or rotated",
        ),
        col(
            "access_key_2_last_used_date",
            Timestamp,
            "Second key last used",
        ),
        col("access_key_2_last_used_region", Text, "Region of that use"),
        col(
            "access_key_2_last_used_service",
            Text,
            "Service of that use",
        ),
        col("cert_1_active", Bool, "First signing certificate is active"),
        col(
            "cert_1_last_rotated",
            Timestamp,
            "First certificate created or rotated",
        ),
        col(
            "cert_2_active",
            Bool,
            "Second signing certificate is active",
        ),
        col(
            "cert_2_last_rotated",
            Timestamp,
            "Second certificate created or rotated",
        ),
    ],
};

pub static IAM_PASSWORD_POLICY: TableDef = TableDef {
    name: "iam_password_policy",
    key: &["account_id"],
    doc: "The account password policy; one row per account, policy_exists false when none is set.",
    columns: &[
        col("account_id", Text, "Account"),
        col(
            "policy_exists",
            Bool,
            "False when the account has no password policy (AWS defaults apply)",
        ),
        col("minimum_password_length", Int, "Minimum length"),
        col("require_symbols", Bool, "Requires a symbol"),
        col("require_numbers", Bool, "Requires a number"),
        col(
            "require_uppercase_characters",
            Bool,
            "Requires an uppercase letter",
        ),
        col(
            "require_lowercase_characters",
            Bool,
            "Requires a lowercase letter",
        ),
        col(
            "allow_users_to_change_password",
            Bool,
            "Users may change their own password",
        ),
        col("expire_passwords", Bool, "Passwords expire"),
        col("max_password_age", Int, "Days before a password expires"),
        col(
            "password_reuse_prevention",
            Int,
            "Previous passwords that cannot be reused",
        ),
        col(
            "hard_expiry",
            Bool,
            "Expired passwords need an administrator reset",
        ),
    ],
};

pub static IAM_ACCOUNT_SUMMARY: TableDef = TableDef {
    name: "iam_account_summary",
    key: &["account_id", "name"],
    doc: "GetAccountSummary as name/value rows (AccountMFAEnabled, AccountAccessKeysPresent, Users, ...).",
    columns: &[
        col("account_id", Text, "Account"),
        col("name", Text, "Summary key, e.g. AccountMFAEnabled"),
        col("value", Int, "Its value"),
    ],
};

pub static IAM_SERVER_CERTIFICATES: TableDef = TableDef {
    name: "iam_server_certificates",
    key: &[],
    doc: "Server certificates stored in IAM.",
    columns: &[
        col("account_id", Text, "Account"),
        col("name", Text, "Certificate name"),
        col("certificate_id", Text, "Unique id"),
        col("arn", Text, "ARN"),
        col("path", Text, "IAM path"),
        col("upload_date", Timestamp, "When it was uploaded"),
        col("expiration", Timestamp, "When it expires"),
    ],
};

pub static IAM_SAML_PROVIDERS: TableDef = TableDef {
    name: "iam_saml_providers",
    key: &[],
    doc: "SAML identity providers.",
    columns: &[
        col("account_id", Text, "Account"),
        col("arn", Text, "Provider ARN"),
        col("create_date", Timestamp, "When it was created"),
        col("valid_until", Timestamp, "Metadata expiry"),
    ],
};

pub static IAM_OIDC_PROVIDERS: TableDef = TableDef {
    name: "iam_oidc_providers",
    key: &[],
    doc: "OpenID Connect identity providers, with audiences and thumbprints.",
    columns: &[
        col("account_id", Text, "Account"),
        col("arn", Text, "Provider ARN"),
        col("url", Text, "Issuer URL"),
        col("client_ids", TextList, "Audiences"),
        col("thumbprints", TextList, "Server certificate thumbprints"),
        col("create_date", Timestamp, "When it was created"),
    ],
};

static TABLES: &[&TableDef] = &[
    &IAM_USERS,
    &IAM_GROUPS,
    &IAM_GROUP_MEMBERS,
    &IAM_ROLES,
    &IAM_POLICIES,
    &IAM_POLICY_ATTACHMENTS,
    &IAM_INLINE_POLICIES,
    &IAM_ACCESS_KEYS,
    &IAM_MFA_DEVICES,
    &IAM_CREDENTIAL_REPORT,
    &IAM_PASSWORD_POLICY,
    &IAM_ACCOUNT_SUMMARY,
    &IAM_SERVER_CERTIFICATES,
    &IAM_SAML_PROVIDERS,
    &IAM_OIDC_PROVIDERS,
];

pub struct IamCollector;

impl Collector for IamCollector {
    fn service(&self) -> &'static str {
        "iam"
    }
    fn scope(&self) -> Scope {
        Scope::Global
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_iam(target, sink))
    }
}

/// A user, group or role whose policies are being recorded.
struct Principal<'a> {
    account: &'a str,
    kind: &'static str,
    name: &'a str,
    arn: &'a str,
}

impl Principal<'_> {
    fn record_policies(
        &self,
        inline_policies: &[iam::types::PolicyDetail],
        attached: &[iam::types::AttachedPolicy],
        inline: &mut TableRows,
        attachments: &mut TableRows,
    ) {
        for p in inline_policies {
            inline
                .row()
                .set("account_id", self.account)
                .set("principal_type", self.kind)
                .set("principal_name", self.name)
                .set("principal_arn", self.arn)
                .set("policy_name", p.policy_name.clone())
                .set("document", p.policy_document.as_deref().map(decode_policy));
        }
        for p in attached {
            attachments
                .row()
                .set("account_id", self.account)
                .set("policy_arn", p.policy_arn.clone())
                .set("policy_name", p.policy_name.clone())
                .set("principal_type", self.kind)
                .set("principal_name", self.name)
                .set("principal_arn", self.arn);
        }
    }
}

fn tags_json(tags: Option<&[Tag]>) -> Option<serde_json::Value> {
    let tags = tags?;
    Some(serde_json::Value::Object(
        tags.iter()
            .map(|t| (t.key.clone(), serde_json::Value::String(t.value.clone())))
            .collect(),
    ))
}

async fn collect_iam(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, iam);
    let referenced_aws_policies = collect_authorization_details(target, sink, &client).await;
    collect_aws_managed_policies(target, sink, &client, referenced_aws_policies).await;
    collect_user_credentials(target, sink, &client).await;
    collect_virtual_mfa(target, sink, &client).await;
    collect_credential_report(target, sink, &client).await;
    collect_account_settings(target, sink, &client).await;
    collect_identity_providers(target, sink, &client).await;
}

/// Users, groups, roles, customer managed policies and attachments. Returns the AWS managed
/// policies referenced by an attachment or a boundary, whose documents are read next.
async fn collect_authorization_details(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
) -> BTreeSet<String> {
    let pages = client
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await;
    let pages = match pages {
        Ok(p) => p,
        Err(e) => {
            sink.error("GetAccountAuthorizationDetails", None, &e);
            return BTreeSet::new();
        }
    };
    let account = target.account_id.clone();
    let mut referenced = BTreeSet::new();
    let mut group_arns: HashMap<String, String> = HashMap::new();
    for page in &pages {
        for g in page.group_detail_list() {
            group_arns.insert(
                g.group_name.clone().unwrap_or_default(),
                g.arn.clone().unwrap_or_default(),
            );
        }
    }
    let mut inline = TableRows::new(&IAM_INLINE_POLICIES);
    let mut attachments = TableRows::new(&IAM_POLICY_ATTACHMENTS);
    for page in pages {
        for u in page.user_detail_list.unwrap_or_default() {
            let name = u.user_name.clone().unwrap_or_default();
            let arn = u.arn.clone().unwrap_or_default();
            let boundary = u
                .permissions_boundary
                .as_ref()
                .and_then(|b| b.permissions_boundary_arn.clone());
            referenced.extend(boundary.clone());
            let principal = Principal {
                account: &account,
                kind: "user",
                name: &name,
                arn: &arn,
            };
            principal.record_policies(
                u.user_policy_list(),
                u.attached_managed_policies(),
                &mut inline,
                &mut attachments,
            );
            referenced.extend(
                u.attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn.clone()),
            );
            let groups = u.group_list.clone().unwrap_or_default();
            for g in &groups {
                sink.table(&IAM_GROUP_MEMBERS)
                    .row()
                    .set("account_id", &account)
                    .set("group_name", g)
                    .set("group_arn", group_arns.get(g).cloned())
                    .set("user_name", &name)
                    .set("user_arn", &arn);
            }
            sink.table(&IAM_USERS)
                .row()
                .set("account_id", &account)
                .set("user_name", &name)
                .set("user_id", u.user_id)
                .set("arn", &arn)
                .set("path", u.path)
                .set("create_date", opt_utc(u.create_date.as_ref()))
                .set("permissions_boundary_arn", boundary)
                .set("group_names", groups)
                .set("tags", tags_json(u.tags.as_deref()));
        }
        for g in page.group_detail_list.unwrap_or_default() {
            let name = g.group_name.clone().unwrap_or_default();
            let arn = g.arn.clone().unwrap_or_default();
            let principal = Principal {
                account: &account,
                kind: "group",
                name: &name,
                arn: &arn,
            };
            principal.record_policies(
                g.group_policy_list(),
                g.attached_managed_policies(),
                &mut inline,
                &mut attachments,
            );
            referenced.extend(
                g.attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn.clone()),
            );
            sink.table(&IAM_GROUPS)
                .row()
                .set("account_id", &account)
                .set("group_name", &name)
                .set("group_id", g.group_id)
                .set("arn", &arn)
                .set("path", g.path)
                .set("create_date", opt_utc(g.create_date.as_ref()));
        }
        for r in page.role_detail_list.unwrap_or_default() {
            let name = r.role_name.clone().unwrap_or_default();
            let arn = r.arn.clone().unwrap_or_default();
            let principal = Principal {
                account: &account,
                kind: "role",
                name: &name,
                arn: &arn,
            };
            principal.record_policies(
                r.role_policy_list(),
                r.attached_managed_policies(),
                &mut inline,
                &mut attachments,
            );
            referenced.extend(
                r.attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn.clone()),
            );
            let boundary = r
                .permissions_boundary
                .and_then(|b| b.permissions_boundary_arn);
            referenced.extend(boundary.clone());
            let path = r.path.clone().unwrap_or_default();
            let last_used = r.role_last_used;
            sink.table(&IAM_ROLES)
                .row()
                .set("account_id", &account)
                .set("role_name", &name)
                .set("role_id", r.role_id)
                .set("arn", &arn)
                .set("is_service_linked", path.starts_with("/aws-service-role/"))
                .set("path", path)
                .set("create_date", opt_utc(r.create_date.as_ref()))
                .set(
                    "assume_role_policy",
                    r.assume_role_policy_document.as_deref().map(decode_policy),
                )
                .set("permissions_boundary_arn", boundary)
                .set(
                    "last_used_date",
                    last_used
                        .as_ref()
                        .and_then(|l| opt_utc(l.last_used_date.as_ref())),
                )
                .set("last_used_region", last_used.and_then(|l| l.region))
                .set(
                    "instance_profile_arns",
                    r.instance_profile_list
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| p.arn)
                        .collect::<Vec<_>>(),
                )
                .set("tags", tags_json(r.tags.as_deref()));
        }
        for p in page.policies.unwrap_or_default() {
            let default = p.default_version_id.clone();
            let document = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version || v.version_id == default)
                .and_then(|v| v.document.as_deref())
                .map(decode_policy);
            let policy = iam::types::Policy::builder()
                .set_policy_name(p.policy_name)
                .set_policy_id(p.policy_id)
                .set_arn(p.arn)
                .set_path(p.path)
                .set_default_version_id(default)
                .set_attachment_count(p.attachment_count)
                .set_permissions_boundary_usage_count(p.permissions_boundary_usage_count)
                .is_attachable(p.is_attachable)
                .set_description(p.description)
                .set_create_date(p.create_date)
                .set_update_date(p.update_date)
                .build();
            policy_row(sink, &account, policy, false, document);
        }
    }
    sink.table(&IAM_INLINE_POLICIES).append(inline);
    sink.table(&IAM_POLICY_ATTACHMENTS).append(attachments);
    referenced.retain(|arn| arn.contains(":iam::aws:policy/"));
    referenced
}

/// AWS managed policies in use: listed with OnlyAttached, plus any used only as a boundary.
async fn collect_aws_managed_policies(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
    referenced: BTreeSet<String>,
) {
    let mut policies: Vec<iam::types::Policy> = match client
        .list_policies()
        .scope(PolicyScopeType::Aws)
        .only_attached(true)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(p) => p,
        Err(e) => {
            sink.error("ListPolicies", None, &e);
            Vec::new()
        }
    };
    let listed: BTreeSet<String> = policies.iter().filter_map(|p| p.arn.clone()).collect();
    let missing: Vec<String> = referenced.difference(&listed).cloned().collect();
    let fetched = fan_out(missing, target.fan_out, |arn| {
        let client = client.clone();
        async move { (client.get_policy().policy_arn(&arn).send().await, arn) }
    })
    .await;
    for (result, arn) in fetched {
        match result {
            Ok(out) => policies.extend(out.policy),
            Err(e) => sink.error("GetPolicy", Some(&arn), &e),
        }
    }
    let documents = fan_out(policies, target.fan_out, |p| {
        let client = client.clone();
        async move {
            let doc = client
                .get_policy_version()
                .set_policy_arn(p.arn.clone())
                .set_version_id(p.default_version_id.clone())
                .send()
                .await;
            (p, doc)
        }
    })
    .await;
    for (p, doc) in documents {
        let document = match doc {
            Ok(out) => out
                .policy_version
                .and_then(|v| v.document)
                .map(|d| decode_policy(&d)),
            Err(e) => {
                sink.error("GetPolicyVersion", p.arn.as_deref(), &e);
                None
            }
        };
        policy_row(sink, &target.account_id, p, true, document);
    }
}

/// An access key and what GetAccessKeyLastUsed said of it.
type KeyWithLastUse = (
    iam::types::AccessKeyMetadata,
    Result<Option<iam::types::AccessKeyLastUsed>, ErrorInfo>,
);

/// The console facts of a user that GetAccountAuthorizationDetails lacks.
struct ConsoleAccess {
    password_last_used: Option<DateTime<Utc>>,
    login_profile: Option<iam::types::LoginProfile>,
    /// False when GetLoginProfile failed: has_login_profile then stays null, not false.
    login_profile_known: bool,
}

/// One row of iam_policies, for a customer managed or an AWS managed policy alike.
fn policy_row(
    sink: &mut Sink,
    account: &str,
    p: iam::types::Policy,
    aws_managed: bool,
    document: Option<String>,
) {
    sink.table(&IAM_POLICIES)
        .row()
        .set("account_id", account)
        .set("policy_name", p.policy_name)
        .set("policy_id", p.policy_id)
        .set("arn", p.arn)
        .set("path", p.path)
        .set("aws_managed", aws_managed)
        .set("default_version_id", p.default_version_id)
        .set("attachment_count", p.attachment_count)
        .set(
            "permissions_boundary_usage_count",
            p.permissions_boundary_usage_count,
        )
        .set("is_attachable", p.is_attachable)
        .set("description", p.description)
        .set("create_date", opt_utc(p.create_date.as_ref()))
        .set("update_date", opt_utc(p.update_date.as_ref()))
        .set("document", document);
}

/// What one user's own calls returned.
struct UserCredentials {
    user_name: String,
    password_last_used: Option<DateTime<Utc>>,
    login_profile: Result<Option<iam::types::LoginProfile>, (ErrorInfo, &'static str)>,
    access_keys: Result<Vec<KeyWithLastUse>, ErrorInfo>,
    mfa_devices: Result<Vec<iam::types::MfaDevice>, ErrorInfo>,
}

/// Per user: login profile, access keys (and their last use) and MFA devices.
async fn collect_user_credentials(target: &Target, sink: &mut Sink, client: &iam::Client) {
    // ListUsers is the only source of PasswordLastUsed; it also gives the user list when
    // GetAccountAuthorizationDetails failed.
    let users = match client
        .list_users()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(u) => u,
        Err(e) => return sink.error("ListUsers", None, &e),
    };
    let fan = target.fan_out;
    let results = fan_out(users, fan, |u| {
        let client = client.clone();
        async move {
            let name = u.user_name.clone();
            let login_profile = match client.get_login_profile().user_name(&name).send().await {
                Ok(out) => Ok(out.login_profile),
                Err(e) if error_code(&e) == Some("NoSuchEntity") => Ok(None),
                Err(e) => Err((crate::aws::error_info(&e), "GetLoginProfile")),
            };
            let access_keys = match client
                .list_access_keys()
                .user_name(&name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Ok(keys) => {
                    let with_use = fan_out(keys, fan, |k| {
                        let client = client.clone();
                        async move {
                            let used = client
                                .get_access_key_last_used()
                                .set_access_key_id(k.access_key_id.clone())
                                .send()
                                .await
                                .map(|o| o.access_key_last_used)
                                .map_err(|e| crate::aws::error_info(&e));
                            (k, used)
                        }
                    })
                    .await;
                    Ok(with_use)
                }
                Err(e) => Err(crate::aws::error_info(&e)),
            };
            let mfa_devices = client
                .list_mfa_devices()
                .user_name(&name)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
                .map_err(|e| crate::aws::error_info(&e));
            UserCredentials {
                user_name: name,
                password_last_used: opt_utc(u.password_last_used.as_ref()),
                login_profile,
                access_keys,
                mfa_devices,
            }
        }
    })
    .await;

    let account = target.account_id.clone();
    let user_arn = |name: &str| format!("arn:{}:iam::{}:user/{name}", target.partition, account);
    let mut details: HashMap<String, ConsoleAccess> = HashMap::new();
    for r in results {
        let arn = user_arn(&r.user_name);
        let (profile, profile_known) = match r.login_profile {
            Ok(p) => (p, true),
            Err((info, op)) => {
                sink.record_error(op, Some(&r.user_name), None, info);
                (None, false)
            }
        };
        details.insert(
            r.user_name.clone(),
            ConsoleAccess {
                password_last_used: r.password_last_used,
                login_profile: profile,
                login_profile_known: profile_known,
            },
        );
        match r.access_keys {
            Ok(keys) => {
                for (k, used) in keys {
                    let used = match used {
                        Ok(u) => u,
                        Err(info) => {
                            sink.record_error(
                                "GetAccessKeyLastUsed",
                                k.access_key_id.as_deref(),
                                None,
                                info,
                            );
                            None
                        }
                    };
                    sink.table(&IAM_ACCESS_KEYS)
                        .row()
                        .set("account_id", &account)
                        .set("user_name", &r.user_name)
                        .set("user_arn", &arn)
                        .set("access_key_id", k.access_key_id)
                        .set("status", k.status.map(|s| s.as_str().to_owned()))
                        .set("create_date", opt_utc(k.create_date.as_ref()))
                        .set(
                            "last_used_date",
                            used.as_ref()
                                .and_then(|u| opt_utc(u.last_used_date.as_ref())),
                        )
                        .set(
                            "last_used_service",
                            used.as_ref()
                                .map(|u| u.service_name.clone())
                                .filter(|s| s != "N/A"),
                        )
                        .set(
                            "last_used_region",
                            used.map(|u| u.region).filter(|s| s != "N/A"),
                        );
                }
            }
            Err(info) => sink.record_error("ListAccessKeys", Some(&r.user_name), None, info),
        }
        match r.mfa_devices {
            Ok(devices) => {
                for d in devices {
                    sink.table(&IAM_MFA_DEVICES)
                        .row()
                        .set("account_id", &account)
                        .set("device_type", mfa_device_type(&d.serial_number))
                        .set("serial_number", d.serial_number)
                        .set("user_name", &r.user_name)
                        .set("user_arn", &arn)
                        .set("enable_date", to_utc(&d.enable_date))
                        .set("assigned", true);
                }
            }
            Err(info) => sink.record_error("ListMFADevices", Some(&r.user_name), None, info),
        }
    }
    // Fill the per-user columns of iam_users, whose rows came from the authorization details.
    fill_user_details(sink.table(&IAM_USERS), &details);
}

fn fill_user_details(users: &mut TableRows, details: &HashMap<String, ConsoleAccess>) {
    for i in 0..users.len() {
        let Some(console) = users
            .get(i, "user_name")
            .as_text()
            .and_then(|name| details.get(name))
        else {
            continue;
        };
        let mut row = users.edit(i);
        row.set("password_last_used", console.password_last_used);
        if console.login_profile_known {
            row.set("has_login_profile", console.login_profile.is_some());
        }
        if let Some(p) = &console.login_profile {
            row.set("login_profile_created_at", to_utc(&p.create_date))
                .set("password_reset_required", p.password_reset_required);
        }
    }
}

/// Virtual MFA devices are ARNs (`:mfa/`), FIDO keys `:u2f/`; anything else is a hardware
/// serial number.
fn mfa_device_type(serial: &str) -> &'static str {
    if serial.starts_with("arn:") && serial.contains(":mfa/") {
        "virtual"
    } else if serial.starts_with("arn:") && serial.contains(":u2f/") {
        "fido"
    } else {
        "hardware"
    }
}

/// Virtual devices not assigned to an IAM user: unassigned ones, and the root user's.
async fn collect_virtual_mfa(target: &Target, sink: &mut Sink, client: &iam::Client) {
    let devices = match client
        .list_virtual_mfa_devices()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(d) => d,
        Err(e) => return sink.error("ListVirtualMFADevices", None, &e),
    };
    for d in devices {
        let user = d.user.as_ref();
        let is_root = user.is_some_and(|u| u.arn.ends_with(":root"));
        // Devices of IAM users were already listed per user, with the same serial.
        if user.is_some() && !is_root {
            continue;
        }
        sink.table(&IAM_MFA_DEVICES)
            .row()
            .set("account_id", &target.account_id)
            .set("serial_number", &d.serial_number)
            .set("device_type", mfa_device_type(&d.serial_number))
            .set("user_name", is_root.then_some("<root_account>"))
            .set("user_arn", user.map(|u| u.arn.clone()))
            .set("enable_date", opt_utc(d.enable_date.as_ref()))
            .set("assigned", user.is_some());
    }
}

/// How long to wait for AWS to generate a credential report: it usually takes seconds.
const REPORT_POLLS: u32 = 30;

async fn collect_credential_report(target: &Target, sink: &mut Sink, client: &iam::Client) {
    let mut delay = std::time::Duration::from_millis(250);
    for attempt in 0..REPORT_POLLS {
        match client.generate_credential_report().send().await {
            Ok(out) if out.state == Some(ReportStateType::Complete) => break,
            Ok(_) if attempt + 1 == REPORT_POLLS => {
                let info = ErrorInfo {
                    code: "ReportNotReady".into(),
                    message: format!("credential report not complete after {REPORT_POLLS} polls"),
                };
                return sink.record_error("GenerateCredentialReport", None, None, info);
            }
            Ok(_) => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(2));
            }
            Err(e) => return sink.error("GenerateCredentialReport", None, &e),
        }
    }
    let report = match client.get_credential_report().send().await {
        Ok(out) => out.content.map(|c| c.into_inner()).unwrap_or_default(),
        Err(e) => return sink.error("GetCredentialReport", None, &e),
    };
    match parse_credential_report(&target.account_id, &report) {
        Ok(rows) => sink.table(&IAM_CREDENTIAL_REPORT).append(rows),
        Err(message) => sink.record_error(
            "GetCredentialReport",
            None,
            None,
            ErrorInfo {
                code: "MalformedCredentialReport".into(),
                message,
            },
        ),
    }
}

/// Parses the credential report CSV by header name, so a column AWS adds or reorders does
/// not shift the others. Sentinel values (N/A, no_information, not_supported) become null.
pub fn parse_credential_report(account_id: &str, csv_bytes: &[u8]) -> Result<TableRows, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv_bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("credential report header: {e}"))?
        .clone();
    if !headers.iter().any(|h| h == "user") {
        return Err("credential report has no `user` column".into());
    }
    let mut rows = TableRows::new(&IAM_CREDENTIAL_REPORT);
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("credential report line {}: {e}", line + 2))?;
        let mut row = rows.row();
        row.set("account_id", account_id);
        for (header, raw) in headers.iter().zip(record.iter()) {
            let Some(column) = IAM_CREDENTIAL_REPORT
                .columns
                .iter()
                .find(|c| c.name == header)
            else {
                continue;
            };
            let value: crate::store::Value = match raw {
                "N/A" | "no_information" | "not_supported" | "" => crate::store::Value::Null,
                _ => match column.ty {
                    Bool => match raw {
                        "true" => true.into(),
                        "false" => false.into(),
                        other => {
                            return Err(format!(
                                "credential report line {}: {header} is {other:?}, not true/false",
                                line + 2
                            ))
                        }
                    },
                    Timestamp => DateTime::parse_from_rfc3339(raw)
                        .map_err(|e| {
                            format!("credential report line {}: {header} {raw:?}: {e}", line + 2)
                        })?
                        .with_timezone(&Utc)
                        .into(),
                    _ => raw.into(),
                },
            };
            row.set(column.name, value);
        }
    }
    Ok(rows)
}

async fn collect_account_settings(target: &Target, sink: &mut Sink, client: &iam::Client) {
    let account = &target.account_id;
    match client.get_account_password_policy().send().await {
        Ok(out) => {
            let p = out.password_policy;
            sink.table(&IAM_PASSWORD_POLICY)
                .row()
                .set("account_id", account)
                .set("policy_exists", p.is_some())
                .set(
                    "minimum_password_length",
                    p.as_ref().and_then(|p| p.minimum_password_length),
                )
                .set("require_symbols", p.as_ref().map(|p| p.require_symbols))
                .set("require_numbers", p.as_ref().map(|p| p.require_numbers))
                .set(
                    "require_uppercase_characters",
                    p.as_ref().map(|p| p.require_uppercase_characters),
                )
                .set(
                    "require_lowercase_characters",
                    p.as_ref().map(|p| p.require_lowercase_characters),
                )
                .set(
                    "allow_users_to_change_password",
                    p.as_ref().map(|p| p.allow_users_to_change_password),
                )
                .set("expire_passwords", p.as_ref().map(|p| p.expire_passwords))
                .set(
                    "max_password_age",
                    p.as_ref().and_then(|p| p.max_password_age),
                )
                .set(
                    "password_reuse_prevention",
                    p.as_ref().and_then(|p| p.password_reuse_prevention),
                )
                .set("hard_expiry", p.as_ref().and_then(|p| p.hard_expiry));
        }
        // No policy is a finding, not a failure: the row says so.
        Err(e) if error_code(&e) == Some("NoSuchEntity") => {
            sink.table(&IAM_PASSWORD_POLICY)
                .row()
                .set("account_id", account)
                .set("policy_exists", false);
        }
        Err(e) => sink.error("GetAccountPasswordPolicy", None, &e),
    }
    match client.get_account_summary().send().await {
        Ok(out) => {
            let mut entries: Vec<_> = out.summary_map.unwrap_or_default().into_iter().collect();
            entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            for (key, value) in entries {
                sink.table(&IAM_ACCOUNT_SUMMARY)
                    .row()
                    .set("account_id", account)
                    .set("name", key.as_str())
                    .set("value", value);
            }
        }
        Err(e) => sink.error("GetAccountSummary", None, &e),
    }
    match client
        .list_server_certificates()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
    {
        Ok(certs) => {
            for c in certs {
                sink.table(&IAM_SERVER_CERTIFICATES)
                    .row()
                    .set("account_id", account)
                    .set("name", c.server_certificate_name)
                    .set("certificate_id", c.server_certificate_id)
                    .set("arn", c.arn)
                    .set("path", c.path)
                    .set("upload_date", opt_utc(c.upload_date.as_ref()))
                    .set("expiration", opt_utc(c.expiration.as_ref()));
            }
        }
        Err(e) => sink.error("ListServerCertificates", None, &e),
    }
}

async fn collect_identity_providers(target: &Target, sink: &mut Sink, client: &iam::Client) {
    let account = &target.account_id;
    match client.list_saml_providers().send().await {
        Ok(out) => {
            for p in out.saml_provider_list.unwrap_or_default() {
                sink.table(&IAM_SAML_PROVIDERS)
                    .row()
                    .set("account_id", account)
                    .set("arn", p.arn)
                    .set("create_date", opt_utc(p.create_date.as_ref()))
                    .set("valid_until", opt_utc(p.valid_until.as_ref()));
            }
        }
        Err(e) => sink.error("ListSAMLProviders", None, &e),
    }
    let arns: Vec<String> = match client.list_open_id_connect_providers().send().await {
        Ok(out) => out
            .open_id_connect_provider_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.arn)
            .collect(),
        Err(e) => return sink.error("ListOpenIDConnectProviders", None, &e),
    };
    let providers = fan_out(arns, target.fan_out, |arn| {
        let client = client.clone();
        async move {
            (
                client
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(&arn)
                    .send()
                    .await,
                arn,
            )
        }
    })
    .await;
    for (result, arn) in providers {
        match result {
            Ok(p) => {
                sink.table(&IAM_OIDC_PROVIDERS)
                    .row()
                    .set("account_id", account)
                    .set("url", p.url)
                    .set("arn", arn)
                    .set("client_ids", p.client_id_list.unwrap_or_default())
                    .set("thumbprints", p.thumbprint_list.unwrap_or_default())
                    .set("create_date", opt_utc(p.create_date.as_ref()));
            }
            Err(e) => sink.error("GetOpenIDConnectProvider", Some(&arn), &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Value;

    // Header and a root row in the exact format of a real credential report.
    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n\
<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2024-03-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
alice,arn:aws:iam::123456789012:user/alice,2023-05-01T00:00:00+00:00,true,no_information,2023-05-01T00:00:00+00:00,N/A,false,true,2023-05-01T00:00:00+00:00,2024-01-02T03:04:05+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

    #[test]
    fn credential_report_is_typed_and_sentinels_become_null() {
        let rows = parse_credential_report("123456789012", REPORT.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let col = |name: &str| {
            IAM_CREDENTIAL_REPORT
                .columns
                .iter()
                .position(|c| c.name == name)
                .unwrap()
        };
        let root = &rows.rows()[0];
        assert_eq!(root[col("user")], Value::Text("<root_account>".into()));
        assert_eq!(
            root[col("password_enabled")],
            Value::Null,
            "not_supported is null, not false"
        );
        assert_eq!(root[col("mfa_active")], Value::Bool(true));
        let alice = &rows.rows()[1];
        assert_eq!(alice[col("password_last_used")], Value::Null);
        assert_eq!(
            alice[col("access_key_1_last_used_region")],
            Value::Text("us-east-1".into())
        );
        assert_eq!(
            alice[col("access_key_1_last_used_date")],
            Value::Timestamp("2024-01-02T03:04:05Z".parse().unwrap())
        );
    }

    #[test]
    fn malformed_credential_reports_are_errors_naming_the_line() {
        let bad_bool = REPORT.replace(
            "true,false,N/A,N/A,N/A,N/A,false",
            "yes,false,N/A,N/A,N/A,N/A,false",
        );
        let err = parse_credential_report("1", bad_bool.as_bytes()).unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("mfa_active"),
            "{err}"
        );
        let ragged = format!("{REPORT}bob,arn\n");
        assert!(parse_credential_report("1", ragged.as_bytes())
            .unwrap_err()
            .contains("line 4"));
        assert!(parse_credential_report("1", b"\xff\xfe garbage").is_err());
    }

    #[test]
    fn mfa_device_types_follow_the_serial_format() {
        assert_eq!(mfa_device_type("arn:aws:iam::1:mfa/alice"), "virtual");
        assert_eq!(mfa_device_type("arn:aws:iam::1:u2f/user/alice/key"), "fido");
        assert_eq!(mfa_device_type("GAHT12345678"), "hardware");
    }
}
