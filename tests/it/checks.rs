//! Every built-in check against its fixture: tests/fixtures/checks/<check id>.yaml holds the
//! snapshot rows and the exact (resource, status) set the check must return, with at least
//! one resource that passes and one that fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use govscan::checks::run::{register_snapshot_info, run_all, CheckResult};
use govscan::checks::{builtin_checks, Check};
use govscan::store::DataDir;
use serde::Deserialize;

use crate::common::write_snapshot;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// The collection time checks compare ages with.
    #[serde(default = "default_time")]
    collected_at: chrono::DateTime<chrono::Utc>,
    tables: BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>>,
    expect: Vec<Expected>,
}

fn default_time() -> chrono::DateTime<chrono::Utc> {
    "2025-06-01T00:00:00Z".parse().unwrap()
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Expected {
    resource_id: String,
    status: String,
}

fn fixture_path(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/checks")
        .join(format!("{id}.yaml"))
}

/// Runs `checks` over a snapshot of the fixture's rows, collected at its time.
async fn run_fixture(fixture: &Fixture, checks: &[Check], concurrency: usize) -> Vec<CheckResult> {
    let data = tempfile::tempdir().unwrap();
    let snap = write_snapshot(
        data.path(),
        "20250601T000000Z-0000",
        &fixture.tables,
        fixture.collected_at,
    );
    let engine = govscan::engine::Sessions::local()
        .open(
            &DataDir::Local(data.path().to_path_buf()),
            Some(snap.to_str().unwrap()),
        )
        .await
        .unwrap();
    register_snapshot_info(&engine.ctx, "fixture", fixture.collected_at).unwrap();
    run_all(&engine.ctx, checks, concurrency)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn every_check_fails_and_passes_its_fixture_exactly() {
    let checks = builtin_checks().unwrap();
    let mut failures = Vec::new();
    for check in &checks {
        let path = fixture_path(&check.meta.id);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("check {} has no fixture {}", check.meta.id, path.display())
        });
        let fixture: Fixture =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut expected = fixture.expect.clone();
        expected.sort();
        assert!(
            expected.iter().any(|e| e.status == "PASS"),
            "{}: the fixture needs a passing resource",
            path.display()
        );
        assert!(
            expected.iter().any(|e| e.status == "FAIL"),
            "{}: the fixture needs a failing resource",
            path.display()
        );

        let results = run_fixture(&fixture, std::slice::from_ref(check), 1).await;
        let mut got: Vec<Expected> = results
            .iter()
            .map(|r| Expected {
                resource_id: r.resource_id.clone(),
                status: r.status.as_str().to_owned(),
            })
            .collect();
        got.sort();
        if got != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {got:?}\n  reasons  {:?}",
                check.meta.id,
                results.iter().map(|r| &r.reason).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What could not be read is NOT_ASSESSED, never PASS: a failed part covers its account;
/// a failed call naming a resource covers that resource; one naming none covers the account.
#[tokio::test]
async fn results_that_could_not_be_read_are_not_assessed() {
    let fixture: Fixture = serde_norway::from_str(
        r#"
tables:
  iam_users:
    - {account_id: "111111111111", user_name: alice, arn: "arn:aws:iam::111111111111:user/alice", has_login_profile: true}
    - {account_id: "111111111111", user_name: bob, arn: "arn:aws:iam::111111111111:user/team/bob", has_login_profile: true}
    - {account_id: "222222222222", user_name: carol, arn: "arn:aws:iam::222222222222:user/carol", has_login_profile: true}
  iam_mfa_devices:
    - {account_id: "111111111111", serial_number: "arn:aws:iam::111111111111:mfa/alice", device_type: virtual, user_name: alice, assigned: true}
  iam_password_policy:
    - {account_id: "111111111111", policy_exists: true, minimum_password_length: 20}
  collection_parts:
    - {account_id: "111111111111", service: iam, status: partial, rows: 10, errors: 1, api_calls: 10}
    - {account_id: "222222222222", service: iam, status: ok, rows: 3, errors: 1, api_calls: 5}
    - {account_id: "333333333333", service: iam, status: failed, rows: 0, errors: 1, api_calls: 0}
  collection_errors:
    - {account_id: "111111111111", service: iam, operation: GetLoginProfile, resource: bob, error_code: Throttling, error_message: Rate exceeded}
    - {account_id: "222222222222", service: iam, operation: ListMFADevices, resource: carol, error_code: AccessDenied, error_message: denied}
    - {account_id: "333333333333", service: sts, operation: AssumeRole, error_code: AccessDenied, error_message: not authorized}
expect: []
"#,
    )
    .unwrap();
    let checks: Vec<_> = builtin_checks()
        .unwrap()
        .into_iter()
        .filter(|c| c.meta.id == "iam-console-user-mfa" || c.meta.id == "iam-password-min-length")
        .collect();
    let results = run_fixture(&fixture, &checks, 2).await;
    let mut got: Vec<(String, String, String)> = results
        .iter()
        .map(|r| {
            (
                r.check_id.clone(),
                r.resource_id.clone(),
                r.status.as_str().to_owned(),
            )
        })
        .collect();
    got.sort();
    let want = |c: &str, r: &str, s: &str| (c.to_owned(), r.to_owned(), s.to_owned());
    let mut expected = vec![
        want(
            "iam-console-user-mfa",
            "arn:aws:iam::111111111111:user/alice",
            "PASS",
        ),
        want(
            "iam-console-user-mfa",
            "arn:aws:iam::111111111111:user/team/bob",
            "NOT_ASSESSED",
        ),
        want(
            "iam-console-user-mfa",
            "arn:aws:iam::222222222222:user/carol",
            "NOT_ASSESSED",
        ),
        want(
            "iam-console-user-mfa",
            "account/333333333333",
            "NOT_ASSESSED",
        ),
        want("iam-password-min-length", "account/111111111111", "PASS"),
        want(
            "iam-password-min-length",
            "account/333333333333",
            "NOT_ASSESSED",
        ),
    ];
    expected.sort();
    assert_eq!(got, expected);
    let denied = results
        .iter()
        .find(|r| r.resource_id == "account/333333333333")
        .unwrap();
    assert!(
        denied.reason.contains("AssumeRole") && denied.reason.contains("AccessDenied"),
        "{}",
        denied.reason
    );
}

/// A mutelist turns matching FAILs into MUTED (with the rule's reason) that no longer fail
/// the run; an expired rule mutes nothing and is reported.
#[test]
fn a_mutelist_mutes_matching_fails_until_it_expires() {
    let fixture: Fixture = serde_norway::from_str(
        &std::fs::read_to_string(fixture_path("org-scp-region-restriction")).unwrap(),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    write_snapshot(
        data.path(),
        "20250601T000000Z-0000",
        &fixture.tables,
        fixture.collected_at,
    );
    let mutes = data.path().join("mutes.yaml");
    let run = |mutelist: &str| {
        std::fs::write(&mutes, mutelist).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_govscan"))
            .arg("--data-dir")
            .arg(data.path())
            .args([
                "check",
                "--only",
                "org-scp-region-restriction",
                "--format",
                "json",
            ])
            .args(["--fail-on", "medium", "--mutelist"])
            .arg(&mutes)
            .env_remove("GOVSCAN_DATA_DIR")
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let statuses: BTreeMap<String, String> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["account_id"].as_str().unwrap().to_owned(),
                    r["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        (
            out.status.code(),
            statuses,
            report,
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // Both failing accounts muted: the run passes.
    let (code, statuses, report, _) = run(
        "rules:\n  - id: org-scp-region-restriction\n    resource: 'arn:aws:organizations::*/444444444444'\n    reason: sandbox, regions free by design\n  - id: org-*\n    account: '555555555555'\n    reason: being closed\n",
    );
    assert_eq!(code, Some(0));
    assert_eq!(statuses["444444444444"], "MUTED");
    assert_eq!(statuses["555555555555"], "MUTED");
    assert_eq!(statuses["222222222222"], "PASS");
    let muted = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account_id"] == "444444444444")
        .unwrap();
    assert!(muted["reason"]
        .as_str()
        .unwrap()
        .starts_with("muted (sandbox, regions free by design): "));
    // One rule expired: that account fails again, the run fails, and the rule is reported.
    let (code, statuses, report, stderr) = run(
        "rules:\n  - {id: org-scp-region-restriction, account: '444444444444', reason: sandbox}\n  - {id: org-scp-region-restriction, account: '555555555555', reason: closing, expires: 2020-01-01}\n",
    );
    assert_eq!(code, Some(1));
    assert_eq!(statuses["555555555555"], "FAIL");
    assert_eq!(report["expired_mutes"][0]["account"], "555555555555");
    assert!(stderr.contains("expired on 2020-01-01"), "{stderr}");
}

/// `govscan diff` between two snapshots: rows added, removed and changed by key, and the
/// check results that newly fail or were fixed.
#[test]
fn diff_shows_changed_rows_and_newly_failing_checks() {
    let data = tempfile::tempdir().unwrap();
    let tables = |mfa: i64, block: bool, users: &[&str]| {
        let yaml = format!(
            "iam_account_summary:\n  - {{account_id: '111111111111', name: AccountMFAEnabled, value: {mfa}}}\n\
             iam_password_policy:\n  - {{account_id: '111111111111', policy_exists: true, minimum_password_length: {}}}\n\
             s3_buckets:\n  - {{account_id: '111111111111', region: us-east-1, bucket_name: logs, arn: 'arn:aws:s3:::logs', block_public_acls: {block}}}\n\
             iam_users:\n{}",
            if mfa == 1 { 8 } else { 14 },
            users
                .iter()
                .map(|u| format!("  - {{account_id: '111111111111', user_name: {u}, arn: 'arn:aws:iam::111111111111:user/{u}'}}\n"))
                .collect::<String>()
        );
        serde_norway::from_str::<BTreeMap<String, Vec<serde_json::Map<String, serde_json::Value>>>>(
            &yaml,
        )
        .unwrap()
    };
    let at = default_time();
    write_snapshot(
        data.path(),
        "20250601T000000Z-aaaa",
        &tables(1, true, &["alice"]),
        at,
    );
    write_snapshot(
        data.path(),
        "20250602T000000Z-bbbb",
        &tables(0, false, &["bob"]),
        at,
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_govscan"))
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "diff",
            "20250601T000000Z-aaaa",
            "20250602T000000Z-bbbb",
            "--format",
            "json",
        ])
        .env_remove("GOVSCAN_DATA_DIR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &diff["tables"];
    assert_eq!(
        t["iam_users"]["added"],
        serde_json::json!(["arn:aws:iam::111111111111:user/bob"])
    );
    assert_eq!(
        t["iam_users"]["removed"],
        serde_json::json!(["arn:aws:iam::111111111111:user/alice"])
    );
    assert_eq!(
        t["s3_buckets"]["changed"]["arn:aws:s3:::logs us-east-1"]["block_public_acls"],
        serde_json::json!([true, false])
    );
    assert_eq!(
        t["iam_account_summary"]["changed"]["111111111111 AccountMFAEnabled"]["value"],
        serde_json::json!([1, 0])
    );
    let ids = |list: &str| -> Vec<String> {
        diff["checks"][list]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    c["check_id"].as_str().unwrap(),
                    c["resource_id"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert!(
        ids("newly_failing").contains(&"iam-root-mfa arn:aws:iam::111111111111:root".to_owned()),
        "{diff}"
    );
    assert_eq!(
        ids("fixed"),
        ["iam-password-min-length account/111111111111"]
    );
}

/// A check's `requires` names the calls whose failure makes it NOT_ASSESSED; a name no
/// collector records (a typo, an operation renamed) would never match, and the check would
/// PASS on data that was never read. Every entry must name a call of the collectors'
/// permission list: `Operation` some service's, `service:Operation` that service's.
#[test]
fn every_required_call_is_one_a_collector_makes() {
    use govscan::collect::permissions::PERMISSIONS;
    let mut unknown = Vec::new();
    for check in builtin_checks().unwrap() {
        for required in &check.meta.requires {
            // Matched the way a run matches failed calls.
            let known = PERMISSIONS
                .iter()
                .any(|p| govscan::checks::requirement_names_call(required, p.service, p.operation));
            if !known {
                unknown.push(format!("{}: {required}", check.meta.id));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "requires names no collector call: {unknown:#?}"
    );
    // The test reads something: the checks do require calls.
    assert!(builtin_checks().unwrap().iter().any(|c| c
        .meta
        .requires
        .iter()
        .any(|r| r == "org:ListPolicies")));
}
