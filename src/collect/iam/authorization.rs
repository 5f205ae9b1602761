//! Principals, policies and attachments: GetAccountAuthorizationDetails, and the documents of
//! the AWS managed policies attached in the account.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_iam as iam;
use aws_sdk_iam::types::{EntityType, PolicyScopeType};
use chrono::{DateTime, Utc};

use super::tables::*;
use super::*;
use crate::aws::{decode_policy, opt_utc, ErrorInfo};
use crate::collect::{fan_out, Sink, Target};
use crate::store::TableRows;

/// Users, groups, roles, customer managed policies and attachments. Returns the AWS managed
/// policies referenced by an attachment or a boundary, whose documents are read next.
pub(super) async fn collect_authorization_details(
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
pub(super) async fn collect_aws_managed_policies(
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
pub(super) type KeyWithLastUse = (
    iam::types::AccessKeyMetadata,
    Result<Option<iam::types::AccessKeyLastUsed>, ErrorInfo>,
);

/// The console facts of a user that GetAccountAuthorizationDetails lacks.
pub(super) struct ConsoleAccess {
    pub(super) password_last_used: Option<DateTime<Utc>>,
    pub(super) login_profile: Option<iam::types::LoginProfile>,
    /// False when GetLoginProfile failed: has_login_profile then stays null, not false.
    pub(super) login_profile_known: bool,
}

/// One row of iam_policies, for a customer managed or an AWS managed policy alike.
pub(super) fn policy_row(
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
