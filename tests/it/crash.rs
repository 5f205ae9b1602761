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

/// Ingest of a 30-day corpus (a partition file a day, then the checkpoint) aborted after
/// each of its writes in turn: the lake never holds an event twice, and the next ingest of
/// the same files brings it to every event exactly once (a checkpoint that claimed a file
/// whose events were not published would leave them out for good).
#[tokio::test]
async fn trail_ingest_aborted_after_any_write_loses_and_doubles_nothing() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    let generated = Command::new(python())
        .arg(manifest_dir().join("benches/gen_trail_corpus.py"))
        .arg(&corpus)
        .args(["--events", "3000", "--per-file", "100"])
        .status()
        .unwrap();
    assert!(generated.success());
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
    let listed = || -> Vec<Value> {
        let out = govscan_command(&data, &moto.url, &["snapshots", "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "snapshots: {}", common::stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
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
        let query = govscan_command(
            &data,
            &moto.url,
            &["query", "--format", "csv", "SELECT count(*) FROM iam_users"],
        )
        .output()
        .unwrap();
        assert!(
            query.status.success(),
            "after a crash at write {n}: {}",
            common::stderr(&query)
        );
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
