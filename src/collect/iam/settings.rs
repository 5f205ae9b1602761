//! Account settings: the password policy, the account summary, server certificates, SAML
//! and OIDC providers.

use aws_sdk_iam as iam;

use super::tables::*;
use crate::aws::{error_code, opt_utc, ErrorInfo};
use crate::collect::{fan_out, Sink, Target};

pub(super) async fn collect_account_settings(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
) {
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
                if c.expiration.is_none() {
                    // IAM always sends a certificate's expiration; without it the answer
                    // was cut short (a storm's truncated body still parsed), and the check
                    // over it must not pass the certificate: record why it is unread.
                    let info = ErrorInfo {
                        code: "IncompleteAnswer".into(),
                        message: format!(
                            "certificate {} came without its expiration date",
                            c.server_certificate_name
                        ),
                    };
                    let name = c.server_certificate_name.clone();
                    sink.record_error("ListServerCertificates", Some(&name), None, info);
                }
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

pub(super) async fn collect_identity_providers(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
) {
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
