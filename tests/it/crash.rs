//! Crash consistency: a command aborted right after its Nth durable write
//! (GOVSCAN_CRASH_AFTER_WRITES, src/store/crash.rs: no destructors, no clean-up, as after
//! SIGKILL or a power cut) leaves a data directory every reader can use, and the next run
//! completes: the lake holds each event once, a snapshot is listed only when whole.

use std::path::Path;
use std::process::Command;

use govscan::engine::Sessions;
use govscan::store::DataDir;
use serde_json::Value;

use crate::common::{self, govscan_command, manifest_dir, python, start_moto, stdout};

const CRASH: &str = "GOVSCAN_CRASH_AFTER_WRITES";

/// (events, distinct event ids) in the lake of `data`; (0, 0) when it has none yet.
async fn lake_counts(data: &Path) -> (i64, i64) {
    let Some(ctx) = Sessions::local()
        .open_trail_only(&DataDir::Local(data.to_path_buf()))
        .await
        .unwrap()
    else {
        return (0, 0);
    };
    let batches = ctx
        .sql("SELECT count(*), count(DISTINCT event_id) FROM cloudtrail_events")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int64Type;
    let b = &batches[0];
    (
        b.column(0).as_primitive::<Int64Type>().value(0),
        b.column(1).as_primitive::<Int64Type>().value(0),
    )
}

fn ingest(data: &Path, corpus: &Path, crash_after: Option<usize>) -> std::process::ExitStatus {
    let mut command = Command::new(env!("CARGO_BIN_EXE_govscan"));
    command
        .arg("--quiet")
        .arg("--data-dir")
        .arg(data)
        .args(["trail", "ingest"])
        .arg(corpus);
    run_crashing(command, crash_after)
}

/// Runs `command` quietly, aborted after write `crash_after` if given.
fn run_crashing(mut command: Command, crash_after: Option<usize>) -> std::process::ExitStatus {
    command
        .env_remove(CRASH)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(n) = crash_after {
        command.env(CRASH, n.to_string());
    }
    command.status().unwrap()
}

