//! `--data-dir s3://bucket/prefix` against moto's S3: the same answers as the local copy of
//! the same data directory, for every command that reads it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{self, json, s3_tree};

#[test]
fn an_s3_data_dir_answers_query_check_and_hunt_as_its_local_copy_does() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let local = common::demo_data(work.path());
    let remote = "s3://security-lake/govscan/prod";
    s3_tree(&moto.url, &["upload", local.to_str().unwrap(), remote]);
    let on_s3 = Path::new(remote);

    let queries: [&[&str]; 4] = [
        &[
            "query",
            "--format",
            "json",
            "SELECT event_name, count(*) AS n FROM cloudtrail_events GROUP BY event_name ORDER BY n DESC, event_name",
        ],
        &[
            "query",
            "--format",
            "json",
            "SELECT * FROM s3_bucket_exposure ORDER BY 1, 2, 3",
        ],
        &["check", "--format", "json"],
        &["hunt", "--format", "json"],
    ];
    for args in queries {
        let want = common::govscan(&local, &moto.url, args);
        let got = common::govscan(on_s3, &moto.url, args);
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "{args:?}: {}",
            common::stderr(&got)
        );
        let (want, got) = (json(&want), json(&got));
        assert_eq!(got, want, "{args:?} differs on S3");
        // Not two empty answers compared: each of these has rows on the demo data.
        assert!(
            common::answer_rows(&want) > 0,
            "{args:?} answered nothing: {want}"
        );
    }
}

#[test]
fn a_snapshot_without_its_manifest_on_s3_is_not_a_snapshot() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let local = common::demo_data(work.path());
    // Upload the tables of the snapshot but not its manifest: a writer cut off before
    // publishing.
    let snapshots = local.join("snapshots");
    let id = std::fs::read_dir(&snapshots)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| !n.starts_with('.'))
        .unwrap();
    std::fs::remove_file(snapshots.join(&id).join("manifest.json")).unwrap();
    s3_tree(
        &moto.url,
        &["upload", local.to_str().unwrap(), "s3://half-written/gs"],
    );
    let out = common::govscan(Path::new("s3://half-written/gs"), &moto.url, &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("no snapshots in s3://half-written/gs/snapshots"),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn an_s3_data_dir_that_cannot_be_read_is_a_clear_error() {
    let moto = common::start_moto();
    let out = common::govscan(Path::new("s3://no-such-bucket/gs"), &moto.url, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("s3://no-such-bucket/gs/snapshots"), "{err}");
}

/// Check results as (check, resource, status), sorted: what must not depend on where the
/// data directory is.
fn check_results(
    data: &Path,
    endpoint: &str,
    snapshot: Option<&str>,
) -> Vec<(String, String, String)> {
    let mut args = vec!["check", "--format", "json"];
    if let Some(s) = snapshot {
        args.extend(["--snapshot", s]);
    }
    let out = common::govscan(data, endpoint, &args);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        common::stderr(&out)
    );
    let mut rows: Vec<(String, String, String)> = json(&out)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_owned();
            (text("check_id"), text("resource_id"), text("status"))
        })
        .collect();
    rows.sort();
    rows
}

