//! `govscan audit` against moto: an organization with members whose organization trail
//! writes to a bucket seeded with the real CloudTrail files of demo/logs, audited three
//! times with changes in between; the lock between two audits; an audit killed mid-way.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::*;

/// The demo's real CloudTrail files of 2023-07-10 (an attack simulation), in time order.
pub(crate) fn trail_files() -> Vec<PathBuf> {
    let day = manifest_dir().join("demo/logs/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10");
    let mut files: Vec<PathBuf> = std::fs::read_dir(day)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Puts `files` where the organization trail of the seed delivers: the management
/// account's logs under the organization's level of `mgmt-logs/AWSLogs/`.
pub(crate) fn deliver(moto: &Server, seeded: &Value, files: &[PathBuf], work: &Path) {
    let staged = tempfile::tempdir_in(work).unwrap();
    for f in files {
        std::fs::copy(f, staged.path().join(f.file_name().unwrap())).unwrap();
    }
    let target = format!(
        "s3://mgmt-logs/AWSLogs/{}/{}/CloudTrail/us-east-1/2023/07/10",
        seeded["organization_id"].as_str().unwrap(),
        seeded["management_account_id"].as_str().unwrap()
    );
    s3_tree(
        &moto.url,
        &["upload", staged.path().to_str().unwrap(), &target],
    );
}

fn change(moto: &Server, args: &[&str]) {
    let status = Command::new(python())
        .arg(manifest_dir().join("tests/moto/change_org.py"))
        .arg(&moto.url)
        .args(args)
        .envs(aws_env())
        .status()
        .unwrap();
    assert!(status.success(), "change_org.py {args:?}");
}

/// The audit configuration of these tests: the organization in one region, the services
/// the changes touch (and CloudTrail, whose trails name the bucket to ingest), every day of
/// the 2023 logs in the first hunt window, two audits kept.
const CONFIG: &str = "collect:
  org: true
  regions: [us-east-1]
  services: [org, iam, s3, cloudtrail]
  max_attempts: 2
hunt:
  first_window_days: 36500
fail_on:
  severity: high
  scope: new
retention:
  keep_last: 2
";

fn audit(data: &Path, moto: &Server, config: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    govscan(data, &moto.url, &args)
}

fn summary(data: &Path, id: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(data.join("audits").join(id).join("summary.json")).unwrap(),
    )
    .unwrap()
}

pub(crate) fn audit_id(out: &std::process::Output) -> String {
    stdout(out).split('\t').next().unwrap().trim().to_owned()
}