/// The snapshots `govscan snapshots` lists in `data` (JSON), and what it said on stderr
/// (pending shards).
fn snapshots_listed(data: &Path, endpoint: &str) -> (Vec<Value>, String) {
    let out = govscan_command(data, endpoint, &["snapshots", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "snapshots: {}", common::stderr(&out));
    (
        serde_json::from_str(&stdout(&out)).unwrap(),
        common::stderr(&out),
    )
}

/// The latest snapshot of `data` answers a query over one of its tables.
fn assert_latest_snapshot_reads(data: &Path, endpoint: &str, after: &str) {
    let query = govscan_command(
        data,
        endpoint,
        &["query", "--format", "csv", "SELECT count(*) FROM iam_users"],
    )
    .output()
    .unwrap();
    assert!(
        query.status.success(),
        "{after}: {}",
        common::stderr(&query)
    );
}

/// A generated trail corpus of `events` real-shaped events, 100 to a file, under `work`.
fn trail_corpus(work: &Path, events: usize) -> std::path::PathBuf {
    let corpus = work.join("corpus");
    let generated = Command::new(python())
        .arg(manifest_dir().join("benches/gen_trail_corpus.py"))
        .arg(&corpus)
        .args(["--events", &events.to_string(), "--per-file", "100"])
        .status()
        .unwrap();
    assert!(generated.success());
    corpus
}

/// Ingest of a 30-day corpus (a partition file a day, then the checkpoint) aborted after
/// each of its writes in turn: the lake never holds an event twice, and the next ingest of
/// the same files brings it to every event exactly once (a checkpoint that claimed a file
/// whose events were not published would leave them out for good).
#[tokio::test]
async fn trail_ingest_aborted_after_any_write_loses_and_doubles_nothing() {
    let work = tempfile::tempdir().unwrap();
    let corpus = trail_corpus(work.path(), 3000);
    let total = 3000;
    let mut crashed = 0;
    for n in 1.. {
        let data = work.path().join(format!("data-{n}"));
        let status = ingest(&data, &corpus, Some(n));
        let (events, distinct) = lake_counts(&data).await;
        assert_eq!(
            events, distinct,
            "after a crash at write {n}: an event twice"
        );
        assert!(events <= total);
        if status.success() {
            assert_eq!(events, total, "a run that was not aborted");
            break;
        }
        crashed += 1;
        assert!(
            ingest(&data, &corpus, None).success(),
            "the run after a crash at write {n}"
        );
        assert_eq!(
            lake_counts(&data).await,
            (total, total),
            "after a crash at write {n} and one more run"
        );
        std::fs::remove_dir_all(&data).unwrap();
        assert!(n < 500, "ingest never finished");
    }
    // A partition file per day of the corpus, and the checkpoint: the crash points were many.
    assert!(crashed >= 15, "only {crashed} writes to crash after");
}

/// `collect` aborted after each kind of write (a table's file, the bookkeeping tables, the
/// manifest, the publishing rename): `snapshots` lists a snapshot only when the run got to
/// publish it, every listed snapshot's tables read, and the next run completes.
#[test]
fn collect_aborted_after_any_write_leaves_only_whole_snapshots() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let collect = |crash_after: Option<usize>| {
        let command = govscan_command(
            &data,
            &moto.url,
            &[
                "--quiet",
                "collect",
                "--services",
                "iam,s3",
                "--regions",
                "us-east-1",
            ],
        );
        run_crashing(command, crash_after)
    };
    let listed = || snapshots_listed(&data, &moto.url).0;
    let first = govscan_command(
        &data,
        &moto.url,
        &["collect", "--services", "iam,s3", "--regions", "us-east-1"],
    )
    .output()
    .unwrap();
    let snapshot = common::snapshot_path(&first);
    let tables = common::manifest(&snapshot)["tables"]
        .as_object()
        .unwrap()
        .len();
    let mut expected = 1;
    let check = |n: usize, expected: usize| {
        let snapshots = listed();
        assert_eq!(
            snapshots.len(),
            expected,
            "after a crash at write {n}: {snapshots:?}"
        );
        assert_latest_snapshot_reads(&data, &moto.url, &format!("after a crash at write {n}"));
    };
    // Early: the first table files.
    for n in [1, 2, tables / 2] {
        assert!(!collect(Some(n)).success(), "aborted at write {n}");
        check(n, expected);
    }
    // Late, one write at a time from the last table files on: the bookkeeping tables, the
    // manifest, the rename that publishes (a snapshot is listed from then on), and after.
    let mut published_at = None;
    for n in tables - 2.. {
        let status = collect(Some(n));
        if status.success() {
            expected += 1;
            check(n, expected);
            break;
        }
        let before = expected;
        if listed().len() > before {
            // The rename happened: the snapshot was whole when it became visible.
            expected += 1;
            published_at.get_or_insert(n);
        }
        check(n, expected);
        assert!(n < tables + 20, "collect never finished");
    }
    assert!(
        published_at.is_some(),
        "no crash point between publishing and the end"
    );
    assert!(collect(None).success(), "the run after the crashes");
    assert_eq!(listed().len(), expected + 1);
}

/// The writes a command would make (`GOVSCAN_CRASH_AFTER_WRITES` set beyond reach names each
/// on stderr); the command must finish (exit 0, or 1 for what it found).
fn writes_of(mut command: Command) -> usize {
    let out = command
        .env(CRASH, u64::MAX.to_string())
        .stdout(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        common::stderr(&out)
    );
    common::stderr(&out)
        .lines()
        .filter(|l| l.starts_with(&format!("{CRASH}: write ")))
        .count()
}

/// Crash points over `total` writes: the first ones, `spread` more spread evenly, and every
/// one of the last `tail` (where publishing and the clean-up are).
fn crash_points(total: usize, spread: usize, tail: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (1..=3.min(total)).collect();
    points.extend((1..=spread).map(|i| total * i / (spread + 1)));
    points.extend(total.saturating_sub(tail).max(1)..total);
    points.sort_unstable();
    points.dedup();
    points.retain(|&n| n >= 1 && n < total);
    points
}