/// `collect` into an S3 data directory (whole, and as shards finalized on S3) holds what a
/// local collection holds; `report`, `diff`, `snapshots`, `tables`, `policy explain` and
/// `export athena` read it in place.
#[test]
fn collect_writes_snapshots_to_s3_that_every_command_reads() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let seeded = common::seed(&moto.url, &[], work.path());
    let acct = |name: &str| seeded["accounts"][name].as_str().unwrap().to_owned();
    let mgmt = seeded["management_account_id"].as_str().unwrap().to_owned();
    s3_tree(
        &moto.url,
        &[
            "upload",
            work.path().join("empty").to_str().unwrap(),
            "s3://org-lake/gs",
        ],
    );
    let local = work.path().join("data");
    let remote = "s3://org-lake/gs";
    let on_s3 = Path::new(remote);
    let collect = |data: &Path, extra: &[&str]| common::collect_org(data, &moto.url, extra);

    let here = collect(&local, &[]);
    assert!(here.status.success(), "{}", common::stderr(&here));
    let there = collect(on_s3, &[]);
    assert!(there.status.success(), "{}", common::stderr(&there));
    let line = common::stdout(&there);
    let (id, url) = line.trim().split_once('\t').unwrap();
    assert_eq!(url, format!("{remote}/snapshots/{id}"));
    let keys = s3_tree(&moto.url, &["list", remote]);
    assert!(
        keys.contains(&format!("gs/snapshots/{id}/manifest.json")),
        "{keys}"
    );
    assert!(
        keys.contains(&format!("gs/snapshots/{id}/iam_roles/part-00000.parquet")),
        "{keys}"
    );

    let local_results = check_results(&local, &moto.url, None);
    assert!(local_results.len() > 300, "{}", local_results.len());
    assert_eq!(check_results(on_s3, &moto.url, Some(id)), local_results);

    // Shards on S3: pending until finalized there; then the same results as one run.
    let first = format!("{mgmt},{}", acct("security"));
    let rest = format!("{},{},{}", acct("prod"), acct("dev"), acct("sandbox"));
    for accounts in [&first, &rest] {
        let o = collect(
            on_s3,
            &["--accounts", accounts, "--snapshot-id", "weekly-1"],
        );
        assert!(o.status.success(), "{}", common::stderr(&o));
        assert!(common::stdout(&o).contains(&format!("{remote}/snapshots/.shards/weekly-1/")));
    }
    let listed = common::govscan(on_s3, &moto.url, &["snapshots"]);
    assert!(
        common::stderr(&listed).contains("pending: snapshot weekly-1 has 2 shard(s)"),
        "{}",
        common::stderr(&listed)
    );
    let early = common::govscan(on_s3, &moto.url, &["check", "--snapshot", "weekly-1"]);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        common::stderr(&early).contains("not finalized (2 shard(s) collected)"),
        "{}",
        common::stderr(&early)
    );
    let done = common::govscan(on_s3, &moto.url, &["snapshots", "finalize", "weekly-1"]);
    assert!(done.status.success(), "{}", common::stderr(&done));
    assert_eq!(
        common::stdout(&done).trim(),
        format!("weekly-1\t{remote}/snapshots/weekly-1")
    );
    let keys = s3_tree(&moto.url, &["list", remote]);
    assert!(
        !keys.contains(".shards"),
        "shards left after finalize:\n{keys}"
    );
    assert_eq!(
        check_results(on_s3, &moto.url, Some("weekly-1")),
        local_results
    );
    let again = common::govscan(on_s3, &moto.url, &["snapshots", "finalize", "weekly-1"]);
    assert_eq!(again.status.code(), Some(2));
    let taken = collect(on_s3, &["--snapshot-id", "weekly-1"]);
    assert_eq!(taken.status.code(), Some(2), "{}", common::stderr(&taken));

    // The commands that read snapshot files directly.
    let listed = common::govscan(on_s3, &moto.url, &["snapshots", "--format", "json"]);
    let listed = json(&listed);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["snapshot_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id, "weekly-1"]);
    let diff = common::govscan(
        on_s3,
        &moto.url,
        &["diff", id, "weekly-1", "--format", "json"],
    );
    assert!(diff.status.success(), "{}", common::stderr(&diff));
    let diff = json(&diff);
    assert_eq!(
        diff["checks"]["newly_failing"],
        serde_json::json!([]),
        "{diff}"
    );
    let tables = common::govscan(
        on_s3,
        &moto.url,
        &["tables", "--snapshot", id, "--format", "json"],
    );
    let tables = json(&tables);
    let roles = tables
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "iam_roles")
        .unwrap();
    assert!(roles["rows"].as_u64().unwrap() > 0, "{roles}");

    let report_path = work.path().join("audit.md");
    let report = common::govscan(
        on_s3,
        &moto.url,
        &[
            "report",
            "--format",
            "markdown",
            "--output",
            report_path.to_str().unwrap(),
        ],
    );
    assert!(report.status.success(), "{}", common::stderr(&report));
    let text = std::fs::read_to_string(&report_path).unwrap();
    assert!(text.contains("weekly-1"), "{text}");

    let principal = format!(
        "arn:aws:iam::{}:role/OrganizationAccountAccessRole",
        acct("dev")
    );
    let explain = |data: &Path| {
        let o = common::govscan(
            data,
            &moto.url,
            &[
                "policy",
                "explain",
                "--principal",
                &principal,
                "--action",
                "iam:CreateUser",
                "--resource",
                "*",
                "--format",
                "json",
            ],
        );
        assert!(
            o.status.code().is_some_and(|c| c < 2),
            "{}",
            common::stderr(&o)
        );
        let mut explained = json(&o);
        // The request time is part of the default context: not the same from run to run.
        explained.as_object_mut().unwrap().remove("context");
        explained
    };
    assert_eq!(explain(on_s3), explain(&local));

    let ddl = common::govscan(on_s3, &moto.url, &["export", "athena"]);
    assert!(ddl.status.success(), "{}", common::stderr(&ddl));
    assert!(
        common::stdout(&ddl).contains("'s3://org-lake/gs/snapshots/${snapshot_id}/iam_roles/'"),
        "{}",
        common::stdout(&ddl)
    );
}

