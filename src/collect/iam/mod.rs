//! IAM: principals, policies and their attachments, credentials, and account settings.
//!
//! GetAccountAuthorizationDetails returns users, groups, roles, customer managed policies
//! (with every version's document) and all attachments in a few pages, so it replaces
//! thousands of per-entity calls. What it lacks (access keys, MFA devices, login profiles,
//! password last used, AWS managed policy documents) is read per user or per policy.

//!
//! - [`tables`]: the tables IAM fills;
//! - [`authorization`]: principals, policies and attachments (GetAccountAuthorizationDetails,
//!   AWS managed policy documents);
//! - [`credentials`]: access keys, MFA devices, login profiles, the credential report;
//! - [`settings`]: the password policy, the account summary, certificates and identity
//!   providers.

mod authorization;
mod credentials;
mod settings;
pub mod tables;

use aws_sdk_iam as iam;
use aws_sdk_iam::types::Tag;
use futures::future::BoxFuture;

use super::{Collector, Scope, Sink, Target};
use crate::aws::{client, decode_policy};
use crate::store::{TableDef, TableRows};
use authorization::{collect_authorization_details, collect_aws_managed_policies};
pub use credentials::parse_credential_report;
use credentials::{collect_credential_report, collect_user_credentials, collect_virtual_mfa};
use settings::{collect_account_settings, collect_identity_providers};
pub use tables::*;

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

pub(super) async fn collect_iam(target: &Target, sink: &mut Sink) {
    let client = client!(&target.sdk, target.calls, iam);
    let referenced_aws_policies = collect_authorization_details(target, sink, &client).await;
    collect_aws_managed_policies(target, sink, &client, referenced_aws_policies).await;
    collect_user_credentials(target, sink, &client).await;
    collect_virtual_mfa(target, sink, &client).await;
    collect_credential_report(target, sink, &client).await;
    collect_account_settings(target, sink, &client).await;
    collect_identity_providers(target, sink, &client).await;
}