/// `snapshots finalize` aborted after each of many of its writes, in a local folder and on
/// S3: `snapshots` lists the snapshot only whole (every table's rows), a check reads it,
/// and the next finalize completes (or, published already, clears the shards), leaving the
/// rows one clean finalize leaves and no shard pending.
#[test]
fn finalize_aborted_after_any_write_publishes_whole_or_not_at_all_on_a_folder_and_on_s3() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = common::seed(&moto.url, &["--page-users", "0"], work.path());
    let mgmt = seeded["management_account_id"].as_str().unwrap().to_owned();
    let acct = |name: &str| seeded["accounts"][name].as_str().unwrap().to_owned();
    // Two shards of one snapshot, collected once and copied for every crash.
    let pristine = work.path().join("pristine");
    for accounts in [
        format!("{mgmt},{}", acct("security")),
        format!("{},{}", acct("prod"), acct("dev")),
    ] {
        let o = common::govscan(
            &pristine,
            &moto.url,
            &[
                "collect",
                "--org",
                "--accounts",
                &accounts,
                "--regions",
                "us-east-1",
                "--services",
                "org,iam,s3",
                "--max-attempts",
                "2",
                "--snapshot-id",
                "crash-1",
            ],
        );
        assert!(o.status.success(), "{}", common::stderr(&o));
    }
    let fresh = |n: &str, s3: bool| -> std::path::PathBuf {
        if s3 {
            let url = format!("s3://crash-lake/{n}");
            common::s3_tree(&moto.url, &["upload", pristine.to_str().unwrap(), &url]);
            std::path::PathBuf::from(url)
        } else {
            let to = work.path().join(n);
            let copied = Command::new("cp")
                .arg("-a")
                .arg(&pristine)
                .arg(&to)
                .status()
                .unwrap();
            assert!(copied.success());
            to
        }
    };
    let finalize =
        |data: &Path| govscan_command(data, &moto.url, &["snapshots", "finalize", "crash-1"]);
    let listed = |data: &Path| snapshots_listed(data, &moto.url);
    // What the tables hold after one finalize that is not cut off: rows per table.
    let table_rows = |data: &Path| -> Vec<(String, i64)> {
        let sql = "SELECT table_name, sum(rows) FROM (SELECT 'iam_roles' AS table_name, count(*) AS rows FROM iam_roles \
                   UNION ALL SELECT 'iam_users', count(*) FROM iam_users UNION ALL SELECT 's3_buckets', count(*) FROM s3_buckets \
                   UNION ALL SELECT 'org_accounts', count(*) FROM org_accounts UNION ALL SELECT 'collection_parts', count(*) FROM collection_parts) \
                   GROUP BY 1 ORDER BY 1";
        let out = govscan_command(
            data,
            &moto.url,
            &["query", "--snapshot", "crash-1", "--format", "csv", sql],
        )
        .output()
        .unwrap();
        assert!(out.status.success(), "query: {}", common::stderr(&out));
        stdout(&out)
            .lines()
            .skip(1)
            .map(|l| {
                let (t, n) = l.split_once(',').unwrap();
                (t.to_owned(), n.parse().unwrap())
            })
            .collect()
    };
    for s3 in [false, true] {
        let reference = fresh(&format!("reference-{s3}"), s3);
        let total = writes_of(finalize(&reference));
        let expected = table_rows(&reference);
        assert!(expected.iter().all(|(_, n)| *n > 0), "{expected:?}");
        let points = crash_points(total, 3, 4);
        for &n in &points {
            let data = fresh(&format!("crash-{s3}-{n}"), s3);
            let status = run_crashing(finalize(&data), Some(n));
            assert!(
                !status.success(),
                "finalize was not aborted at write {n} of {total}"
            );
            let (snapshots, _) = listed(&data);
            if let Some(s) = snapshots.iter().find(|s| s["snapshot_id"] == "crash-1") {
                assert!(
                    s.get("error").is_none(),
                    "listed half-written after write {n}: {s}"
                );
                assert_eq!(table_rows(&data), expected, "published after write {n}");
            }
            let again = finalize(&data).output().unwrap();
            let published = snapshots.iter().any(|s| s["snapshot_id"] == "crash-1");
            assert!(
                again.status.success()
                    || (published && common::stderr(&again).contains("already finalized")),
                "the finalize after a crash at write {n} of {total} (s3: {s3}): {}",
                common::stderr(&again)
            );
            let (snapshots, pending) = listed(&data);
            assert_eq!(
                snapshots
                    .iter()
                    .filter(|s| s["snapshot_id"] == "crash-1")
                    .count(),
                1,
                "after write {n} and one more finalize"
            );
            assert!(
                !pending.contains("pending"),
                "shards left after write {n}: {pending}"
            );
            assert_eq!(
                table_rows(&data),
                expected,
                "after a crash at write {n} of {total}"
            );
        }
        assert!(points.len() >= 7, "{total} writes: too few to crash after");
    }
}

