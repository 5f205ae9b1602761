//! Faults from AWS in storms (tests/moto/fault_proxy.py between govscan and moto):
//! throttling on half the calls, a burst of 5xx, dropped connections, answers cut short,
//! bodies that are not XML or JSON, slow answers; and credentials that expire mid-run.
//! Collection finishes, every part that lost a call says so with the cause, nothing is
//! PASS or FAIL that a clean collection of the same organization does not say, and the
//! calls stay within the attempt budget.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::common::{
    govscan, manifest, proxy_stats, read_table, seed, snapshot_path, sorted_check_rows,
    start_fault_proxy, start_moto, stderr,
};

const ATTEMPTS: u64 = 3;

/// The calls a run needs before any part starts: who is calling and which accounts there
/// are. When they fail after every attempt the run stops with a clear error (tested in
/// collect_moto); the storm spares them so that the parts meet it.
const SETUP: [&str; 3] = ["GetCallerIdentity", "DescribeOrganization", "ListAccounts"];

/// A fault proxy with `rules`, its files in a folder of its own under `work`.
fn proxy(upstream: &str, rules: &Value, work: &Path, name: &str) -> crate::common::Server {
    let dir = work.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    start_fault_proxy(upstream, rules, &dir)
}

fn requests(stats: &serde_json::Map<String, Value>) -> u64 {
    stats
        .iter()
        .filter(|(k, _)| !k.starts_with("__"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

/// Collects the organization through `endpoint` into `data`; the snapshot's folder.
fn collect(data: &Path, endpoint: &str) -> std::path::PathBuf {
    let out = govscan(
        data,
        endpoint,
        &[
            "collect",
            "--org",
            "--regions",
            "us-east-1",
            "--services",
            "org,iam,s3,kms",
            "--max-attempts",
            &ATTEMPTS.to_string(),
        ],
    );
    snapshot_path(&out)
}

/// (check, resource) → PASS or FAIL, of the snapshot at `data` (its latest).
fn verdicts(data: &Path, endpoint: &str) -> BTreeMap<(String, String), String> {
    let out = govscan(data, endpoint, &["check", "--format", "json"]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "check: {}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    sorted_check_rows(&report)
        .into_iter()
        .filter(|(_, _, status)| status == "PASS" || status == "FAIL")
        .map(|(check, resource, status)| ((check, resource), status))
        .collect()
}

/// What a storm's snapshot says against the clean one: every part that recorded an error
/// is partial or failed, every error has a cause, and each PASS or FAIL is the clean run's.
fn assert_honest(
    snapshot: &Path,
    data: &Path,
    endpoint: &str,
    clean: &BTreeMap<(String, String), String>,
) -> (usize, usize) {
    let m = manifest(snapshot);
    for part in m["parts"].as_array().unwrap() {
        if part["errors"].as_u64().unwrap() > 0 {
            assert_ne!(part["status"], "ok", "a part with errors says ok: {part}");
        }
    }
    let errors = read_table(snapshot, "collection_errors");
    for e in &errors {
        assert!(
            e["error_code"].as_str().is_some_and(|c| !c.is_empty()),
            "an error without its cause: {e:?}"
        );
    }
    let stormy = verdicts(data, endpoint);
    for (key, status) in &stormy {
        assert_eq!(
            clean.get(key),
            Some(status),
            "{key:?} is {status} after the storm, {:?} without it",
            clean.get(key)
        );
    }
    (errors.len(), stormy.len())
}

#[test]
fn a_storm_of_faults_leaves_an_honest_partial_snapshot_within_the_attempt_budget() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    seed(&moto.url, &["--page-users", "0"], work.path());

    let calm = proxy(&moto.url, &json!([]), work.path(), "calm");
    let clean_data = work.path().join("clean");
    collect(&clean_data, &calm.url);
    let clean_requests = requests(&proxy_stats(&calm));
    let clean = verdicts(&clean_data, &calm.url);
    assert!(clean.len() > 50, "the clean run decides: {}", clean.len());

    let rules = json!([
        // Half the calls throttled for the storm's first 20 seconds: the SDK's adaptive
        // retry slows the whole client down while throttled (to half a call a second), so
        // a storm that never passes is a collection that never ends, against AWS as here.
        {"action": "*", "except": SETUP, "probability": 0.5, "seed": 7, "for_seconds": 20,
         "status": 400, "code": "Throttling", "message": "Rate exceeded"},
        {"action": "*", "except": SETUP, "after": 40, "times": 15,
         "status": 503, "code": "ServiceUnavailable", "message": "Service is busy"},
        {"action": "*", "except": SETUP, "probability": 0.04, "fault": "reset"},
        {"action": "*", "except": SETUP, "probability": 0.04, "fault": "truncate"},
        {"action": "*", "except": SETUP, "probability": 0.04, "fault": "malformed"},
        {"action": "*", "except": SETUP, "probability": 0.01, "fault": "slow", "delay": 1},
    ]);
    let storm = proxy(&moto.url, &rules, work.path(), "storm");
    let data = work.path().join("storm-data");
    let started = std::time::Instant::now();
    let snapshot = collect(&data, &storm.url);
    let took = started.elapsed();
    let stats = proxy_stats(&storm);
    let (errors, decided) = assert_honest(&snapshot, &data, &storm.url, &clean);
    let sent = requests(&stats);
    eprintln!(
        "storm: {sent} requests ({clean_requests} without faults), faults {}, {errors} errors recorded, {decided} of {} verdicts kept, {:.1} s",
        stats.get("__faults").cloned().unwrap_or_default(),
        clean.len(),
        took.as_secs_f64()
    );
    assert!(errors > 0, "the storm cost nothing");
    assert!(
        sent <= clean_requests * ATTEMPTS,
        "{sent} requests: more than {ATTEMPTS} attempts for each of the {clean_requests} calls"
    );
    assert!(stats.get("__faults").is_some(), "no fault was injected");

    // Credentials that expire after 150 calls: what was read before is kept, the rest is
    // failed with the cause, and nothing unread is decided.
    let expiring = json!([
        {"action": "*", "except": SETUP, "after": 150, "status": 400,
         "code": "ExpiredToken", "message": "The security token included in the request is expired"},
    ]);
    let expiry = proxy(&moto.url, &expiring, work.path(), "expiry");
    let data = work.path().join("expiry-data");
    let snapshot = collect(&data, &expiry.url);
    let (errors, _) = assert_honest(&snapshot, &data, &expiry.url, &clean);
    let expired = read_table(&snapshot, "collection_errors")
        .iter()
        .filter(|e| e["error_code"] == "ExpiredToken")
        .count();
    assert!(expired > 0 && expired <= errors, "{expired} of {errors}");
    // An expired token is not retried: one request for each call that met it.
    assert!(requests(&proxy_stats(&expiry)) <= clean_requests + 1);
}
