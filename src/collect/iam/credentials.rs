//! Credentials: access keys, MFA devices, login profiles and the credential report.

use std::collections::HashMap;

use aws_sdk_iam as iam;
use aws_sdk_iam::types::ReportStateType;
use chrono::{DateTime, Utc};

use super::authorization::{ConsoleAccess, KeyWithLastUse};
use super::tables::*;
use crate::aws::{error_code, opt_utc, to_utc, ErrorInfo};
use crate::collect::{fan_out, Sink, Target};
use crate::store::{ColumnType::*, TableRows};

/// What one user's own calls returned.
pub(super) struct UserCredentials {
    pub(super) user_name: String,
    pub(super) password_last_used: Option<DateTime<Utc>>,
    pub(super) login_profile: Result<Option<iam::types::LoginProfile>, (ErrorInfo, &'static str)>,
    pub(super) access_keys: Result<Vec<KeyWithLastUse>, ErrorInfo>,
    pub(super) mfa_devices: Result<Vec<iam::types::MfaDevice>, ErrorInfo>,
}

/// Per user: login profile, access keys (and their last use) and MFA devices.
pub(super) async fn collect_user_credentials(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
) {
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

pub(super) fn fill_user_details(users: &mut TableRows, details: &HashMap<String, ConsoleAccess>) {
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
pub(super) fn mfa_device_type(serial: &str) -> &'static str {
    if serial.starts_with("arn:") && serial.contains(":mfa/") {
        "virtual"
    } else if serial.starts_with("arn:") && serial.contains(":u2f/") {
        "fido"
    } else {
        "hardware"
    }
}

/// Virtual devices not assigned to an IAM user: unassigned ones, and the root user's.
pub(super) async fn collect_virtual_mfa(target: &Target, sink: &mut Sink, client: &iam::Client) {
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
pub(super) const REPORT_POLLS: u32 = 30;

pub(super) async fn collect_credential_report(
    target: &Target,
    sink: &mut Sink,
    client: &iam::Client,
) {
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