/// What the audit crash tests run in: moto with the seeded organization, a slim audit
/// configuration (the management account alone, and the services whose tables the audit's
/// own steps need: the organization trail names the bucket to ingest; every step runs, in
/// seconds), and the first ten of a day's trail files delivered.
struct AuditWorld {
    moto: common::Server,
    work: tempfile::TempDir,
    seeded: Value,
    config: std::path::PathBuf,
    files: Vec<std::path::PathBuf>,
}

impl AuditWorld {
    fn new() -> Self {
        let moto = start_moto();
        let work = tempfile::tempdir().unwrap();
        let seeded = common::seed(&moto.url, &["--page-users", "0"], work.path());
        let config = work.path().join("govscan.yaml");
        std::fs::write(
            &config,
            "collect:\n  org: false\n  regions: [us-east-1]\n  services: [iam, cloudtrail]\n  max_attempts: 2\nhunt:\n  first_window_days: 36500\nretention:\n  keep_last: 2\n",
        )
        .unwrap();
        let files = crate::audit::trail_files();
        crate::audit::deliver(&moto, &seeded, &files[..10], work.path());
        AuditWorld {
            moto,
            work,
            seeded,
            config,
            files,
        }
    }

    fn audit(&self, data: &Path) -> Command {
        govscan_command(
            data,
            &self.moto.url,
            &["audit", "--config", self.config.to_str().unwrap()],
        )
    }

    /// Ten more of the day's logs, so that the audits after the first ingest too.
    fn deliver_more(&self) {
        crate::audit::deliver(
            &self.moto,
            &self.seeded,
            &self.files[10..20],
            self.work.path(),
        );
    }
}