/// `trail ingest` from a bucket of trail files into a lake in another bucket: incremental
/// (a second run reads only new files), deduplicated across runs by event id (read back from
/// S3), and the same events as a local ingest of the same files.
#[test]
fn trail_ingest_from_one_bucket_into_a_lake_in_another() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/logs");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut pending = vec![fixtures.join("AWSLogs")];
    while let Some(dir) = pending.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                pending.push(p)
            } else {
                files.push(p)
            }
        }
    }
    files.sort();
    assert!(files.len() > 40);
    // Two batches of files, as a trail delivers them over time.
    let batch = |name: &str, part: &[PathBuf]| {
        let root = work.path().join(name);
        for f in part {
            let target = root.join(f.strip_prefix(&fixtures).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(f, target).unwrap();
        }
        root
    };
    let (early, late) = files.split_at(20);
    let ingest = |data: &Path, source: &str| {
        let o = common::govscan(data, &moto.url, &["trail", "ingest", source]);
        assert!(o.status.success(), "{}", common::stderr(&o));
        json(&o)
    };
    let lake = Path::new("s3://trail-lake/gs");
    s3_tree(
        &moto.url,
        &[
            "upload",
            batch("empty", &[]).to_str().unwrap(),
            "s3://trail-lake/gs",
        ],
    );

    s3_tree(
        &moto.url,
        &[
            "upload",
            batch("early", early).to_str().unwrap(),
            "s3://trail-logs",
        ],
    );
    let first = ingest(lake, "s3://trail-logs/AWSLogs/");
    assert_eq!(first["files_read"], 20, "{first}");
    assert!(first["records_written"].as_u64().unwrap() > 0, "{first}");

    s3_tree(
        &moto.url,
        &[
            "upload",
            batch("late", late).to_str().unwrap(),
            "s3://trail-logs",
        ],
    );
    let second = ingest(lake, "s3://trail-logs/AWSLogs/");
    assert_eq!(second["files_unchanged"], 20, "{second}");
    assert_eq!(second["files_read"], late.len(), "{second}");
    assert_eq!(second["duplicates_skipped"], 0, "{second}");

    // The same events under another key: every one is already in the lake on S3.
    let copy = work.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(&files[0], copy.join("again.json.gz")).unwrap();
    s3_tree(
        &moto.url,
        &[
            "upload",
            copy.to_str().unwrap(),
            "s3://trail-logs/redelivered",
        ],
    );
    let third = ingest(lake, "s3://trail-logs/redelivered/");
    assert_eq!(third["records_written"], 0, "{third}");
    assert!(third["duplicates_skipped"].as_u64().unwrap() > 0, "{third}");

    let keys = s3_tree(&moto.url, &["list", "s3://trail-lake/gs"]);
    assert!(keys.contains("gs/trail/ingested.json"), "{keys}");
    assert!(
        keys.lines().all(|k| k == "gs/trail/ingested.json"
            || k.starts_with("gs/trail/cloudtrail_events/event_date=")),
        "{keys}"
    );

    let local = work.path().join("local");
    let whole = ingest(&local, fixtures.join("AWSLogs").to_str().unwrap());
    let total = |o: &Value| o["records_written"].as_u64().unwrap();
    assert_eq!(total(&first) + total(&second), total(&whole));
    let sql = "SELECT event_date, count(*) AS n, count(DISTINCT event_id) AS ids FROM cloudtrail_events GROUP BY event_date ORDER BY event_date";
    let count = |data: &Path| {
        json(&common::govscan(
            data,
            &moto.url,
            &["query", "--format", "json", sql],
        ))
    };
    assert_eq!(count(lake), count(&local));
}
