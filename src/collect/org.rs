//! AWS Organizations: the organization, its OU tree, accounts, policies and their targets.
//!
//! Read from the management account (or a delegated administrator). The tree is walked
//! breadth-first from each root so every account gets its OU path.

use std::collections::HashMap;

use aws_sdk_organizations as orgs;
use aws_sdk_organizations::types::{PolicyType, TargetType};
use futures::future::BoxFuture;

use super::{fan_out, Collector, Scope, Sink, Target};
use crate::aws::{client, error_code, opt_utc};
use crate::store::{col, ColumnType::*, TableDef};

pub static ORG_ORGANIZATIONS: TableDef = TableDef {
    name: "org_organizations",
    key: &[],
    doc: "The organization the collected accounts belong to (one row).",
    columns: &[
        col("account_id", Text, "Account the organization was read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col("arn", Text, "Organization ARN"),
        col(
            "feature_set",
            Text,
            "ALL or CONSOLIDATED_BILLING (SCPs need ALL)",
        ),
        col("management_account_id", Text, "Management account id"),
        col("management_account_email", Text, "Management account email"),
    ],
};

pub static ORG_ACCOUNTS: TableDef = TableDef {
    name: "org_accounts",
    key: &[],
    doc: "Every account of the organization, with its place in the OU tree.",
    columns: &[
        col(
            "account_id",
            Text,
            "The member account's id (so the table joins with every other table)",
        ),
        col("name", Text, "Account name"),
        col("email", Text, "Root user email"),
        col("arn", Text, "Account ARN"),
        col("status", Text, "ACTIVE, SUSPENDED or PENDING_CLOSURE"),
        col("joined_method", Text, "INVITED or CREATED"),
        col("joined_at", Timestamp, "When the account joined"),
        col("parent_id", Text, "Id of the root or OU directly above"),
        col(
            "ou_path",
            Text,
            "OU names from the root, e.g. Root/Workloads/Prod",
        ),
        col(
            "ou_id_path",
            Text,
            "OU ids from the root, e.g. r-ab12/ou-ab12-11111111",
        ),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col(
            "is_management_account",
            Bool,
            "True for the management account (SCPs do not apply to it)",
        ),
    ],
};

pub static ORG_UNITS: TableDef = TableDef {
    name: "org_units",
    key: &[],
    doc: "The root(s) and organizational units of the organization.",
    columns: &[
        col(
            "account_id",
            Text,
            "Account the tree was read from (the management account)",
        ),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col("id", Text, "r-xxxx for a root, ou-xxxx-xxxxxxxx for an OU"),
        col("arn", Text, "ARN"),
        col("name", Text, "Name"),
        col("unit_type", Text, "ROOT or ORGANIZATIONAL_UNIT"),
        col("parent_id", Text, "Parent id; null for a root"),
        col("path", Text, "Names from the root, e.g. Root/Workloads"),
        col("id_path", Text, "Ids from the root"),
        col(
            "policy_types_enabled",
            TextList,
            "For a root: the policy types enabled (SERVICE_CONTROL_POLICY, ...)",
        ),
    ],
};

pub static ORG_POLICIES: TableDef = TableDef {
    name: "org_policies",
    key: &[],
    doc: "Organization policies: SCPs, RCPs, tag, backup and AI opt-out policies, with content.",
    columns: &[
        col("account_id", Text, "Account the policies were read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col("policy_id", Text, "p-xxxxxxxx"),
        col("arn", Text, "Policy ARN"),
        col("name", Text, "Policy name"),
        col("description", Text, "Description"),
        col(
            "policy_type",
            Text,
            "SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, ...",
        ),
        col(
            "aws_managed",
            Bool,
            "True for AWS managed policies such as FullAWSAccess",
        ),
        col("content", Json, "The policy document as AWS returned it"),
    ],
};

pub static ORG_POLICY_TARGETS: TableDef = TableDef {
    name: "org_policy_targets",
    key: &["policy_id", "target_id"],
    doc: "Which policy is attached to which root, OU or account.",
    columns: &[
        col("account_id", Text, "Account the attachments were read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col("policy_id", Text, "Attached policy"),
        col("policy_type", Text, "Type of the attached policy"),
        col("target_id", Text, "Root, OU or account id"),
        col("target_type", Text, "ROOT, ORGANIZATIONAL_UNIT or ACCOUNT"),
        col("target_name", Text, "Name of the target"),
        col("target_arn", Text, "ARN of the target"),
    ],
};

pub static ORG_DELEGATED_ADMINS: TableDef = TableDef {
    name: "org_delegated_admins",
    key: &["delegated_account_id", "service_principal"],
    doc: "Accounts registered as delegated administrators, one row per delegated service.",
    columns: &[
        col("account_id", Text, "Account the delegations were read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col(
            "delegated_account_id",
            Text,
            "The delegated administrator account",
        ),
        col("name", Text, "Its name"),
        col("email", Text, "Its email"),
        col("status", Text, "Its status"),
        col(
            "delegation_enabled_at",
            Timestamp,
            "When it became a delegated administrator",
        ),
        col(
            "service_principal",
            Text,
            "Service it administers, e.g. guardduty.amazonaws.com",
        ),
        col(
            "service_delegated_at",
            Timestamp,
            "When that service was delegated",
        ),
    ],
};

pub static ORG_SERVICE_ACCESS: TableDef = TableDef {
    name: "org_service_access",
    key: &["service_principal"],
    doc: "AWS services with trusted access to the organization (ListAWSServiceAccessForOrganization): the services integrated with it.",
    columns: &[
        col("account_id", Text, "Account the list was read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col(
            "service_principal",
            Text,
            "The service, e.g. cloudtrail.amazonaws.com",
        ),
        col("enabled_at", Timestamp, "When trusted access was enabled"),
    ],
};

pub static ORG_RESOURCE_POLICY: TableDef = TableDef {
    name: "org_resource_policy",
    key: &[],
    doc: "The organization's resource-based delegation policy (DescribeResourcePolicy): which member accounts may manage Organizations policies and accounts. No row when there is none.",
    columns: &[
        col("account_id", Text, "Account the policy was read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col("policy_id", Text, "Resource policy id"),
        col("arn", Text, "Resource policy ARN"),
        col("content", Json, "The policy document"),
    ],
};

pub static ORG_IAM_FEATURES: TableDef = TableDef {
    name: "org_iam_features",
    key: &[],
    doc: "Centralized root access (IAM ListOrganizationsFeatures, read in the management account): the IAM features enabled for the organization's member accounts. One row; an empty list when IAM's trusted access is not enabled.",
    columns: &[
        col("account_id", Text, "Account the features were read from"),
        col("organization_id", Text, "o-xxxxxxxxxx"),
        col(
            "enabled_features",
            TextList,
            "RootCredentialsManagement and/or RootSessions",
        ),
    ],
};

/// Policy types govscan reads. Types the organization has not enabled answer with an error
/// or nothing; either way the rest is read.
const POLICY_TYPES: [PolicyType; 5] = [
    PolicyType::ServiceControlPolicy,
    PolicyType::ResourceControlPolicy,
    PolicyType::TagPolicy,
    PolicyType::BackupPolicy,
    PolicyType::AiservicesOptOutPolicy,
];

static TABLES: &[&TableDef] = &[
    &ORG_ORGANIZATIONS,
    &ORG_ACCOUNTS,
    &ORG_UNITS,
    &ORG_POLICIES,
    &ORG_POLICY_TARGETS,
    &ORG_DELEGATED_ADMINS,
    &ORG_SERVICE_ACCESS,
    &ORG_RESOURCE_POLICY,
    &ORG_IAM_FEATURES,
];

/// Reads every page of a listing and flattens its items (the Organizations paginators have
/// no item streams of their own).
async fn pages<P, T, E>(
    stream: aws_smithy_async::future::pagination_stream::PaginationStream<Result<P, E>>,
    items: impl Fn(P) -> Vec<T>,
) -> Result<Vec<T>, E> {
    let all: Vec<P> = stream.collect::<Result<Vec<P>, E>>().await?;
    Ok(all.into_iter().flat_map(items).collect())
}

pub struct OrgCollector;

impl Collector for OrgCollector {
    fn service(&self) -> &'static str {
        "org"
    }
    fn scope(&self) -> Scope {
        Scope::Global
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_org(target, sink))
    }
}

/// One node of the OU tree, with its path from the root.
#[derive(Debug, Clone)]
struct Unit {
    name: String,
    arn: Option<String>,
    path: String,
    id_path: String,
}

async fn collect_org(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, orgs);
    let org = match client.describe_organization().send().await {
        Ok(out) => match out.organization {
            Some(org) => org,
            None => return,
        },
        // An account outside any organization has nothing to collect here; that is a
        // fact about the account, not a failure.
        Err(e) if error_code(&e) == Some("AWSOrganizationsNotInUseException") => return,
        Err(e) => return sink.error("DescribeOrganization", None, &e),
    };
    let org_id = org.id.clone().unwrap_or_default();
    let management_id = org.master_account_id.clone().unwrap_or_default();
    sink.table(&ORG_ORGANIZATIONS)
        .row()
        .set("account_id", &target.account_id)
        .set("organization_id", &org_id)
        .set("arn", org.arn)
        .set(
            "feature_set",
            org.feature_set.map(|f| f.as_str().to_owned()),
        )
        .set("management_account_id", &management_id)
        .set("management_account_email", org.master_account_email);

    // The tree: roots, then OUs breadth-first; account parents come from each node's listing.
    let roots = match pages(client.list_roots().into_paginator().send(), |p| {
        p.roots.unwrap_or_default()
    })
    .await
    {
        Ok(roots) => roots,
        // The accounts are still listed (without their place in the tree): membership is
        // what most checks need, and ListRoots in their `requires` says the rest is unread.
        Err(e) => {
            sink.error("ListRoots", None, &e);
            Vec::new()
        }
    };
    let mut units: HashMap<String, Unit> = HashMap::new();
    let mut account_parent: HashMap<String, String> = HashMap::new();
    let mut queue: Vec<(String, Option<String>)> = Vec::new();
    for root in roots {
        let id = root.id.clone().unwrap_or_default();
        let name = root.name.clone().unwrap_or_else(|| "Root".to_owned());
        let types: Vec<String> = root
            .policy_types
            .unwrap_or_default()
            .iter()
            .filter(|t| t.status.as_ref().is_some_and(|s| s.as_str() == "ENABLED"))
            .filter_map(|t| t.r#type.as_ref().map(|t| t.as_str().to_owned()))
            .collect();
        sink.table(&ORG_UNITS)
            .row()
            .set("account_id", &target.account_id)
            .set("organization_id", &org_id)
            .set("id", &id)
            .set("arn", &root.arn)
            .set("name", &name)
            .set("unit_type", "ROOT")
            .set("path", &name)
            .set("id_path", &id)
            .set("policy_types_enabled", types);
        units.insert(
            id.clone(),
            Unit {
                name: name.clone(),
                arn: root.arn,
                path: name,
                id_path: id.clone(),
            },
        );
        queue.push((id, None));
    }
    while let Some((parent_id, _)) = queue.pop() {
        let parent = units[&parent_id].clone();
        match pages(
            client
                .list_accounts_for_parent()
                .parent_id(&parent_id)
                .into_paginator()
                .send(),
            |p| p.accounts.unwrap_or_default(),
        )
        .await
        {
            Ok(accounts) => {
                for a in accounts {
                    if let Some(id) = a.id {
                        account_parent.insert(id, parent_id.clone());
                    }
                }
            }
            Err(e) => sink.error("ListAccountsForParent", Some(&parent_id), &e),
        }
        let children = pages(
            client
                .list_organizational_units_for_parent()
                .parent_id(&parent_id)
                .into_paginator()
                .send(),
            |p| p.organizational_units.unwrap_or_default(),
        )
        .await;
        match children {
            Ok(children) => {
                for ou in children {
                    let id = ou.id.unwrap_or_default();
                    let name = ou.name.unwrap_or_default();
                    let unit = Unit {
                        name: name.clone(),
                        arn: ou.arn,
                        path: format!("{}/{}", parent.path, name),
                        id_path: format!("{}/{}", parent.id_path, id),
                    };
                    sink.table(&ORG_UNITS)
                        .row()
                        .set("account_id", &target.account_id)
                        .set("organization_id", &org_id)
                        .set("id", &id)
                        .set("arn", unit.arn.clone())
                        .set("name", &name)
                        .set("unit_type", "ORGANIZATIONAL_UNIT")
                        .set("parent_id", &parent_id)
                        .set("path", &unit.path)
                        .set("id_path", &unit.id_path);
                    units.insert(id.clone(), unit);
                    queue.push((id, Some(parent_id.clone())));
                }
            }
            Err(e) => sink.error("ListOrganizationalUnitsForParent", Some(&parent_id), &e),
        }
    }

    let mut account_names: HashMap<String, (String, Option<String>)> = HashMap::new();
    match pages(client.list_accounts().into_paginator().send(), |p| {
        p.accounts.unwrap_or_default()
    })
    .await
    {
        Ok(accounts) => {
            for a in accounts {
                let id = a.id.unwrap_or_default();
                let parent_id = account_parent.get(&id).cloned();
                let parent = parent_id.as_ref().and_then(|p| units.get(p));
                account_names.insert(
                    id.clone(),
                    (a.name.clone().unwrap_or_default(), a.arn.clone()),
                );
                sink.table(&ORG_ACCOUNTS)
                    .row()
                    .set("account_id", &id)
                    .set("name", a.name)
                    .set("email", a.email)
                    .set("arn", a.arn)
                    .set("status", a.status.map(|s| s.as_str().to_owned()))
                    .set(
                        "joined_method",
                        a.joined_method.map(|s| s.as_str().to_owned()),
                    )
                    .set("joined_at", opt_utc(a.joined_timestamp.as_ref()))
                    .set("parent_id", parent_id.clone())
                    .set("ou_path", parent.map(|p| p.path.clone()))
                    .set("ou_id_path", parent.map(|p| p.id_path.clone()))
                    .set("organization_id", &org_id)
                    .set("is_management_account", id == management_id);
            }
        }
        Err(e) => sink.error("ListAccounts", None, &e),
    }

    collect_policies(target, sink, &client, &org_id, &units, &account_names).await;
    collect_delegated_admins(target, sink, &client, &org_id).await;
    collect_service_access(target, sink, &client, &org_id).await;
    collect_resource_policy(target, sink, &client, &org_id).await;
    collect_iam_features(target, sink, &org_id).await;
}

async fn collect_service_access(
    target: &Target,
    sink: &mut Sink,
    client: &orgs::Client,
    org_id: &str,
) {
    let services = match pages(
        client
            .list_aws_service_access_for_organization()
            .into_paginator()
            .send(),
        |p| p.enabled_service_principals.unwrap_or_default(),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return sink.error("ListAWSServiceAccessForOrganization", None, &e),
    };
    for service in services {
        sink.table(&ORG_SERVICE_ACCESS)
            .row()
            .set("account_id", &target.account_id)
            .set("organization_id", org_id)
            .set("service_principal", service.service_principal)
            .set("enabled_at", opt_utc(service.date_enabled.as_ref()));
    }
}

async fn collect_resource_policy(
    target: &Target,
    sink: &mut Sink,
    client: &orgs::Client,
    org_id: &str,
) {
    let policy = match client.describe_resource_policy().send().await {
        Ok(out) => out.resource_policy,
        // No delegation policy is a fact about the organization (2.1.5 then fails).
        Err(e) if error_code(&e) == Some("ResourcePolicyNotFoundException") => None,
        Err(e) => return sink.error("DescribeResourcePolicy", None, &e),
    };
    let Some(policy) = policy else { return };
    let summary = policy.resource_policy_summary;
    sink.table(&ORG_RESOURCE_POLICY)
        .row()
        .set("account_id", &target.account_id)
        .set("organization_id", org_id)
        .set("policy_id", summary.as_ref().and_then(|s| s.id.clone()))
        .set("arn", summary.and_then(|s| s.arn))
        .set("content", policy.content);
}

/// IAM's organization features live in IAM, but only the management account (or IAM's
/// delegated administrator) can read them, so they are read with the organization.
async fn collect_iam_features(target: &Target, sink: &mut Sink, org_id: &str) {
    let iam = client!(&target.sdk, target.calls, aws_sdk_iam);
    let features: Vec<String> = match iam.list_organizations_features().send().await {
        Ok(out) => out
            .enabled_features
            .unwrap_or_default()
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        // IAM without trusted access in the organization has no feature enabled: a fact,
        // not a failure (2.1.1 then fails).
        Err(e) if error_code(&e) == Some("ServiceAccessNotEnabledException") => Vec::new(),
        Err(e) => return sink.error("ListOrganizationsFeatures", None, &e),
    };
    sink.table(&ORG_IAM_FEATURES)
        .row()
        .set("account_id", &target.account_id)
        .set("organization_id", org_id)
        .set("enabled_features", features);
}

async fn collect_policies(
    target: &Target,
    sink: &mut Sink,
    client: &orgs::Client,
    org_id: &str,
    units: &HashMap<String, Unit>,
    account_names: &HashMap<String, (String, Option<String>)>,
) {
    for policy_type in POLICY_TYPES {
        let listed = pages(
            client
                .list_policies()
                .filter(policy_type.clone())
                .into_paginator()
                .send(),
            |p| p.policies.unwrap_or_default(),
        )
        .await;
        let summaries = match listed {
            Ok(s) => s,
            // A policy type the organization never enabled has no policies to read.
            Err(e) if error_code(&e) == Some("PolicyTypeNotEnabledException") => continue,
            Err(e) => {
                sink.error("ListPolicies", Some(policy_type.as_str()), &e);
                continue;
            }
        };
        let ids: Vec<String> = summaries.iter().filter_map(|s| s.id.clone()).collect();
        let details = fan_out(ids, target.fan_out, |id| {
            let client = client.clone();
            async move {
                let policy = client.describe_policy().policy_id(&id).send().await;
                let targets = pages(
                    client
                        .list_targets_for_policy()
                        .policy_id(&id)
                        .into_paginator()
                        .send(),
                    |p| p.targets.unwrap_or_default(),
                )
                .await;
                (id, policy, targets)
            }
        })
        .await;
        for (id, policy, targets) in details {
            let summary = summaries
                .iter()
                .find(|s| s.id.as_deref() == Some(id.as_str()));
            let content = match policy {
                Ok(out) => out.policy.and_then(|p| p.content),
                Err(e) => {
                    sink.error("DescribePolicy", Some(&id), &e);
                    None
                }
            };
            sink.table(&ORG_POLICIES)
                .row()
                .set("account_id", &target.account_id)
                .set("organization_id", org_id)
                .set("policy_id", &id)
                .set("arn", summary.and_then(|s| s.arn.clone()))
                .set("name", summary.and_then(|s| s.name.clone()))
                .set("description", summary.and_then(|s| s.description.clone()))
                .set("policy_type", policy_type.as_str())
                .set("aws_managed", summary.map(|s| s.aws_managed))
                .set("content", content);
            match targets {
                Ok(targets) => {
                    for t in targets {
                        let target_id = t.target_id.unwrap_or_default();
                        let (name, arn) = match t.r#type {
                            Some(TargetType::Account) => account_names
                                .get(&target_id)
                                .cloned()
                                .map(|(n, a)| (Some(n), a))
                                .unwrap_or((t.name, t.arn)),
                            _ => units
                                .get(&target_id)
                                .map(|u| (Some(u.name.clone()), u.arn.clone()))
                                .unwrap_or((t.name, t.arn)),
                        };
                        sink.table(&ORG_POLICY_TARGETS)
                            .row()
                            .set("account_id", &target.account_id)
                            .set("organization_id", org_id)
                            .set("policy_id", &id)
                            .set("policy_type", policy_type.as_str())
                            .set("target_id", &target_id)
                            .set("target_type", t.r#type.map(|t| t.as_str().to_owned()))
                            .set("target_name", name)
                            .set("target_arn", arn);
                    }
                }
                Err(e) => sink.error("ListTargetsForPolicy", Some(&id), &e),
            }
        }
    }
}

async fn collect_delegated_admins(
    target: &Target,
    sink: &mut Sink,
    client: &orgs::Client,
    org_id: &str,
) {
    let admins = match pages(
        client
            .list_delegated_administrators()
            .into_paginator()
            .send(),
        |p| p.delegated_administrators.unwrap_or_default(),
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return sink.error("ListDelegatedAdministrators", None, &e),
    };
    for admin in admins {
        let admin_id = admin.id.clone().unwrap_or_default();
        let services = pages(
            client
                .list_delegated_services_for_account()
                .account_id(&admin_id)
                .into_paginator()
                .send(),
            |p| p.delegated_services.unwrap_or_default(),
        )
        .await;
        let services = match services {
            Ok(s) => s,
            Err(e) => {
                sink.error("ListDelegatedServicesForAccount", Some(&admin_id), &e);
                Vec::new()
            }
        };
        for service in services {
            sink.table(&ORG_DELEGATED_ADMINS)
                .row()
                .set("account_id", &target.account_id)
                .set("organization_id", org_id)
                .set("delegated_account_id", &admin_id)
                .set("name", admin.name.clone())
                .set("email", admin.email.clone())
                .set(
                    "status",
                    admin.status.as_ref().map(|s| s.as_str().to_owned()),
                )
                .set(
                    "delegation_enabled_at",
                    opt_utc(admin.delegation_enabled_date.as_ref()),
                )
                .set("service_principal", service.service_principal)
                .set(
                    "service_delegated_at",
                    opt_utc(service.delegation_enabled_date.as_ref()),
                );
        }
    }
}

/// Active accounts of the organization, for `collect --org`: (id, name).
pub async fn list_active_accounts(
    target: &Target,
) -> Result<(String, Vec<(String, String)>), crate::aws::ErrorInfo> {
    let client = client!(&target.sdk, target.calls, orgs);
    let org = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| crate::aws::error_info(&e))?;
    let org_id = org.organization.and_then(|o| o.id).unwrap_or_default();
    let accounts = pages(client.list_accounts().into_paginator().send(), |p| {
        p.accounts.unwrap_or_default()
    })
    .await
    .map_err(|e| crate::aws::error_info(&e))?;
    Ok((
        org_id,
        accounts
            .into_iter()
            .filter(|a| a.status.as_ref().is_none_or(|s| s.as_str() == "ACTIVE"))
            .filter_map(|a| Some((a.id?, a.name.unwrap_or_default())))
            .collect(),
    ))
}