/// `audit` aborted after each of many of its writes (its snapshot, the lake's partitions and
/// checkpoint, the reports, state.json, summary.json, retention's deletions): the audit
/// before it stays whole, no audit without its summary is listed, the lake holds no event
/// twice, and the next audit takes the dead run's lock over and completes with every
/// event once.
#[tokio::test]
async fn audit_aborted_after_any_write_leaves_the_last_audit_whole_and_the_next_completes() {
    use crate::audit::audit_id;
    let world = AuditWorld::new();
    let work = &world.work;
    let data = work.path().join("data");
    let audit = |data: &Path| world.audit(data);
    let first = audit(&data).output().unwrap();
    assert!(
        matches!(first.status.code(), Some(0) | Some(1)),
        "{}",
        common::stderr(&first)
    );
    let good = audit_id(&first);
    let good_summary = std::fs::read(data.join("audits").join(&good).join("summary.json")).unwrap();
    // More of the day's logs, so that the audits after it ingest too.
    world.deliver_more();
    let copy = |name: &str| {
        let to = work.path().join(name);
        assert!(Command::new("cp")
            .arg("-a")
            .arg(&data)
            .arg(&to)
            .status()
            .unwrap()
            .success());
        to
    };
    let reference = copy("reference");
    let total = writes_of(audit(&reference));
    let (events, distinct) = lake_counts(&reference).await;
    assert_eq!(events, distinct);
    assert!(events > 0, "the audits ingested nothing");
    // Audits listed: folders of audits/ (the lock and other files aside).
    let audits = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d.join("audits"))
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let points = crash_points(total, 2, 2);
    for &n in &points {
        let d = copy(&format!("crash-{n}"));
        let status = run_crashing(audit(&d), Some(n));
        assert!(
            !status.success() && status.code() != Some(1),
            "audit was not aborted at write {n} of {total}"
        );
        assert_eq!(
            std::fs::read(d.join("audits").join(&good).join("summary.json")).unwrap(),
            good_summary,
            "the last audit changed after a crash at write {n}"
        );
        let listed = audits(&d);
        for id in &listed {
            // An audit folder is published whole (staged, then renamed) or not at all.
            assert!(
                d.join("audits").join(id).join("summary.json").exists(),
                "audit {id} without its summary after a crash at write {n} of {total}"
            );
        }
        let (e, unique) = lake_counts(&d).await;
        assert_eq!(e, unique, "an event twice after a crash at write {n}");
        let next = audit(&d).output().unwrap();
        assert!(
            matches!(next.status.code(), Some(0) | Some(1)),
            "the audit after a crash at write {n} of {total}: {}",
            common::stderr(&next)
        );
        assert_eq!(
            lake_counts(&d).await,
            (events, events),
            "after a crash at write {n} and one more audit"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
    assert!(points.len() >= 6, "{total} writes: too few to crash after");
}

/// (events, distinct event ids) in the lake of a data directory, read by `govscan query`
/// (an S3 data directory is read through the moto endpoint); (0, 0) with no lake yet.
fn lake_counts_by_query(data: &Path, endpoint: &str) -> (i64, i64) {
    let out = govscan_command(
        data,
        endpoint,
        &[
            "query",
            "--format",
            "csv",
            "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM cloudtrail_events",
        ],
    )
    .output()
    .unwrap();
    if !out.status.success() {
        let err = common::stderr(&out);
        assert!(err.contains("cloudtrail_events"), "query: {err}");
        return (0, 0);
    }
    let text = stdout(&out);
    let (n, d) = text.lines().nth(1).unwrap().split_once(',').unwrap();
    (n.parse().unwrap(), d.parse().unwrap())
}

/// Trail ingest into a lake on S3 (moto), aborted after each of many of its writes (a
/// partition object, the checkpoint): no event twice, and the next ingest brings every
/// event in exactly once.
#[test]
fn trail_ingest_into_s3_aborted_after_any_write_loses_and_doubles_nothing() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let corpus = trail_corpus(work.path(), 2000);
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    common::s3_tree(
        &moto.url,
        &["upload", empty.to_str().unwrap(), "s3://crash-lake"],
    );
    let ingest = |data: &Path| {
        let mut c = govscan_command(data, &moto.url, &["trail", "ingest"]);
        c.arg(&corpus);
        c
    };
    let total = writes_of(ingest(Path::new("s3://crash-lake/reference")));
    assert_eq!(
        lake_counts_by_query(Path::new("s3://crash-lake/reference"), &moto.url),
        (2000, 2000)
    );
    let points = crash_points(total, 3, 3);
    for &n in &points {
        let data = std::path::PathBuf::from(format!("s3://crash-lake/run-{n}"));
        assert!(
            !run_crashing(ingest(&data), Some(n)).success(),
            "not aborted at write {n}"
        );
        let (events, distinct) = lake_counts_by_query(&data, &moto.url);
        assert_eq!(
            events, distinct,
            "an event twice after a crash at write {n} of {total}"
        );
        assert!(
            ingest(&data).output().unwrap().status.success(),
            "the run after write {n}"
        );
        assert_eq!(
            lake_counts_by_query(&data, &moto.url),
            (2000, 2000),
            "after a crash at write {n} of {total} and one more run"
        );
    }
    assert!(points.len() >= 7, "{total} writes: too few to crash after");
}

/// `collect` into an S3 data directory (moto), aborted after each of many of its writes:
/// `snapshots` lists only snapshots whose every table reads, and the next run completes.
#[test]
fn collect_into_s3_aborted_after_any_write_leaves_only_whole_snapshots() {
    let moto = start_moto();
    let work = tempfile::tempdir().unwrap();
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    common::s3_tree(
        &moto.url,
        &["upload", empty.to_str().unwrap(), "s3://crash-snapshots"],
    );
    let collect = |data: &Path| {
        govscan_command(
            data,
            &moto.url,
            &[
                "collect",
                "--services",
                "iam,s3",
                "--regions",
                "us-east-1",
                "--max-attempts",
                "2",
            ],
        )
    };
    let listed = |data: &Path| snapshots_listed(data, &moto.url).0;
    let total = writes_of(collect(Path::new("s3://crash-snapshots/reference")));
    let points = crash_points(total, 3, 3);
    for &n in &points {
        let data = std::path::PathBuf::from(format!("s3://crash-snapshots/run-{n}"));
        assert!(
            !run_crashing(collect(&data), Some(n)).success(),
            "not aborted at write {n}"
        );
        let before = listed(&data);
        for s in &before {
            assert!(
                s.get("error").is_none(),
                "listed half-written after write {n} of {total}: {s}"
            );
        }
        if !before.is_empty() {
            assert_latest_snapshot_reads(&data, &moto.url, &format!("after write {n}"));
        }
        let again = collect(&data).output().unwrap();
        assert!(
            again.status.success(),
            "the run after write {n}: {}",
            common::stderr(&again)
        );
        assert_eq!(
            listed(&data).len(),
            before.len() + 1,
            "after write {n} of {total} and one more run"
        );
    }
    assert!(points.len() >= 7, "{total} writes: too few to crash after");
}

