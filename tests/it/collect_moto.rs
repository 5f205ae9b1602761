//! `govscan collect` against a moto server seeded with a five-account organization
//! (tests/moto/seed_org.py), read back from the Parquet files it wrote.

use serde_json::{json, Value};

use crate::common::{self, *};

fn s<'a>(row: &'a serde_json::Map<String, Value>, column: &str) -> &'a str {
    row.get(column)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{column} missing in {row:?}"))
}

fn b(row: &serde_json::Map<String, Value>, column: &str) -> Option<bool> {
    row.get(column).and_then(Value::as_bool)
}

#[test]
fn collect_org_snapshot_holds_exactly_the_seeded_organization() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = seed(&moto.url, &[], work.path());
    let mgmt = seeded["management_account_id"].as_str().unwrap();
    let acct = |name: &str| seeded["accounts"][name].as_str().unwrap().to_owned();
    let ou = |name: &str| seeded["ous"][name].as_str().unwrap().to_owned();

    let data = work.path().join("data");
    let out = govscan(
        &data,
        &moto.url,
        &[
            "collect",
            "--org",
            "--regions",
            "us-east-1,eu-west-1",
            "--max-attempts",
            "2",
        ],
    );
    let snap = snapshot_path(&out);
    assert!(snap.starts_with(data.join("snapshots")));

    // The manifest: caller, every account entered, both regions, every part accounted for.
    let m = manifest(&snap);
    assert_eq!(m["caller"]["account_id"], mgmt);
    assert_eq!(m["organization_id"], seeded["organization_id"]);
    let mut accounts: Vec<&str> = m["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    accounts.sort();
    let mut expected: Vec<String> = ["security", "prod", "dev", "sandbox"]
        .iter()
        .map(|n| acct(n))
        .collect();
    expected.push(mgmt.to_owned());
    expected.sort();
    assert_eq!(accounts, expected);
    assert!(m["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["status"] == "ok"));
    assert_eq!(m["regions"], json!(["eu-west-1", "us-east-1"]));
    // org once, iam + s3 + account + cloudfront per account, config + cloudtrail + ec2 + kms +
    // sns + sqs + accessanalyzer + securityhub + efs + elbv2 + apigateway + rds + logs +
    // cloudwatch + lambda + secretsmanager + events per account and region.
    assert_eq!(m["parts"].as_array().unwrap().len(), 1 + 5 * 4 + 5 * 2 * 17);
    assert!(m["api_calls"].as_u64().unwrap() > 100);

    // Every table exists, even when empty, and the manifest counts match the files.
    for (table, entry) in m["tables"].as_object().unwrap() {
        assert_eq!(
            read_table(&snap, table).len() as u64,
            entry["rows"].as_u64().unwrap(),
            "{table}"
        );
    }

    // Organizations.
    let org_accounts = read_table(&snap, "org_accounts");
    assert_eq!(org_accounts.len(), 5);
    let prod = row(&org_accounts, "account_id", &acct("prod"));
    assert_eq!(s(prod, "name"), "prod");
    assert_eq!(s(prod, "email"), "prod@example.com");
    assert_eq!(s(prod, "parent_id"), ou("Prod"));
    assert_eq!(s(prod, "ou_path"), "Root/Workloads/Prod");
    assert_eq!(
        s(prod, "ou_id_path"),
        format!(
            "{}/{}/{}",
            seeded["root_id"].as_str().unwrap(),
            ou("Workloads"),
            ou("Prod")
        )
    );
    assert_eq!(
        s(
            row(&org_accounts, "account_id", &acct("sandbox")),
            "ou_path"
        ),
        "Root"
    );
    assert_eq!(
        b(
            row(&org_accounts, "account_id", mgmt),
            "is_management_account"
        ),
        Some(true)
    );
    assert_eq!(b(prod, "is_management_account"), Some(false));

    let units = read_table(&snap, "org_units");
    assert_eq!(units.len(), 5, "root + 4 OUs");
    assert_eq!(
        s(row(&units, "id", &ou("Dev")), "path"),
        "Root/Workloads/Dev"
    );
    assert_eq!(
        s(row(&units, "id", &ou("Dev")), "parent_id"),
        ou("Workloads")
    );
    let root = row(&units, "unit_type", "ROOT");
    assert!(root["policy_types_enabled"]
        .as_array()
        .unwrap()
        .contains(&json!("SERVICE_CONTROL_POLICY")));

    let policies = read_table(&snap, "org_policies");
    let region_lock = row(&policies, "name", "region-lock");
    assert_eq!(s(region_lock, "policy_type"), "SERVICE_CONTROL_POLICY");
    assert_eq!(b(region_lock, "aws_managed"), Some(false));
    let content: Value = serde_json::from_str(s(region_lock, "content")).unwrap();
    assert_eq!(
        content["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"],
        json!(["us-east-1", "eu-west-1"])
    );
    assert_eq!(
        s(row(&policies, "name", "rcp-no-public-s3"), "policy_type"),
        "RESOURCE_CONTROL_POLICY"
    );
    assert_eq!(
        b(row(&policies, "name", "FullAWSAccess"), "aws_managed"),
        Some(true)
    );

    let targets = read_table(&snap, "org_policy_targets");
    let lock_id = seeded["policies"]["region-lock"].as_str().unwrap();
    let lock_targets = rows_where(&targets, "policy_id", lock_id);
    assert_eq!(texts(&lock_targets, "target_id"), {
        let mut v = vec![ou("Workloads"), acct("sandbox")];
        v.sort();
        v
    });
    let sandbox_target = lock_targets
        .iter()
        .find(|t| t["target_type"] == "ACCOUNT")
        .unwrap();
    assert_eq!(s(sandbox_target, "target_name"), "sandbox");
    let rcp_targets = rows_where(
        &targets,
        "policy_id",
        seeded["policies"]["rcp-no-public-s3"].as_str().unwrap(),
    );
    assert_eq!(texts(&rcp_targets, "target_id"), vec![ou("Prod")]);

    let admins = read_table(&snap, "org_delegated_admins");
    assert_eq!(admins.len(), 1);
    assert_eq!(s(&admins[0], "delegated_account_id"), acct("security"));
    assert_eq!(
        s(&admins[0], "service_principal"),
        "guardduty.amazonaws.com"
    );

    // IAM, management account.
    let users = read_table(&snap, "iam_users");
    let mgmt_users = rows_where(&users, "account_id", mgmt);
    assert_eq!(texts(&mgmt_users, "user_name"), ["alice", "bob", "carol"]);
    let alice = mgmt_users
        .iter()
        .find(|u| u["user_name"] == "alice")
        .unwrap();
    assert_eq!(b(alice, "has_login_profile"), Some(true));
    assert_eq!(alice["group_names"], json!(["admins"]));
    assert_eq!(
        serde_json::from_str::<Value>(s(alice, "tags")).unwrap(),
        json!({"team": "platform"})
    );
    let bob = mgmt_users.iter().find(|u| u["user_name"] == "bob").unwrap();
    assert_eq!(b(bob, "has_login_profile"), Some(false));
    assert_eq!(s(bob, "path"), "/engineering/");
    // Pagination: 120 seeded users plus the engineer, more than one page of 100.
    assert_eq!(
        rows_where(&users, "account_id", &acct("sandbox")).len(),
        121
    );
    for name in ["security", "prod", "dev"] {
        assert_eq!(
            texts(&rows_where(&users, "account_id", &acct(name)), "user_name"),
            [format!("{name}-engineer")]
        );
    }

    let keys = read_table(&snap, "iam_access_keys");
    let mgmt_keys = rows_where(&keys, "account_id", mgmt);
    assert_eq!(mgmt_keys.len(), 3);
    let inactive = row(
        &keys,
        "access_key_id",
        seeded["bob_keys"]["inactive"].as_str().unwrap(),
    );
    assert_eq!(s(inactive, "status"), "Inactive");
    assert_eq!(s(inactive, "user_name"), "bob");
    assert_eq!(
        s(
            row(
                &keys,
                "access_key_id",
                seeded["alice_key"].as_str().unwrap()
            ),
            "status"
        ),
        "Active"
    );

    let mfa = read_table(&snap, "iam_mfa_devices");
    let alice_mfa = row(
        &mfa,
        "serial_number",
        seeded["alice_mfa_serial"].as_str().unwrap(),
    );
    assert_eq!(s(alice_mfa, "user_name"), "alice");
    assert_eq!(s(alice_mfa, "device_type"), "virtual");
    assert_eq!(b(alice_mfa, "assigned"), Some(true));
    assert_eq!(
        rows_where(&mfa, "account_id", mgmt).len(),
        1,
        "one device, listed once"
    );

    let groups = read_table(&snap, "iam_groups");
    assert_eq!(
        texts(&rows_where(&groups, "account_id", mgmt), "group_name"),
        ["admins", "readers"]
    );
    let members = rows_where(&read_table(&snap, "iam_group_members"), "account_id", mgmt)
        .into_iter()
        .map(|r| format!("{}:{}", s(r, "group_name"), s(r, "user_name")))
        .collect::<Vec<_>>();
    assert_eq!(members.len(), 2);
    assert!(
        members.contains(&"admins:alice".to_owned())
            && members.contains(&"readers:carol".to_owned())
    );

    let roles = read_table(&snap, "iam_roles");
    let app = row(&roles, "role_name", "app-role");
    assert_eq!(
        s(app, "permissions_boundary_arn"),
        seeded["boundary_arn"].as_str().unwrap()
    );
    let trust: Value = serde_json::from_str(s(app, "assume_role_policy")).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    assert_eq!(app["instance_profile_arns"].as_array().unwrap().len(), 1);
    let audit = row(&roles, "role_name", "audit-from-security");
    let trust: Value = serde_json::from_str(s(audit, "assume_role_policy")).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["AWS"],
        format!("arn:aws:iam::{}:root", acct("security"))
    );
    assert_eq!(
        s(row(&roles, "role_name", "dev-deploy"), "account_id"),
        acct("dev")
    );

    let iam_policies = read_table(&snap, "iam_policies");
    let custom = row(
        &iam_policies,
        "arn",
        seeded["custom_policy_arn"].as_str().unwrap(),
    );
    assert_eq!(b(custom, "aws_managed"), Some(false));
    assert_eq!(s(custom, "default_version_id"), "v2");
    let doc: Value = serde_json::from_str(s(custom, "document")).unwrap();
    assert_eq!(
        doc["Statement"][0]["Action"],
        json!(["s3:ListBucket", "s3:GetObject"]),
        "the default version's document"
    );
    let mgmt_policies = rows_where(&iam_policies, "account_id", mgmt);
    let admin = mgmt_policies
        .iter()
        .find(|p| p["policy_name"] == "AdministratorAccess")
        .expect("attached AWS managed policy");
    assert_eq!(b(admin, "aws_managed"), Some(true));
    let doc: Value = serde_json::from_str(s(admin, "document")).unwrap();
    assert_eq!(doc["Statement"][0]["Action"], "*");
    assert!(mgmt_policies
        .iter()
        .any(|p| p["policy_name"] == "ReadOnlyAccess"));
    // Only attached AWS managed policies, not the whole catalogue of a thousand.
    assert!(
        mgmt_policies
            .iter()
            .filter(|p| p["aws_managed"] == true)
            .count()
            < 10
    );

    let attachments = rows_where(
        &read_table(&snap, "iam_policy_attachments"),
        "account_id",
        mgmt,
    )
    .into_iter()
    .map(|r| {
        format!(
            "{}:{}:{}",
            s(r, "principal_type"),
            s(r, "principal_name"),
            s(r, "policy_name")
        )
    })
    .collect::<Vec<_>>();
    for expected in [
        "group:admins:AdministratorAccess",
        "user:bob:s3-read-custom",
        "role:app-role:s3-read-custom",
        "group:readers:ReadOnlyAccess",
        "role:audit-from-security:ReadOnlyAccess",
    ] {
        assert!(
            attachments.contains(&expected.to_owned()),
            "{expected} missing from {attachments:?}"
        );
    }

    let inline = read_table(&snap, "iam_inline_policies");
    let bob_inline = row(&inline, "policy_name", "bob-s3");
    assert_eq!(s(bob_inline, "principal_type"), "user");
    let doc: Value = serde_json::from_str(s(bob_inline, "document")).unwrap();
    assert_eq!(
        doc["Statement"][0]["Resource"], "arn:aws:s3:::private-data/*",
        "stored URL-decoded"
    );
    assert_eq!(
        s(
            row(&inline, "policy_name", "deny-billing"),
            "principal_type"
        ),
        "group"
    );
    assert_eq!(
        s(row(&inline, "policy_name", "app-logs"), "principal_name"),
        "app-role"
    );

    let report = read_table(&snap, "iam_credential_report");
    let mgmt_report = rows_where(&report, "account_id", mgmt);
    // moto's report has no <root_account> row (AWS's does; the parser's unit test covers it).
    assert_eq!(texts(&mgmt_report, "user"), ["alice", "bob", "carol"]);
    let alice_report = mgmt_report.iter().find(|r| r["user"] == "alice").unwrap();
    assert_eq!(b(alice_report, "mfa_active"), Some(true));
    assert_eq!(b(alice_report, "password_enabled"), Some(true));
    assert_eq!(b(alice_report, "access_key_1_active"), Some(true));
    let bob_report = mgmt_report.iter().find(|r| r["user"] == "bob").unwrap();
    assert_eq!(b(bob_report, "mfa_active"), Some(false));
    assert_eq!(b(bob_report, "access_key_2_active"), Some(false));

    let pw = read_table(&snap, "iam_password_policy");
    let mgmt_pw = row(&pw, "account_id", mgmt);
    assert_eq!(b(mgmt_pw, "policy_exists"), Some(true));
    assert_eq!(mgmt_pw["minimum_password_length"], 14);
    assert_eq!(mgmt_pw["password_reuse_prevention"], 24);
    assert_eq!(
        b(row(&pw, "account_id", &acct("dev")), "policy_exists"),
        Some(false)
    );

    let summary = read_table(&snap, "iam_account_summary");
    let users_count = rows_where(&summary, "account_id", &acct("sandbox"))
        .into_iter()
        .find(|r| r["name"] == "Users")
        .unwrap();
    assert_eq!(users_count["value"], 121);

    assert_eq!(read_table(&snap, "iam_saml_providers").len(), 1);
    let certs = read_table(&snap, "iam_server_certificates");
    assert_eq!(certs.len(), 1);
    assert_eq!(s(&certs[0], "name"), "legacy-elb");
    assert!(s(&certs[0], "arn").ends_with(":server-certificate/legacy-elb"));
    // moto reports fixed dates; what matters is that they arrive as UTC timestamps.
    assert!(
        chrono::DateTime::parse_from_rfc3339(s(&certs[0], "expiration")).is_ok(),
        "{:?}",
        certs[0]
    );
    let oidc = read_table(&snap, "iam_oidc_providers");
    assert_eq!(oidc.len(), 1);
    assert_eq!(oidc[0]["client_ids"], json!(["sts.amazonaws.com"]));

    // S3.
    let buckets = read_table(&snap, "s3_buckets");
    let mut names = texts(&rows_where(&buckets, "account_id", mgmt), "bucket_name");
    names.sort();
    assert_eq!(
        names,
        ["access-logs", "mgmt-logs", "private-data", "public-site"]
    );
    assert_eq!(
        s(row(&buckets, "bucket_name", "mgmt-logs"), "region"),
        "eu-west-1"
    );
    let public = row(&buckets, "bucket_name", "public-site");
    let policy: Value = serde_json::from_str(s(public, "policy")).unwrap();
    assert_eq!(policy["Statement"][0]["Principal"], "*");
    assert_eq!(b(public, "public_access_block_configured"), Some(false));
    let private = row(&buckets, "bucket_name", "private-data");
    assert_eq!(s(private, "region"), "us-east-1");
    for flag in [
        "public_access_block_configured",
        "block_public_acls",
        "ignore_public_acls",
        "block_public_policy",
        "restrict_public_buckets",
    ] {
        assert_eq!(b(private, flag), Some(true), "{flag}");
    }
    assert_eq!(s(private, "encryption_algorithm"), "aws:kms");
    assert_eq!(s(private, "kms_key_id"), "alias/data");
    assert_eq!(s(private, "logging_target_bucket"), "access-logs");
    assert_eq!(b(private, "object_lock_enabled"), Some(true));
    assert_eq!(s(private, "object_ownership"), "BucketOwnerEnforced");
    assert_eq!(private["lifecycle_rule_count"], 1);
    assert_eq!(
        serde_json::from_str::<Value>(s(private, "tags")).unwrap(),
        json!({"classification": "confidential"})
    );
    let logs = row(&buckets, "bucket_name", "access-logs");
    let grants: Value = serde_json::from_str(s(logs, "acl_grants")).unwrap();
    assert!(grants.as_array().unwrap().iter().any(|g| g["uri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/LogDelivery"))));
    assert_eq!(b(logs, "acl_is_public"), Some(false));
    assert_eq!(
        s(row(&buckets, "bucket_name", "prod-artifacts"), "account_id"),
        acct("prod")
    );

    let pab = read_table(&snap, "s3_account_public_access_block");
    let mgmt_pab = row(&pab, "account_id", mgmt);
    assert_eq!(b(mgmt_pab, "configured"), Some(true));
    assert_eq!(b(mgmt_pab, "block_public_acls"), Some(true));
    assert_eq!(b(mgmt_pab, "block_public_policy"), Some(false));
    assert_eq!(
        b(row(&pab, "account_id", &acct("dev")), "configured"),
        Some(false)
    );

    // CloudTrail: the trail in its home region, with status and selectors.
    let trails = read_table(&snap, "cloudtrail_trails");
    let home: Vec<_> = trails
        .iter()
        .filter(|t| t["region"] == "us-east-1" && t["account_id"] == mgmt)
        .collect();
    assert_eq!(home.len(), 1);
    let trail = home[0];
    assert_eq!(s(trail, "name"), "org-trail");
    assert_eq!(b(trail, "is_shadow"), Some(false));
    assert_eq!(b(trail, "is_multi_region"), Some(true));
    assert_eq!(b(trail, "log_file_validation_enabled"), Some(true));
    assert_eq!(b(trail, "is_logging"), Some(true));
    assert_eq!(s(trail, "s3_bucket_name"), "mgmt-logs");
    let selectors: Value = serde_json::from_str(s(trail, "event_selectors")).unwrap();
    assert_eq!(selectors[0]["data_resources"][0]["type"], "AWS::S3::Object");
    assert!(
        trails.iter().all(|t| t["account_id"] == mgmt),
        "no trail was seeded in member accounts"
    );

    // Config: recorder and channel in us-east-1 only.
    let recorders = read_table(&snap, "config_recorders");
    assert_eq!(recorders.len(), 1);
    assert_eq!(s(&recorders[0], "region"), "us-east-1");
    assert_eq!(b(&recorders[0], "all_supported"), Some(true));
    assert_eq!(b(&recorders[0], "recording"), Some(true));
    assert_eq!(
        s(
            &read_table(&snap, "config_delivery_channels")[0],
            "s3_bucket_name"
        ),
        "mgmt-logs"
    );
    let rules = read_table(&snap, "config_rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(
        s(&rules[0], "source_identifier"),
        "S3_BUCKET_VERSIONING_ENABLED"
    );

    // moto answers some Config compliance calls with HTTP 500: recorded, not hidden, and
    // the part is partial, not ok.
    let errors = read_table(&snap, "collection_errors");
    let compliance = rows_where(&errors, "operation", "DescribeComplianceByConfigRule");
    assert_eq!(compliance.len(), 10, "one per account and region");
    assert_eq!(s(compliance[0], "error_code"), "HTTP500");
    let parts = read_table(&snap, "collection_parts");
    let config_part = parts
        .iter()
        .find(|p| p["service"] == "config" && p["account_id"] == mgmt && p["region"] == "us-east-1")
        .unwrap();
    assert_eq!(s(config_part, "status"), "partial");
    let iam_part = parts
        .iter()
        .find(|p| p["service"] == "iam" && p["account_id"] == mgmt)
        .unwrap();
    assert!(iam_part["region"].is_null());
    assert_eq!(
        s(iam_part, "status"),
        "ok",
        "{:?}",
        rows_where(&errors, "service", "iam")
    );

    // The checks over the seeded organization give the answers known in advance.
    let out = govscan(
        &data,
        &moto.url,
        &["check", "--format", "json", "--fail-on", "critical"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "root MFA (critical) fails: {}",
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["snapshot_id"], m["snapshot_id"]);
    let results = report["results"].as_array().unwrap();
    let statuses = |check: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = results
            .iter()
            .filter(|r| r["check_id"] == check)
            .map(|r| {
                (
                    r["resource_id"].as_str().unwrap().to_owned(),
                    r["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let pair = |r: String, st: &str| (r, st.to_owned());
    let mgmt_only = |check: &str, resource: &dyn Fn(&str) -> String| {
        let mut v: Vec<(String, String)> = std::iter::once(mgmt.to_owned())
            .chain(
                ["security", "prod", "dev", "sandbox"]
                    .iter()
                    .map(|n| acct(n)),
            )
            .map(|a| pair(resource(&a), if a == mgmt { "PASS" } else { "FAIL" }))
            .collect();
        v.sort();
        assert_eq!(statuses(check), v, "{check}");
    };
    mgmt_only("iam-password-min-length", &|a| format!("account/{a}"));
    mgmt_only("iam-password-reuse", &|a| format!("account/{a}"));
    mgmt_only("cloudtrail-multi-region-logging", &|a| {
        format!("account/{a}")
    });
    // The org trail logs the objects of one bucket (private-data/), not of every bucket
    // as CIS 4.9 asks: no account passes.
    assert!(
        statuses("cloudtrail-s3-object-read-events")
            .iter()
            .all(|(_, status)| status == "FAIL"),
        "{:?}",
        statuses("cloudtrail-s3-object-read-events")
    );
    assert_eq!(
        statuses("iam-console-user-mfa"),
        [pair(format!("arn:aws:iam::{mgmt}:user/alice"), "PASS")]
    );
    // bob, and the member accounts' engineers (their policy is attached to the user).
    let groups = statuses("iam-permissions-via-groups");
    let mut expected: Vec<(String, String)> = ["security", "prod", "dev", "sandbox"]
        .iter()
        .map(|n| {
            pair(
                format!("arn:aws:iam::{}:user/{n}-engineer", acct(n)),
                "FAIL",
            )
        })
        .chain([pair(
            format!("arn:aws:iam::{mgmt}:user/engineering/bob"),
            "FAIL",
        )])
        .collect();
    expected.sort();
    assert_eq!(
        groups
            .iter()
            .filter(|(_, s)| s == "FAIL")
            .cloned()
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(groups.len(), 3 + 4 + 120);
    let public: Vec<_> = statuses("s3-public-bucket")
        .into_iter()
        .filter(|(_, s)| s != "PASS")
        .collect();
    assert_eq!(public, [pair("arn:aws:s3:::public-site".into(), "FAIL")]);
    let config: Vec<_> = statuses("config-recording-all-regions")
        .into_iter()
        .filter(|(_, s)| s == "PASS")
        .collect();
    // The management account's recorder (us-east-1, global resources included) is the only
    // one: its region and its global-resources row pass.
    assert_eq!(
        config,
        [
            pair(format!("account/{mgmt}/global-resources"), "PASS"),
            pair(format!("account/{mgmt}/us-east-1"), "PASS")
        ]
    );
    // EC2 through the signed Query API: the seeded SSH group fails CIS 6.3, the other
    // groups of the management account pass; EBS encryption by default is on in its
    // us-east-1 only.
    let ssh = seeded["ssh_security_group"].as_str().unwrap();
    let sg = statuses("ec2-sg-admin-ports-ipv4");
    let failing: Vec<&(String, String)> = sg.iter().filter(|(_, s)| s == "FAIL").collect();
    assert_eq!(
        failing,
        [&pair(
            format!("arn:aws:ec2:us-east-1:{mgmt}:security-group/{ssh}"),
            "FAIL"
        )],
        "{sg:?}"
    );
    assert!(sg.len() > 1, "{sg:?}");
    let ebs = statuses("ec2-ebs-default-encryption");
    assert!(
        ebs.contains(&pair(
            format!("account/{mgmt}/us-east-1/ebs-encryption"),
            "PASS"
        )),
        "{ebs:?}"
    );
    assert!(
        ebs.contains(&pair(
            format!("account/{mgmt}/eu-west-1/ebs-encryption"),
            "FAIL"
        )),
        "{ebs:?}"
    );
    // Every VPC's default network ACL allows all inbound traffic (rule 100): CIS 6.2 fails
    // each one, as it would on AWS.
    let nacls = statuses("ec2-nacl-admin-ports");
    assert!(
        !nacls.is_empty() && nacls.iter().all(|(_, s)| s == "FAIL"),
        "{nacls:?}"
    );
    // Instances (DescribeInstances): the one with the app role's profile and IMDSv2 required
    // passes CIS 2.16 and 6.7, the bare one fails both; the flow log of the default VPC
    // passes 4.7, the VPC without one fails.
    let instance = |key: &str| {
        format!(
            "arn:aws:ec2:us-east-1:{mgmt}:instance/{}",
            seeded["instances"][key].as_str().unwrap()
        )
    };
    let vpc = |key: &str| {
        format!(
            "arn:aws:ec2:us-east-1:{mgmt}:vpc/{}",
            seeded["vpcs"][key].as_str().unwrap()
        )
    };
    for check in ["ec2-instance-profile-attached", "ec2-imdsv2-required"] {
        let results = statuses(check);
        assert!(
            results.contains(&pair(instance("with_role"), "PASS"))
                && results.contains(&pair(instance("bare"), "FAIL")),
            "{check}: {results:?}"
        );
    }
    // CIS 6.8 evidence: the default VPC has an S3 gateway endpoint, the other none.
    let endpoints = statuses("ec2-vpc-endpoints-used");
    assert!(
        endpoints.contains(&pair(vpc("logged"), "PASS"))
            && endpoints.contains(&pair(vpc("unlogged"), "FAIL")),
        "{endpoints:?}"
    );
    let flow = statuses("ec2-vpc-flow-logs");
    assert!(
        flow.contains(&pair(vpc("logged"), "PASS"))
            && flow.contains(&pair(vpc("unlogged"), "FAIL")),
        "{flow:?}"
    );
    // The customer managed policies: s3-read-custom and each member's engineer-tools.
    let mut customer: Vec<(String, String)> = ["security", "prod", "dev", "sandbox"]
        .iter()
        .map(|n| {
            pair(
                format!("arn:aws:iam::{}:policy/engineer-tools", acct(n)),
                "PASS",
            )
        })
        .chain([pair(
            seeded["custom_policy_arn"].as_str().unwrap().to_owned(),
            "PASS",
        )])
        .collect();
    customer.sort();
    let (aws_managed, own): (Vec<_>, Vec<_>) = statuses("iam-no-full-admin-policy")
        .into_iter()
        .partition(|(r, _)| r.starts_with("arn:aws:iam::aws:policy/"));
    assert_eq!(own, customer);
    // AWS managed policies are in scope too (CIS audits every attached policy): the admins
    // group's AdministratorAccess fails, ReadOnlyAccess passes.
    assert!(
        aws_managed.contains(&pair(
            "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            "FAIL"
        )) && aws_managed.contains(&pair(
            "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            "PASS"
        )) && aws_managed
            .iter()
            .all(|(r, s)| (s == "FAIL") == r.ends_with("/AdministratorAccess")),
        "{aws_managed:?}"
    );
    // The policy engine's checks, each failing exactly where the seed made it fail.
    let failing = |check: &str| -> Vec<String> {
        statuses(check)
            .into_iter()
            .filter(|(_, s)| s == "FAIL")
            .map(|(r, _)| r)
            .collect()
    };
    // CreatePolicyVersion on their own policy: open in every member account but prod,
    // where the deny-policy-rewrite SCP closes it.
    let mut escalating: Vec<String> = ["security", "dev", "sandbox"]
        .iter()
        .map(|n| format!("arn:aws:iam::{}:user/{n}-engineer", acct(n)))
        .collect();
    escalating.sort();
    assert_eq!(failing("iam-privilege-escalation"), escalating);
    assert_eq!(
        failing("iam-admin-users"),
        [format!("arn:aws:iam::{mgmt}:user/alice")]
    );
    assert_eq!(
        failing("iam-role-assumable-from-outside"),
        [format!("arn:aws:iam::{mgmt}:role/vendor-audit")]
    );
    assert_eq!(
        failing("s3-bucket-open-to-anyone"),
        ["arn:aws:s3:::public-site"]
    );
    // The organization checks, against the seeded policies: deny-leave-org on the root,
    // region-lock on Workloads (prod, dev) and on sandbox, the RCP on Prod, GuardDuty
    // delegated to security.
    let org_id = seeded["organization_id"].as_str().unwrap();
    let member_statuses = |check: &str| -> Vec<(&str, String)> {
        ["dev", "prod", "sandbox", "security"]
            .into_iter()
            .map(|name| {
                let arn = format!(
                    "arn:aws:organizations::{mgmt}:account/{org_id}/{}",
                    acct(name)
                );
                let found: Vec<String> = statuses(check)
                    .into_iter()
                    .filter(|(r, _)| *r == arn)
                    .map(|(_, st)| st)
                    .collect();
                (name, found.join(","))
            })
            .collect()
    };
    let all = |st: &str| {
        ["dev", "prod", "sandbox", "security"]
            .into_iter()
            .map(|n| (n, st.to_owned()))
            .collect::<Vec<_>>()
    };
    // deny-leave-org is on the root: a customer SCP is in effect for every member (the
    // RCP on Prod is one more guardrail there).
    assert_eq!(member_statuses("org-authorization-guardrails"), all("PASS"));
    assert_eq!(
        member_statuses("org-scp-deny-leave-organization"),
        all("PASS")
    );
    // The sandbox account is placed directly under the root (CIS v7.0 2.1.4's evidence).
    assert_eq!(
        member_statuses("org-accounts-under-root"),
        [
            ("dev", "PASS".to_owned()),
            ("prod", "PASS".to_owned()),
            ("sandbox", "FAIL".to_owned()),
            ("security", "PASS".to_owned())
        ]
    );
    assert_eq!(
        member_statuses("org-scp-region-restriction"),
        [
            ("dev", "PASS".to_owned()),
            ("prod", "PASS".to_owned()),
            ("sandbox", "PASS".to_owned()),
            ("security", "FAIL".to_owned())
        ]
    );
    let org_arn = format!("arn:aws:organizations::{mgmt}:organization/{org_id}");
    assert_eq!(
        statuses("org-all-features"),
        [pair(org_arn.clone(), "PASS")]
    );
    // Trusted access is enabled for GuardDuty (delegated to the security account) and
    // CloudTrail (not delegated); services without trusted access are not applicable.
    assert_eq!(
        statuses("org-delegated-admin-services"),
        [
            pair(
                format!("{org_arn}/delegated-admin/cloudtrail.amazonaws.com"),
                "FAIL"
            ),
            pair(
                format!("{org_arn}/delegated-admin/guardduty.amazonaws.com"),
                "PASS"
            ),
        ]
    );
    // moto serves neither Organizations' DescribeResourcePolicy nor IAM's
    // ListOrganizationsFeatures: both are collection errors, and the checks that need them
    // (CIS v7.0 2.1.5 and 2.1.1) are NOT_ASSESSED, never PASS.
    for check in ["org-delegated-policy-admin", "org-centralized-root-access"] {
        let found = statuses(check);
        assert!(
            !found.is_empty() && found.iter().all(|(_, s)| s == "NOT_ASSESSED"),
            "{check}: {found:?}"
        );
    }
    let errors = read_table(&snap, "collection_errors");
    for operation in ["DescribeResourcePolicy", "ListOrganizationsFeatures"] {
        assert!(
            errors.iter().any(|e| e["operation"] == operation),
            "{operation} is a collection error"
        );
    }
    // moto has no IAM Access Analyzer: ListAnalyzers fails in every account and region, and
    // CIS 2.18 is NOT_ASSESSED there, never FAIL or PASS.
    let analyzers = statuses("accessanalyzer-external-access-enabled");
    assert!(
        analyzers.len() == 10 && analyzers.iter().all(|(_, s)| s == "NOT_ASSESSED"),
        "{analyzers:?}"
    );
    assert_eq!(
        rows_where(&errors, "operation", "ListAnalyzers").len(),
        10,
        "one per account and region"
    );
    // Security Hub (signed REST call): on in the management account's us-east-1, off in its
    // eu-west-1; EFS: the encrypted file system passes CIS 3.3.1, the plain one fails.
    let hub = statuses("securityhub-enabled");
    assert!(
        hub.contains(&pair(
            format!("account/{mgmt}/us-east-1/securityhub"),
            "PASS"
        )) && hub.contains(&pair(
            format!("account/{mgmt}/eu-west-1/securityhub"),
            "FAIL"
        )),
        "{hub:?}"
    );
    let efs = statuses("efs-encrypted");
    let mut expected_efs = vec![
        pair(
            seeded["efs"]["encrypted"].as_str().unwrap().to_owned(),
            "PASS",
        ),
        pair(seeded["efs"]["plain"].as_str().unwrap().to_owned(), "FAIL"),
    ];
    expected_efs.sort();
    assert_eq!(efs, expected_efs);
    // RDS (signed Query API): the public, unencrypted instance without minor upgrades fails
    // CIS 3.2.1 to 3.2.3 (its subnets route to the default VPC's internet gateway), the
    // private encrypted one passes all three.
    for check in [
        "rds-storage-encrypted",
        "rds-auto-minor-version-upgrade",
        "rds-not-publicly-accessible",
    ] {
        let mut expected = vec![
            pair(seeded["rds"]["public"].as_str().unwrap().to_owned(), "FAIL"),
            pair(
                seeded["rds"]["private"].as_str().unwrap().to_owned(),
                "PASS",
            ),
        ];
        expected.sort();
        assert_eq!(statuses(check), expected, "{check}");
    }
    // CIS 2.3: the management account has a security contact, the members none.
    let contact = statuses("account-security-contact");
    assert!(
        contact.len() == 5
            && contact.iter().all(|(r, st)| {
                (st == "PASS") == (r == &format!("account/{mgmt}/security-contact"))
            }),
        "{contact:?}"
    );
    // CIS 2.2 evidence: moto has no GetContactInformation, a collection error in every
    // account, so the evidence is NOT_ASSESSED there, never PASS.
    let contact_details = statuses("account-contact-details");
    assert!(
        contact_details.len() == 5 && contact_details.iter().all(|(_, st)| st == "NOT_ASSESSED"),
        "{contact_details:?}"
    );
    assert_eq!(
        rows_where(&errors, "operation", "GetContactInformation").len(),
        5
    );
    // CIS 4.10 evidence (signed ELBv2 Query, CloudFront REST-XML, API Gateway REST-JSON
    // calls): the logging load balancer and REST stage pass; the silent load balancer, the
    // distribution without standard logging and the HTTP API stage without a destination fail.
    let web = &seeded["web"];
    let mut expected_web = vec![
        pair(web["logged_alb"].as_str().unwrap().to_owned(), "PASS"),
        pair(web["silent_alb"].as_str().unwrap().to_owned(), "FAIL"),
        pair(web["distribution"].as_str().unwrap().to_owned(), "FAIL"),
        pair(web["rest_stage"].as_str().unwrap().to_owned(), "PASS"),
        pair(web["http_stage"].as_str().unwrap().to_owned(), "FAIL"),
    ];
    expected_web.sort();
    assert_eq!(statuses("web-frontend-access-logging"), expected_web);
    // CIS section 5, organization-aware: the organization trail's log group has a root-use
    // filter, an alarm and a subscribed topic in the management account; every member, with
    // no alarm of its own, passes 5.3 through them, and the reason names that account. No
    // filter watches VPC changes: 5.14 fails everywhere.
    let root_use: Vec<&Value> = results
        .iter()
        .filter(|r| r["check_id"] == "monitoring-root-usage")
        .collect();
    assert_eq!(root_use.len(), 5, "{root_use:?}");
    for r in &root_use {
        assert_eq!(r["status"], "PASS", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .starts_with(&format!("alarm root-usage in account {mgmt} us-east-1")),
            "{r}"
        );
    }
    let vpc_changes = statuses("monitoring-vpc-changes");
    assert!(
        vpc_changes.len() == 5 && vpc_changes.iter().all(|(_, s)| s == "FAIL"),
        "{vpc_changes:?}"
    );
    // The management account's evidence for CIS v7.0 2.1.3: its trail bucket is governance,
    // its IAM users are for review.
    let workloads = statuses("org-management-account-workloads");
    assert!(
        workloads.contains(&pair("arn:aws:s3:::mgmt-logs".into(), "PASS")),
        "{workloads:?}"
    );
    assert!(
        workloads.contains(&pair(format!("arn:aws:iam::{mgmt}:user/alice"), "FAIL")),
        "{workloads:?}"
    );
    // moto cannot serve GetBucketVersioning: MFA delete is not assessed, never PASS.
    assert!(statuses("s3-mfa-delete")
        .iter()
        .all(|(_, s)| s == "NOT_ASSESSED"));
    assert_eq!(
        report["summary"]["by_control"]["cis-aws-5.0"]["1.9"]["pass"],
        1
    );
    let cis = govscan(
        &data,
        &moto.url,
        &["check", "--framework", "cis-aws-5.0", "--format", "json"],
    );
    assert_eq!(
        cis.status.code(),
        Some(0),
        "no --fail-on: exit 0 despite failures"
    );
    let cis: Value = serde_json::from_str(&stdout(&cis)).unwrap();
    let cis_results = cis["results"].as_array().unwrap();
    assert!(cis_results
        .iter()
        .all(|r| r["frameworks"]["cis-aws-5.0"].is_array()));
    assert!(!cis_results
        .iter()
        .any(|r| r["check_id"] == "s3-public-bucket"));

    // The machine formats carry the same results: a SARIF result per FAIL, a JUnit case per
    // result (NOT_ASSESSED skipped), a CSV row per result.
    let fails = results.iter().filter(|r| r["status"] == "FAIL").count();
    let sarif: Value = serde_json::from_str(&stdout(&govscan(
        &data,
        &moto.url,
        &["check", "--format", "sarif"],
    )))
    .unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), fails);
    let junit = stdout(&govscan(&data, &moto.url, &["check", "--format", "junit"]));
    // A check that evaluated no resource is one passing case of its own.
    assert_eq!(
        junit.matches("<testcase ").count() - junit.matches("name=\"no resources\"").count(),
        results.len()
    );
    assert_eq!(junit.matches("<failure ").count(), fails);
    assert_eq!(
        junit.matches("<skipped ").count(),
        results
            .iter()
            .filter(|r| r["status"] == "NOT_ASSESSED")
            .count()
    );
    let ocsf = stdout(&govscan(&data, &moto.url, &["check", "--format", "ocsf"]));
    let ocsf: Vec<Value> = ocsf
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(ocsf.len(), results.len());
    assert_eq!(
        ocsf.iter()
            .filter(|e| e["class_uid"] == 2003 && e["compliance"]["status_id"] == 3)
            .count(),
        fails
    );
    let csv = stdout(&govscan(&data, &moto.url, &["check", "--format", "csv"]));
    assert_eq!(csv.lines().count(), results.len() + 1);

    let cis7 = govscan(
        &data,
        &moto.url,
        &["check", "--framework", "cis-aws-7.0", "--format", "json"],
    );
    let cis7: Value = serde_json::from_str(&stdout(&cis7)).unwrap();
    // Every one of v7.0's 70 recommendations, each with its level, the benchmark's
    // assessment status and a verdict; the Organizations controls as this organization
    // makes them.
    let controls = cis7["framework"]["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 70);
    let verdict = |id: &str| {
        let c = controls.iter().find(|c| c["control"] == id).unwrap();
        (
            c["status"].as_str().unwrap().to_owned(),
            c["level"].as_u64().unwrap(),
            c["assessment"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        verdict("2.1.1"),
        ("NOT_ASSESSED".into(), 2, "Manual".into())
    );
    assert_eq!(verdict("2.1.2"), ("PASS".into(), 2, "Manual".into()));
    assert_eq!(verdict("2.1.4"), ("MANUAL".into(), 2, "Manual".into()));
    assert_eq!(verdict("2.1.6"), ("FAIL".into(), 2, "Manual".into()));
    // The bare instance has no instance profile.
    assert_eq!(verdict("2.16"), ("FAIL".into(), 2, "Automated".into()));
    assert_eq!(verdict("3.2.1"), ("FAIL".into(), 1, "Automated".into()));
    // Every automated recommendation is collected for.
    assert!(
        controls.iter().all(|c| c["status"] != "NOT_COLLECTED"),
        "{controls:?}"
    );
    // Section 5 is decided by the monitoring checks, manual in the benchmark or not: no
    // filter watches unauthorized calls (5.1 fails), the root-use alarm covers everyone.
    assert_eq!(verdict("5.1"), ("FAIL".into(), 2, "Manual".into()));
    assert_eq!(verdict("5.3"), ("PASS".into(), 1, "Manual".into()));
    // 2.21 stays a reviewer's: the evidence lists the public queue.
    assert_eq!(verdict("2.21"), ("MANUAL".into(), 1, "Manual".into()));
    let open = statuses("resource-policy-open-to-anyone");
    assert!(
        open.contains(&pair(
            seeded["exposure"]["queue"].as_str().unwrap().to_owned(),
            "FAIL"
        )) && open.contains(&pair(
            seeded["exposure"]["topic"].as_str().unwrap().to_owned(),
            "PASS"
        )),
        "{open:?}"
    );
    let level_one = govscan(
        &data,
        &moto.url,
        &[
            "check",
            "--framework",
            "cis-aws-7.0",
            "--level",
            "1",
            "--format",
            "json",
        ],
    );
    let level_one: Value = serde_json::from_str(&stdout(&level_one)).unwrap();
    let levels: Vec<u64> = level_one["framework"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["level"].as_u64().unwrap())
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == 1),
        "{levels:?}"
    );

    // The policy engine on the real snapshot: the engineers' identity policy allows
    // rewriting their own policy (a privilege escalation) in every member account; the
    // deny-policy-rewrite SCP on the Prod OU closes it in prod only, and explain names it.
    let explain = |account: &str, name: &str| {
        let o = govscan(
            &data,
            &moto.url,
            &[
                "policy",
                "explain",
                "--format",
                "json",
                "--principal",
                &format!("arn:aws:iam::{account}:user/{name}-engineer"),
                "--action",
                "iam:CreatePolicyVersion",
                "--resource",
                &format!("arn:aws:iam::{account}:policy/engineer-tools"),
            ],
        );
        let v: Value =
            serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| panic!("{}", stderr(&o)));
        (o.status.code(), v)
    };
    let (code, prod) = explain(&acct("prod"), "prod");
    assert_eq!(code, Some(1));
    assert_eq!(prod["decision"], "ExplicitlyDenied");
    assert_eq!(prod["blocked_by"], json!(["scp"]));
    let deny = prod["matched"][0].as_str().unwrap();
    let prefix = deny.split(".Statement").next().unwrap();
    let label = prod["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == prefix)
        .unwrap()[1]
        .as_str()
        .unwrap();
    assert!(label.starts_with("SCP deny-policy-rewrite"), "{label}");
    let (code, dev) = explain(&acct("dev"), "dev");
    assert_eq!((code, &dev["decision"]), (Some(0), &json!("Allowed")));
    // The management account: SCPs do not apply, none is listed.
    let root_user = govscan(
        &data,
        &moto.url,
        &[
            "policy",
            "explain",
            "--format",
            "json",
            "--principal",
            &format!("arn:aws:iam::{mgmt}:user/engineering/bob"),
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::private-data/report.csv",
        ],
    );
    let bob: Value = serde_json::from_str(&stdout(&root_user)).unwrap();
    // who-can agrees with explain on every user and role of the five accounts: reading the
    // private bucket, rewriting the engineers' own policy (the escalation the Prod SCP
    // closes), and assuming the vendor's audit role (its trust names an outside account).
    let answers = crate::policy::who_can_agrees_with_explain(
        &data,
        &[
            ("s3:GetObject", "arn:aws:s3:::private-data/report.csv"),
            (
                "iam:PutUserPolicy",
                &format!("arn:aws:iam::{}:user/prod-engineer", acct("prod")),
            ),
            (
                "sts:AssumeRole",
                &format!("arn:aws:iam::{mgmt}:role/vendor-audit"),
            ),
        ],
    );
    let principals = |answer: &[Value]| -> Vec<String> {
        answer
            .iter()
            .map(|g| g["principal"].as_str().unwrap().to_owned())
            .collect()
    };
    // bob's s3-read-custom policy reads the private bucket.
    assert!(
        principals(&answers[0]).contains(&format!("arn:aws:iam::{mgmt}:user/engineering/bob")),
        "{:?}",
        answers[0]
    );
    // The vendor's account may assume its audit role, under the external id the trust
    // policy asks for, if the vendor's own policies allow it.
    let vendor = answers[2]
        .iter()
        .find(|g| g["principal"] == "arn:aws:iam::999988887777:root")
        .unwrap_or_else(|| panic!("{:?}", answers[2]));
    assert_eq!(vendor["kind"], "account");
    assert_eq!(
        vendor["conditions"],
        json!(["StringEquals sts:ExternalId [\"vendor-7f3a\"]"])
    );
    // policy can: every pair it lists is allowed by explain; the Prod OU's
    // deny-policy-rewrite SCP takes iam:CreatePolicyVersion (Permissions management) from
    // the prod engineer and leaves it to the dev one.
    let levels = |principal: &str| -> Vec<(String, String)> {
        crate::policy::can_agrees_with_explain(&data, principal)
            .iter()
            .map(|g| {
                (
                    g["service"].as_str().unwrap().to_owned(),
                    g["access_level"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let management = ("iam".to_owned(), "Permissions management".to_owned());
    let dev_engineer = format!("arn:aws:iam::{}:user/dev-engineer", acct("dev"));
    let prod_engineer = format!("arn:aws:iam::{}:user/prod-engineer", acct("prod"));
    assert!(levels(&dev_engineer).contains(&management));
    assert!(!levels(&prod_engineer).contains(&management));
    assert!(levels(&prod_engineer).contains(&("iam".to_owned(), "Read".to_owned())));
    // What the snapshot cannot hold is said, not silently decided.
    let kms = govscan(
        &data,
        &moto.url,
        &[
            "policy",
            "explain",
            "--format",
            "json",
            "--principal",
            &format!("arn:aws:iam::{mgmt}:user/alice"),
            "--action",
            "kms:Decrypt",
            "--resource",
            &format!("arn:aws:kms:us-east-1:{mgmt}:key/1234"),
        ],
    );
    let kms: Value = serde_json::from_str(&stdout(&kms)).unwrap();
    assert_eq!(kms["blocked_by"], json!(["resource"]));
    assert!(
        kms["notes"][0]
            .as_str()
            .unwrap()
            .contains("is not a key of the snapshot"),
        "{kms}"
    );
    // A collected key: its key policy decides with the identity policies (the policy's
    // account statement delegates to them), and the explanation names it.
    let rotating = seeded["kms_keys"]["rotating"].as_str().unwrap();
    let vendor_decrypt = govscan(
        &data,
        &moto.url,
        &[
            "policy",
            "explain",
            "--format",
            "json",
            "--principal",
            &format!("arn:aws:iam::{mgmt}:user/alice"),
            "--action",
            "kms:Decrypt",
            "--resource",
            rotating,
        ],
    );
    let vendor_decrypt: Value = serde_json::from_str(&stdout(&vendor_decrypt)).unwrap();
    assert!(
        vendor_decrypt["policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "resource" && p[1].as_str().unwrap().starts_with("key policy of")),
        "{vendor_decrypt}"
    );
    assert_eq!(vendor_decrypt["notes"], json!([]), "{vendor_decrypt}");
    // resource_exposure: the public queue, the alarm topic restricted to its account's
    // sources, the key shared with the vendor's account.
    let exposure = govscan(
        &data,
        &moto.url,
        &[
            "query",
            "--format",
            "json",
            &format!("SELECT service, resource_arn, principal, exposure FROM resource_exposure WHERE account_id = '{mgmt}' AND service IN ('kms', 'sns', 'sqs') ORDER BY resource_arn"),
        ],
    );
    let exposure: Value = serde_json::from_str(&stdout(&exposure)).unwrap();
    let exposure_row = |service: &str, arn: &str, principal: &str, kind: &str| json!({"service": service, "resource_arn": arn, "principal": principal, "exposure": kind});
    let mut expected = vec![
        exposure_row(
            "kms",
            rotating,
            "arn:aws:iam::999988887777:root",
            "cross-account",
        ),
        exposure_row(
            "sns",
            seeded["exposure"]["topic"].as_str().unwrap(),
            "*",
            "restricted",
        ),
        exposure_row(
            "sqs",
            seeded["exposure"]["queue"].as_str().unwrap(),
            "*",
            "public",
        ),
    ];
    expected.sort_by_key(|v| v["resource_arn"].as_str().unwrap().to_owned());
    assert_eq!(exposure, Value::Array(expected));
    // Alias operations are authorized on the alias (alice, an administrator, may) and on
    // the key: the locked key's policy lets only the app role in, so CreateAlias on its
    // alias is denied by the key half; the rotating key's policy delegates to IAM, so it
    // is allowed, and the note says the key half was asked.
    let alias_op = |alias: &str| -> Value {
        let out = govscan(
            &data,
            &moto.url,
            &[
                "policy",
                "explain",
                "--format",
                "json",
                "--principal",
                &format!("arn:aws:iam::{mgmt}:user/alice"),
                "--action",
                "kms:CreateAlias",
                "--resource",
                &format!("arn:aws:kms:us-east-1:{mgmt}:{alias}"),
            ],
        );
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let locked = alias_op("alias/locked");
    assert_eq!(locked["decision"], "ImplicitlyDenied", "{locked}");
    assert_eq!(locked["blocked_by"], json!(["resource"]), "{locked}");
    let app_data = alias_op("alias/app-data");
    assert_eq!(app_data["decision"], "Allowed", "{app_data}");
    assert!(
        app_data["notes"][0].as_str().unwrap().contains(&format!(
            "also authorized on the key the alias names, {rotating}"
        )),
        "{app_data}"
    );
    // CIS 4.6: the rotating key passes, the static one fails.
    let rotation = statuses("kms-cmk-rotation");
    assert!(
        rotation.contains(&pair(rotating.to_owned(), "PASS"))
            && rotation.contains(&pair(
                seeded["kms_keys"]["static"].as_str().unwrap().to_owned(),
                "FAIL"
            )),
        "{rotation:?}"
    );
    assert_eq!(bob["decision"], "Allowed");
    assert!(bob["policies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p[0].as_str().unwrap().starts_with("scp")));

    // `snapshots` lists it; `tables --snapshot` shows its row counts.
    let listed = govscan(&data, &moto.url, &["snapshots", "--format", "json"]);
    let listed: Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(listed[0]["snapshot_id"], m["snapshot_id"]);
    assert_eq!(listed[0]["accounts"], 5);
    let tables = stdout(&govscan(
        &data,
        &moto.url,
        &["tables", "--snapshot", m["snapshot_id"].as_str().unwrap()],
    ));
    assert!(
        tables.contains(&format!("iam_users ({} rows)", users.len())),
        "{tables}"
    );
}

/// Faults injected between govscan and moto: an account whose role cannot be assumed,
/// throttling that clears after retries, throttling that never clears, and moto's own 500s.
/// The run goes on, exits 0, and records each failure where a check will see it.
#[test]
fn collect_records_denied_accounts_and_throttling_and_goes_on() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = seed(&moto.url, &["--page-users", "0"], work.path());
    let mgmt = seeded["management_account_id"].as_str().unwrap();
    let dev = seeded["accounts"]["dev"].as_str().unwrap();
    let prod = seeded["accounts"]["prod"].as_str().unwrap();
    let rules = json!([
        {"action": "AssumeRole", "body_contains": dev, "status": 403, "code": "AccessDenied",
         "message": format!("User is not authorized to perform: sts:AssumeRole on arn:aws:iam::{dev}:role/OrganizationAccountAccessRole")},
        // Twice, then moto answers: the SDK's retry must absorb it.
        {"action": "ListUsers", "status": 400, "code": "Throttling", "message": "Rate exceeded", "times": 2},
        // Always: after the attempts run out, the failure is recorded.
        {"action": "GetAccountSummary", "status": 400, "code": "Throttling", "message": "Rate exceeded"},
    ]);
    let proxy = start_fault_proxy(&moto.url, &rules, work.path());
    let data = work.path().join("data");
    let out = govscan(
        &data,
        &proxy.url,
        &[
            "collect",
            "--org",
            "--accounts",
            &format!("{mgmt},{dev},{prod}"),
            "--regions",
            "us-east-1",
            "--max-attempts",
            "3",
        ],
    );
    let snap = snapshot_path(&out);
    let err = stderr(&out);
    assert!(err.contains("1 account(s) not entered"), "{err}");

    let m = manifest(&snap);
    let accounts = m["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    let dev_entry = accounts.iter().find(|a| a["account_id"] == dev).unwrap();
    assert_eq!(dev_entry["status"], "failed");
    assert!(dev_entry["error"]
        .as_str()
        .unwrap()
        .starts_with("AccessDenied"));
    assert_eq!(
        accounts.iter().find(|a| a["account_id"] == prod).unwrap()["status"],
        "ok"
    );

    let errors = read_table(&snap, "collection_errors");
    let assume = row(&errors, "operation", "AssumeRole");
    assert_eq!(assume["account_id"], dev);
    assert_eq!(assume["error_code"], "AccessDenied");
    assert_eq!(
        assume["resource"],
        format!("arn:aws:iam::{dev}:role/OrganizationAccountAccessRole")
    );

    // Nothing of the denied account is in the data; its parts say "failed", so a check
    // reports it as not assessed rather than finding no users and passing.
    assert!(rows_where(&read_table(&snap, "iam_users"), "account_id", dev).is_empty());
    let parts = read_table(&snap, "collection_parts");
    let dev_parts = rows_where(&parts, "account_id", dev);
    // Every service but Organizations (read once, in the management account) is a part of
    // the denied account.
    let mut every_service: Vec<&str> = govscan::collect::all_collectors()
        .iter()
        .map(|c| c.service())
        .filter(|s| *s != "org")
        .collect();
    every_service.sort();
    assert_eq!(texts(&dev_parts, "service"), every_service);
    assert!(dev_parts.iter().all(|p| p["status"] == "failed"));

    // Throttled twice, then served: no error, and the users are there.
    assert!(
        rows_where(&errors, "operation", "ListUsers").is_empty(),
        "{errors:?}"
    );
    let stats = proxy_stats(&proxy);
    assert!(
        stats["ListUsers"].as_u64().unwrap() >= 2 + 2,
        "retries reached the endpoint: {stats:?}"
    );
    let users = read_table(&snap, "iam_users");
    let mgmt_users = rows_where(&users, "account_id", mgmt);
    assert_eq!(texts(&mgmt_users, "user_name"), ["alice", "bob", "carol"]);
    assert!(
        mgmt_users
            .iter()
            .all(|u| u["has_login_profile"].is_boolean()),
        "per-user reads completed"
    );

    // Throttled for good: one error per account entered, after exactly --max-attempts tries.
    let summary_errors = rows_where(&errors, "operation", "GetAccountSummary");
    assert_eq!(texts(&summary_errors, "account_id"), {
        let mut v = vec![mgmt.to_owned(), prod.to_owned()];
        v.sort();
        v
    });
    assert!(summary_errors
        .iter()
        .all(|e| e["error_code"] == "Throttling"));
    assert_eq!(stats["GetAccountSummary"], 2 * 3);
    let iam_part = parts
        .iter()
        .find(|p| p["service"] == "iam" && p["account_id"] == mgmt)
        .unwrap();
    assert_eq!(iam_part["status"], "partial");
    assert!(read_table(&snap, "iam_account_summary").is_empty());
}

#[test]
fn a_killed_collection_leaves_no_snapshot_that_looks_whole() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    // Every ListUsers waits, so the run is surely under way when it is killed.
    let rules = json!([{"action": "ListUsers", "delay": 30}]);
    let proxy = start_fault_proxy(&moto.url, &rules, work.path());
    let data = work.path().join("data");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_govscan"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "--endpoint-url",
            &proxy.url,
            "collect",
            "--regions",
            "us-east-1",
        ])
        .envs(aws_env())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while proxy_stats(&proxy).get("ListUsers").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "collection never reached ListUsers"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let listed = govscan(&data, &proxy.url, &["snapshots", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&listed)).unwrap(),
        json!([])
    );
}

#[test]
fn collect_with_nothing_reachable_exits_2_and_leaves_no_snapshot() {
    let work = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = work.path().join("data");
    let out = govscan(
        &data,
        &format!("http://127.0.0.1:{port}"),
        &["collect", "--regions", "us-east-1", "--max-attempts", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("error: cannot call AWS as anyone"), "{err}");
    assert!(
        err.contains("--endpoint-url"),
        "the message says what to check: {err}"
    );
    assert!(
        !data.join("snapshots").exists()
            || std::fs::read_dir(data.join("snapshots"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[test]
fn credentials_never_reach_the_snapshot_output_or_logs() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    seed(&moto.url, &["--page-users", "0"], work.path());
    let data = work.path().join("data");
    let out = govscan(
        &data,
        &moto.url,
        &[
            "-vv",
            "collect",
            "--org",
            "--regions",
            "us-east-1",
            "--max-attempts",
            "1",
            // The services that hold secrets or sign by hand: IAM keys, a secret's value
            // (never read), the signed EC2 and Account calls.
            "--services",
            "org,iam,s3,secretsmanager,ec2,account",
        ],
    );
    let snap = snapshot_path(&out);
    let mut haystacks = vec![
        ("stdout".to_owned(), out.stdout.clone()),
        ("stderr".to_owned(), out.stderr.clone()),
    ];
    // Every file of the snapshot: the manifest and each table's parts.
    let mut folders = vec![snap.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                haystacks.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    assert!(haystacks.len() > 20);
    for (name, bytes) in haystacks {
        for secret in [SECRET_KEY, SESSION_TOKEN] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} leaked into {name}");
        }
    }
}

#[test]
fn collect_all_regions_uses_the_regions_enabled_for_the_account() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let out = govscan(
        &data,
        &moto.url,
        &[
            "collect",
            "--services",
            "cloudtrail",
            "--regions",
            "all",
            "--max-attempts",
            "1",
        ],
    );
    let snap = snapshot_path(&out);
    let m = manifest(&snap);
    let regions: Vec<&str> = m["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        regions.contains(&"us-east-1") && regions.contains(&"eu-west-1"),
        "{regions:?}"
    );
    // moto reports ap-east-1 as not opted in: it must not be collected.
    assert!(!regions.contains(&"ap-east-1"), "{regions:?}");
    assert!(regions.len() > 10);
    assert_eq!(
        m["parts"].as_array().unwrap().len(),
        regions.len(),
        "one cloudtrail part per region"
    );
    assert_eq!(m["services"], json!(["cloudtrail"]));
    // Without --org, only the caller's account.
    assert_eq!(m["accounts"].as_array().unwrap().len(), 1);
}

#[test]
fn an_unknown_service_is_a_usage_error() {
    let work = tempfile::tempdir().unwrap();
    let out = govscan(
        work.path(),
        "http://127.0.0.1:9",
        &["collect", "--services", "iam,ec3"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown service \"ec3\""),
        "{}",
        stderr(&out)
    );
}

/// Sharded collection: two runs with their own --accounts write shards of one snapshot,
/// which nothing reads until `snapshots finalize` merges them; the merged snapshot holds the
/// same rows and gives the same check results as one run over every account.
#[test]
fn shards_finalize_into_the_snapshot_one_run_would_write() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = seed(&moto.url, &[], work.path());
    let mgmt = seeded["management_account_id"].as_str().unwrap().to_owned();
    let acct = |name: &str| seeded["accounts"][name].as_str().unwrap().to_owned();
    let data = work.path().join("data");
    let collect = |extra: &[&str]| common::collect_org(&data, &moto.url, extra);
    let whole = snapshot_path(&collect(&[]));

    let first = format!("{mgmt},{}", acct("security"));
    let rest = format!("{},{},{}", acct("prod"), acct("dev"), acct("sandbox"));
    for accounts in [&first, &rest] {
        let o = collect(&["--accounts", accounts, "--snapshot-id", "weekly-1"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let listed = govscan(&data, &moto.url, &["snapshots"]);
    assert!(
        stderr(&listed).contains("pending: snapshot weekly-1 has 2 shard(s)"),
        "{}",
        stderr(&listed)
    );
    // Not finalized: not read, and the error says what to do.
    let early = govscan(&data, &moto.url, &["check", "--snapshot", "weekly-1"]);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        stderr(&early).contains("not finalized (2 shard(s) collected)"),
        "{}",
        stderr(&early)
    );
    // Unless told otherwise: --unfinalized checks the shards in as they are, and leaves them.
    let unfinalized = govscan(
        &data,
        &moto.url,
        &[
            "check",
            "--snapshot",
            "weekly-1",
            "--unfinalized",
            "--format",
            "json",
        ],
    );
    assert!(
        unfinalized.status.code().is_some_and(|c| c < 2),
        "{}",
        stderr(&unfinalized)
    );
    assert!(
        stderr(&unfinalized)
            .contains("snapshot weekly-1 is not finalized: checking the 5 account(s)"),
        "{}",
        stderr(&unfinalized)
    );
    let done = govscan(&data, &moto.url, &["snapshots", "finalize", "weekly-1"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let merged = snapshot_path(&done);

    let (a, b) = (manifest(&whole), manifest(&merged));
    assert_eq!(b["snapshot_id"], "weekly-1");
    let accounts = |m: &Value| {
        let mut v: Vec<String> = m["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["account_id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(accounts(&a), accounts(&b));
    assert_eq!(
        a["parts"].as_array().unwrap().len(),
        b["parts"].as_array().unwrap().len()
    );
    for (table, entry) in a["tables"].as_object().unwrap() {
        assert_eq!(entry["rows"], b["tables"][table]["rows"], "{table}");
        assert_eq!(
            read_table(&whole, table).len(),
            read_table(&merged, table).len(),
            "{table}"
        );
    }
    let results = |snapshot: &str| {
        let o = govscan(
            &data,
            &moto.url,
            &["check", "--snapshot", snapshot, "--format", "json"],
        );
        common::sorted_check_rows(&serde_json::from_str(&stdout(&o)).unwrap())
    };
    let (one_run, sharded) = (results(whole.to_str().unwrap()), results("weekly-1"));
    assert!(one_run.len() > 300);
    assert_eq!(one_run, sharded);
    let early_rows =
        common::sorted_check_rows(&serde_json::from_str(&stdout(&unfinalized)).unwrap());
    assert_eq!(
        early_rows, sharded,
        "--unfinalized over every shard = finalized"
    );

    // Two shards that collected the same account cannot be merged; a finalized id is taken.
    for _ in 0..2 {
        let o = collect(&["--accounts", &acct("dev"), "--snapshot-id", "overlap"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let refused = govscan(&data, &moto.url, &["snapshots", "finalize", "overlap"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("collected by two shards"),
        "{}",
        stderr(&refused)
    );
    let taken = collect(&["--snapshot-id", "weekly-1"]);
    assert_eq!(taken.status.code(), Some(2));
    let bad = collect(&["--snapshot-id", "../escape"]);
    assert_eq!(bad.status.code(), Some(2));
}