fn names(list: &Value, field: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["check_id"].as_str().unwrap(),
                c[field].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn three_audits_name_what_changed_ingest_incrementally_and_keep_two() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = seed(&moto.url, &[], work.path());
    let mgmt = seeded["management_account_id"].as_str().unwrap().to_owned();
    let data = work.path().join("data");
    let config = work.path().join("govscan.yaml");
    std::fs::write(&config, CONFIG).unwrap();
    let files = trail_files();
    assert!(files.len() > 40, "{}", files.len());

    // 1: the baseline; the first 20 files of the day. Everything failing is new: high FAILs
    // (root MFA among them), exit 1.
    deliver(&moto, &seeded, &files[..20], work.path());
    let first = audit(&data, &moto, &config, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let first_id = audit_id(&first);
    let s1 = summary(&data, &first_id);
    assert!(s1["previous_audit"].is_null());
    let ingest = |s: &Value| {
        s["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "ingest")
            .unwrap()["counts"]
            .clone()
    };
    assert_eq!(ingest(&s1)["files_read"], 20);
    let first_events = ingest(&s1)["events_ingested"].as_u64().unwrap();
    assert!(first_events > 0);
    assert_eq!(s1["trail_sources"][0]["source"], "s3://mgmt-logs/AWSLogs/");
    for f in [
        "report.html",
        "report.md",
        "checks.sarif",
        "findings.sarif",
        "checks.json",
        "state.json",
    ] {
        assert!(data.join("audits").join(&first_id).join(f).is_file(), "{f}");
    }

    // 2: alice's MFA device is deactivated, a public bucket appears, ten more files arrive.
    change(
        &moto,
        &[
            "deactivate-mfa",
            "alice",
            seeded["alice_mfa_serial"].as_str().unwrap(),
        ],
    );
    change(&moto, &["public-bucket", "new-public-site"]);
    deliver(&moto, &seeded, &files[20..30], work.path());
    let second = audit(&data, &moto, &config, &[]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let second_id = audit_id(&second);
    let s2 = summary(&data, &second_id);
    assert_eq!(s2["previous_audit"], first_id.as_str());
    // Exactly what changed, and nothing else, is newly failing.
    let bucket = "arn:aws:s3:::new-public-site";
    let mut expected: Vec<String> = [
        format!("iam-console-user-mfa arn:aws:iam::{mgmt}:user/alice"),
        format!("s3-bucket-open-to-anyone {bucket}"),
        format!("s3-block-public-access {bucket}"),
        format!("s3-deny-http {bucket}"),
        format!("org-management-account-workloads {bucket}"),
    ]
    .to_vec();
    expected.sort();
    assert_eq!(
        names(&s2["changes"]["newly_failing"], "resource_id"),
        expected
    );
    assert!(s2["changes"]["fixed"].as_array().unwrap().is_empty());
    // Counted for the exit code: the new high and critical ones.
    let counted: Vec<&str> = s2["fail_on"]["counted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        counted
            .iter()
            .any(|c| c.contains("s3-bucket-open-to-anyone")),
        "{counted:?}"
    );
    assert!(
        !counted.iter().any(|c| c.contains("s3-deny-http")),
        "medium is below high: {counted:?}"
    );
    // Inventory drift: one bucket added, alice's MFA device changed.
    let drift = s2["changes"]["drift"].as_array().unwrap();
    let table = |name: &str| {
        drift
            .iter()
            .find(|d| d["table"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(table("s3_buckets")["added"], 1, "{drift:?}");
    assert!(table("s3_buckets")["added_keys"][0]
        .as_str()
        .unwrap()
        .contains("new-public-site"));
    assert_eq!(table("iam_mfa_devices")["changed"], 1, "{drift:?}");
    // Only the ten new files were read, and none of their events was in the lake.
    assert_eq!(ingest(&s2)["files_read"], 10);
    assert_eq!(ingest(&s2)["files_unchanged"], 20);
    assert_eq!(ingest(&s2)["duplicates_skipped"], 0);
    let md =
        std::fs::read_to_string(data.join("audits").join(&second_id).join("report.md")).unwrap();
    let changes_at = md.find("## Changes since audit").expect("changes section");
    assert!(
        changes_at < md.find("## Summary").unwrap(),
        "changes come first"
    );
    assert!(md.contains("new-public-site"));

    // 3: the rest of the day's files, the attack; nothing else changes. Nothing newly fails;
    // the new findings are of the new events only; under fail_on critical, exit 0.
    deliver(&moto, &seeded, &files[30..], work.path());
    let third = audit(&data, &moto, &config, &["--fail-on", "critical"]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    let third_id = audit_id(&third);
    let s3 = summary(&data, &third_id);
    assert!(s3["changes"]["newly_failing"]
        .as_array()
        .unwrap()
        .is_empty());
    let still = s3["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "diff")
        .unwrap()["counts"]["still_failing"]
        .as_u64()
        .unwrap();
    assert!(still > 0);
    let new_findings: Vec<&str> = s3["changes"]["new_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["query_id"].as_str().unwrap())
        .collect();
    for expected in [
        "user-created-then-made-admin",
        "login-profile-then-console-login",
    ] {
        assert!(
            new_findings.contains(&expected),
            "{expected} in {new_findings:?}"
        );
    }
    assert_eq!(ingest(&s3)["files_read"], (files.len() - 30) as u64);
    assert_eq!(ingest(&s3)["duplicates_skipped"], 0);
    // Retention keeps two: the first audit and its snapshot are gone, the others stay.
    let mut audits: Vec<String> = std::fs::read_dir(data.join("audits"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    audits.sort();
    assert_eq!(audits, [second_id.clone(), third_id.clone()]);
    assert!(!data.join("snapshots").join(&first_id).exists());
    assert!(data.join("snapshots").join(&second_id).exists());

    // 4: nothing new anywhere. New-only counts nothing; counting everything, the critical
    // public bucket still fails: exit 1. No event is ingested twice.
    let fourth = audit(
        &data,
        &moto,
        &config,
        &["--fail-on", "critical", "--fail-on-scope", "any"],
    );
    assert_eq!(fourth.status.code(), Some(1), "{}", stderr(&fourth));
    let s4 = summary(&data, &audit_id(&fourth));
    assert_eq!(ingest(&s4)["files_read"], 0);
    assert_eq!(ingest(&s4)["events_ingested"], 0);
    assert!(s4["changes"]["newly_failing"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(
        s4["changes"]["new_findings"].as_array().unwrap().is_empty(),
        "{}",
        s4["changes"]["new_findings"]
    );
    let total: u64 = [&s1, &s2, &s3]
        .iter()
        .map(|s| ingest(s)["events_ingested"].as_u64().unwrap())
        .sum();
    let lake = govscan_local(
        &data,
        &[
            "query",
            "--format",
            "json",
            "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM cloudtrail_events",
        ],
    );
    let answer = json(&lake);
    let row = &answer
        .as_array()
        .map(|a| a[0].clone())
        .unwrap_or_else(|| answer["rows"][0].clone());
    assert_eq!(row["n"], total, "{answer}");
    assert_eq!(row["d"], total, "no event twice: {answer}");
}

#[test]
fn two_audits_at_once_one_runs_the_other_exits_2_and_a_killed_one_leaves_the_last_intact() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = seed(&moto.url, &[], work.path());
    let data = work.path().join("data");
    let config = work.path().join("govscan.yaml");
    std::fs::write(&config, CONFIG).unwrap();
    deliver(&moto, &seeded, &trail_files()[..10], work.path());
    let args = ["audit", "--config", config.to_str().unwrap()];

    // Two started together: one holds the lock, the other says so and exits 2.
    let spawn = || {
        govscan_command(&data, &moto.url, &args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let refused: Vec<&std::process::Output> = outputs
        .iter()
        .filter(|o| o.status.code() == Some(2))
        .collect();
    assert_eq!(
        refused.len(),
        1,
        "{:?}",
        outputs.iter().map(stderr).collect::<Vec<_>>()
    );
    assert!(
        stderr(refused[0]).contains("another audit holds the lock"),
        "{}",
        stderr(refused[0])
    );
    let ran = outputs.iter().find(|o| o.status.code() != Some(2)).unwrap();
    assert_eq!(ran.status.code(), Some(1), "{}", stderr(ran));
    let good = audit_id(ran);
    assert!(!data.join("audits/lock.json").exists(), "released");

    // kill -9 mid-way, once the lock is held and the new snapshot is published: the last
    // audit stays whole and listed, and the next run takes the dead holder's lock over.
    let summary_before =
        std::fs::read(data.join("audits").join(&good).join("summary.json")).unwrap();
    let snapshots = |d: &Path| {
        std::fs::read_dir(d.join("snapshots"))
            .map(|r| r.count())
            .unwrap_or(0)
    };
    let before = snapshots(&data);
    let mut victim = spawn();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while snapshots(&data) == before {
        assert!(
            std::time::Instant::now() < deadline,
            "the audit never published its snapshot"
        );
        assert!(
            victim.try_wait().unwrap().is_none(),
            "the audit ended before it was killed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    victim.kill().unwrap();
    victim.wait().unwrap();
    assert!(
        data.join("audits/lock.json").exists(),
        "the dead holder's lock is left behind"
    );
    let audits: Vec<String> = std::fs::read_dir(data.join("audits"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert_eq!(audits, [good.as_str()], "no half-written audit is listed");
    assert_eq!(
        std::fs::read(data.join("audits").join(&good).join("summary.json")).unwrap(),
        summary_before
    );

    let next = govscan(&data, &moto.url, &args);
    assert!(next.status.code() != Some(2), "{}", stderr(&next));
    assert!(
        stderr(&next).contains("took over a stale audit lock"),
        "{}",
        stderr(&next)
    );
    let s = summary(&data, &audit_id(&next));
    assert_eq!(s["previous_audit"], good.as_str());
    assert!(!s["lock_taken_over"].is_null());
}

/// On an S3 data directory the lock is a conditional PUT: a fresh lock of another machine
/// refuses the audit (exit 2), a stale one is taken over.
#[test]
fn the_lock_on_an_s3_data_directory_refuses_and_takes_over() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let lock = |renewed: &str| {
        let dir = work.path().join(format!("lock-{renewed}"));
        std::fs::create_dir_all(dir.join("audits")).unwrap();
        std::fs::write(
            dir.join("audits/lock.json"),
            format!(r#"{{"token":"t","host":"another-machine","pid":1,"started_at":"{renewed}","renewed_at":"{renewed}"}}"#),
        )
        .unwrap();
        s3_tree(
            &moto.url,
            &["upload", dir.to_str().unwrap(), "s3://audit-data/gs"],
        );
    };
    let run = || {
        govscan_command(
            Path::new("s3://audit-data/gs"),
            &moto.url,
            &[
                "audit",
                "--services",
                "iam",
                "--regions",
                "us-east-1",
                "--no-ingest",
                "--no-hunt",
                "--fail-on-scope",
                "new",
            ],
        )
        .output()
        .unwrap()
    };
    lock("2999-01-01T00:00:00Z");
    let refused = run();
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("another audit holds the lock s3://audit-data/gs/audits/lock.json: process 1 on another-machine"), "{}", stderr(&refused));

    lock("2001-01-01T00:00:00Z");
    let ran = run();
    assert_ne!(ran.status.code(), Some(2), "{}", stderr(&ran));
    assert!(
        stderr(&ran).contains("took over a stale audit lock: process 1 on another-machine"),
        "{}",
        stderr(&ran)
    );
    let keys = s3_tree(&moto.url, &["list", "s3://audit-data/gs/audits"]);
    assert!(keys.lines().any(|k| k.ends_with("/summary.json")), "{keys}");
    assert!(!keys.contains("lock.json"), "released: {keys}");
}