/// `audit` on an S3 data directory (moto), aborted after each of many of its writes: the
/// audit before it is unchanged, an audit with its summary has every file it lists, the lake
/// holds no event twice, and the next audit takes the dead run's lock over and completes
/// with every event once. Each crash starts from a copy of the same data directory, moved
/// through a local folder by boto3.
#[test]
fn audit_on_s3_aborted_after_any_write_leaves_the_last_audit_whole_and_the_next_completes() {
    use crate::audit::audit_id;
    let world = AuditWorld::new();
    let (moto, work) = (&world.moto, &world.work);
    let audit = |data: &str| world.audit(Path::new(data));
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    common::s3_tree(
        &moto.url,
        &["upload", empty.to_str().unwrap(), "s3://crash-audits"],
    );
    let first = audit("s3://crash-audits/base").output().unwrap();
    assert!(
        matches!(first.status.code(), Some(0) | Some(1)),
        "{}",
        common::stderr(&first)
    );
    let good = audit_id(&first);
    let base = work.path().join("base");
    common::s3_tree(
        &moto.url,
        &["download", "s3://crash-audits/base", base.to_str().unwrap()],
    );
    let summary_of = |dir: &Path, id: &str| {
        std::fs::read(dir.join("audits").join(id).join("summary.json")).unwrap()
    };
    let good_summary = summary_of(&base, &good);
    let named: Value = serde_json::from_slice(&good_summary).unwrap();
    assert!(
        named["files"].as_array().is_some_and(|f| !f.is_empty()),
        "the summary names no files: {named}"
    );
    world.deliver_more();
    let copy_of_base = |name: &str| {
        let url = format!("s3://crash-audits/{name}");
        common::s3_tree(&moto.url, &["upload", base.to_str().unwrap(), &url]);
        url
    };
    let reference = copy_of_base("reference");
    let total = writes_of(audit(&reference));
    let (events, distinct) = lake_counts_by_query(Path::new(&reference), &moto.url);
    assert_eq!(events, distinct);
    assert!(events > 0, "the audits ingested nothing");
    let points = crash_points(total, 2, 2);
    for &n in &points {
        let url = copy_of_base(&format!("crash-{n}"));
        let status = run_crashing(audit(&url), Some(n));
        assert!(
            !status.success() && status.code() != Some(1),
            "audit was not aborted at write {n} of {total}"
        );
        let after = work.path().join(format!("crash-{n}"));
        common::s3_tree(&moto.url, &["download", &url, after.to_str().unwrap()]);
        assert_eq!(
            summary_of(&after, &good),
            good_summary,
            "the last audit changed after a crash at write {n}"
        );
        // An audit is one when its summary is there (written last): then every file it
        // names is there too.
        for entry in std::fs::read_dir(after.join("audits")).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(summary) = std::fs::read(dir.join("summary.json")) else {
                continue;
            };
            let summary: Value = serde_json::from_slice(&summary).unwrap();
            for file in summary["files"].as_array().into_iter().flatten() {
                let name = file.as_str().unwrap();
                assert!(
                    dir.join(name).exists(),
                    "{} names {name}, missing after a crash at write {n} of {total}",
                    dir.display()
                );
            }
        }
        let (e, unique) = lake_counts_by_query(Path::new(&url), &moto.url);
        assert_eq!(e, unique, "an event twice after a crash at write {n}");
        let next = audit(&url).output().unwrap();
        assert!(
            matches!(next.status.code(), Some(0) | Some(1)),
            "the audit after a crash at write {n} of {total}: {}",
            common::stderr(&next)
        );
        assert_eq!(
            lake_counts_by_query(Path::new(&url), &moto.url),
            (events, events),
            "after a crash at write {n} and one more audit"
        );
    }
    assert!(points.len() >= 6, "{total} writes: too few to crash after");
}
