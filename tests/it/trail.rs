//! `govscan trail ingest` on real CloudTrail logs (demo/logs, MIT)
//! and on every kind of bad input, read back with SQL and with the Parquet reader.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{self, govscan_local};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/logs/AWSLogs")
}

fn summary(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn query(data: &Path, sql: &str) -> Vec<Value> {
    let o = govscan_local(data, &["query", "--format", "json", sql]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn real_trail_files_become_a_partitioned_deduplicated_lake() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let fixture = fixture();
    let out = govscan_local(&data, &["trail", "ingest", fixture.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["files_read"], 55);
    assert_eq!(s["records_written"], 2900);
    assert_eq!(s["partitions"], serde_json::json!(["2023-07-10"]));
    assert!(data
        .join("trail/cloudtrail_events/event_date=2023-07-10")
        .is_dir());

    let stats = &query(
        &data,
        "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT event_source || ':' || event_name) AS api_calls, \
         count(DISTINCT event_source) AS sources, count(error_code) AS errors, \
         count(*) FILTER (WHERE user_agent LIKE 'stratus-red-team%') AS attack, \
         CAST(min(event_time) AS VARCHAR) AS first, CAST(max(event_time) AS VARCHAR) AS last, \
         count(resources) AS with_resources, count(tls_details) AS with_tls, \
         count(*) FILTER (WHERE user_identity['session_context']['attributes']['mfa_authenticated']) AS mfa \
         FROM cloudtrail_events",
    )[0];
    assert_eq!(stats["n"], 2900);
    assert_eq!(stats["ids"], 2900);
    assert_eq!(stats["api_calls"], 262);
    assert_eq!(stats["sources"], 29);
    assert_eq!(stats["errors"], 300);
    assert_eq!(stats["attack"], 210);
    assert_eq!(stats["with_resources"], 693);
    assert_eq!(stats["with_tls"], 2295);
    assert!(
        stats["first"]
            .as_str()
            .unwrap()
            .starts_with("2023-07-10T11:42:18"),
        "{stats}"
    );
    assert!(
        stats["last"]
            .as_str()
            .unwrap()
            .starts_with("2023-07-10T12:37:50"),
        "{stats}"
    );
    assert!(stats["mfa"].as_i64().unwrap() > 0);

    // The partition column prunes, and free-form fields are JSON text the JSON functions read.
    let bucket = &query(
        &data,
        "SELECT json_get_str(request_parameters, 'bucketName') AS b FROM cloudtrail_events \
         WHERE event_date = '2023-07-10' AND event_name = 'GetBucketPublicAccessBlock' LIMIT 1",
    )[0];
    assert!(bucket["b"].as_str().unwrap().starts_with("baker221b-"));

    // Again: the checkpoint skips every file.
    let again = summary(&govscan_local(
        &data,
        &["trail", "ingest", fixture.to_str().unwrap()],
    ));
    assert_eq!(
        (
            again["files_unchanged"].as_u64(),
            again["records_written"].as_u64()
        ),
        (Some(55), Some(0))
    );
    // A copy elsewhere is read, and every event is recognised by its id.
    let copy = work.path().join("copy");
    copy_dir(&fixture, &copy);
    let dup = summary(&govscan_local(
        &data,
        &["trail", "ingest", copy.to_str().unwrap()],
    ));
    assert_eq!(
        (
            dup["records_written"].as_u64(),
            dup["duplicates_skipped"].as_u64()
        ),
        (Some(0), Some(2900))
    );
    assert_eq!(
        query(&data, "SELECT count(*) AS n FROM cloudtrail_events")[0]["n"],
        2900
    );

    // Another implementation, pyarrow, reads the lake as a Hive-partitioned dataset with
    // the types design.md names.
    let script = r#"
import json, sys
import pyarrow.dataset as ds
t = ds.dataset(sys.argv[1], format="parquet", partitioning="hive").to_table()
ui = t.schema.field("user_identity").type
print(json.dumps({
    "rows": t.num_rows,
    "event_time": str(t.schema.field("event_time").type),
    "identity_fields": [ui.field(i).name for i in range(ui.num_fields)][:4],
    "resources": str(t.schema.field("resources").type),
    "dates": sorted(set(t.column("event_date").to_pylist())),
    "ids": len(set(t.column("event_id").to_pylist())),
}))
"#;
    let out = Command::new(common::python())
        .args(["-c", script])
        .arg(data.join("trail/cloudtrail_events"))
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "pyarrow: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        read,
        serde_json::json!({
            "rows": 2900,
            "event_time": "timestamp[us, tz=UTC]",
            "identity_fields": ["type", "principal_id", "arn", "account_id"],
            "resources": "list<item: struct<arn: string, account_id: string, type: string>>",
            "dates": ["2023-07-10"],
            "ids": 2900,
        })
    );
    assert!(!std::fs::read_dir(data.join("trail")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".staging")));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

const RECORD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"},"eventTime":"2024-03-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"\u001b[2Jevil","requestParameters":null,"responseElements":null,"eventID":"EID","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}"#;

fn record(id: &str, time: &str) -> String {
    RECORD
        .replace("EID", id)
        .replace("2024-03-01T10:00:00Z", time)
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn every_file_form_is_accepted_and_bad_input_is_rejected_without_losing_good_data() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(input.join(name), bytes).unwrap();
    write(
        "trail.json.gz",
        &gzip(&format!(
            r#"{{"Records":[{}]}}"#,
            record("a1", "2024-03-01T10:00:00Z")
        )),
    );
    write(
        "export.json",
        format!(
            "[{}, {}]",
            record("b1", "2024-03-02T10:00:00Z"),
            record("b2", "2024-03-02T11:00:00Z")
        )
        .as_bytes(),
    );
    write(
        "lines.jsonl",
        format!(
            "{}\n{}\n",
            record("c1", "2024-03-03T00:00:00Z"),
            record("a1", "2024-03-01T10:00:00Z")
        )
        .as_bytes(),
    );
    write(
        "digest.json.gz",
        &gzip(
            r#"{"awsAccountId":"123456789012","digestStartTime":"2024-03-01T10:00:00Z","logFiles":[]}"#,
        ),
    );
    // Bad input: a truncated gzip, a file that is not JSON, and records that are not
    // objects or have no usable eventTime, next to a good one in the same file.
    let whole = gzip(&format!(
        r#"{{"Records":[{}]}}"#,
        record("t1", "2024-03-04T10:00:00Z")
    ));
    write("truncated.json.gz", &whole[..whole.len() - 10]);
    write("notes.txt", b"this is not CloudTrail");
    write(
        "mixed.json",
        format!(
            r#"{{"Records":[7, {}, {}]}}"#,
            record("bad-time", "last tuesday"),
            record("m1", "2024-03-05T10:00:00Z")
        )
        .as_bytes(),
    );

    let data = work.path().join("data");
    let out = govscan_local(&data, &["trail", "ingest", input.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejected input gives exit 1: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["records_written"], 5, "{s}");
    assert_eq!(s["duplicates_skipped"], 1, "a1 appears twice");
    assert_eq!(s["digest_files"], 1);
    let rejected_files: Vec<&str> = s["rejected_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(rejected_files.len(), 2);
    assert!(rejected_files
        .iter()
        .any(|f| f.ends_with("truncated.json.gz")));
    assert!(rejected_files.iter().any(|f| f.ends_with("notes.txt")));
    let rejected_records: Vec<(String, u64)> = s["rejected_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
                r[1].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected_records,
        [("mixed.json".to_owned(), 0), ("mixed.json".to_owned(), 1)]
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rejected record 1 of") && err.contains("eventTime"),
        "{err}"
    );

    let ids: Vec<String> = query(
        &data,
        "SELECT event_id FROM cloudtrail_events ORDER BY event_id",
    )
    .iter()
    .map(|r| r["event_id"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(ids, ["a1", "b1", "b2", "c1", "m1"]);
    let partitions = query(
        &data,
        "SELECT DISTINCT event_date FROM cloudtrail_events ORDER BY 1",
    );
    assert_eq!(partitions.len(), 4);

    // The hostile user agent is stored as is, and rendered inert in a terminal table.
    let table = govscan_local(
        &data,
        &["query", "SELECT user_agent FROM cloudtrail_events LIMIT 1"],
    );
    let shown = String::from_utf8_lossy(&table.stdout);
    assert!(
        !shown.contains('\u{1b}') && shown.contains("\\u{1b}[2Jevil"),
        "{shown}"
    );

    // SQL errors say where they are: planning errors by their span, syntax errors by the
    // parser's own position.
    for (sql, place) in [
        (
            "SELECT event_id,\n  no_such_column FROM cloudtrail_events",
            "line 2, column 3",
        ),
        ("SELECT event_id FROM\n  no_such_table", "line 2, column 3"),
        (
            "SELECT event_id FRM cloudtrail_events",
            "Line: 1, Column: 21",
        ),
    ] {
        let o = govscan_local(&data, &["query", sql]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(place), "{sql}: {err}");
    }
}

#[test]
fn filters_keep_only_the_dates_accounts_and_regions_asked_for() {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("in.jsonl");
    let lines = [
        record("d1", "2024-03-01T10:00:00Z"),
        record("d2", "2024-03-09T10:00:00Z"),
        record("d3", "2024-03-20T10:00:00Z").replace("us-east-1", "eu-west-1"),
        record("d4", "2024-03-10T10:00:00Z").replace(
            r#""recipientAccountId":"123456789012""#,
            r#""recipientAccountId":"999999999999""#,
        ),
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    let data = work.path().join("data");
    let s = summary(&govscan_local(
        &data,
        &[
            "trail",
            "ingest",
            input.to_str().unwrap(),
            "--since",
            "2024-03-05",
            "--regions",
            "us-east-1",
            "--accounts",
            "123456789012",
        ],
    ));
    // d1 is before --since, d3 in another region, d4 of another account.
    assert_eq!(
        (s["records_written"].as_u64(), s["filtered_out"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        query(&data, "SELECT event_id FROM cloudtrail_events")[0]["event_id"],
        "d2"
    );
}

/// The snapshot and the trail lake answer SQL together: IAM users joined with their events.
#[test]
fn snapshot_tables_join_the_trail_lake_on_the_user_arn() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let fixture = fixture();
    assert!(
        govscan_local(&data, &["-q", "trail", "ingest", fixture.to_str().unwrap()])
            .status
            .success()
    );

    let users: Vec<serde_json::Map<String, Value>> = ["benjamin", "nobody"]
        .iter()
        .map(|name| {
            let row = serde_json::json!({"account_id": "123837392027", "user_name": name, "arn": format!("arn:aws:iam::123837392027:user/{name}")});
            row.as_object().unwrap().clone()
        })
        .collect();
    let tables = std::collections::BTreeMap::from([("iam_users".to_owned(), users)]);
    common::write_snapshot(&data, "20230711T000000Z-0000", &tables, chrono::Utc::now());

    let joined = query(
        &data,
        "SELECT u.user_name, count(e.event_id) AS events FROM iam_users u \
         LEFT JOIN cloudtrail_events e ON e.user_identity['arn'] = u.arn GROUP BY u.user_name ORDER BY u.user_name",
    );
    assert_eq!(joined.len(), 2);
    assert_eq!(joined[0]["user_name"], "benjamin");
    assert!(joined[0]["events"].as_i64().unwrap() > 100, "{joined:?}");
    assert_eq!(joined[1]["events"], 0);
}

/// Trail files in a moto bucket, under an organization trail's key layout; a second run over
/// the grown prefix reads only the new object.
#[test]
fn s3_prefixes_are_ingested_incrementally() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let upload = |prefix: &str, dir: &Path| {
        let script = format!(
            r#"
import boto3, os, sys
s3 = boto3.client("s3", endpoint_url="{url}", region_name="us-east-1")
try:
    s3.create_bucket(Bucket="org-trail-logs")
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
root = sys.argv[1]
for d, _, files in os.walk(root):
    for f in files:
        path = os.path.join(d, f)
        s3.upload_file(path, "org-trail-logs", "{prefix}" + os.path.relpath(path, root))
"#,
            url = moto.url
        );
        let status = Command::new(common::python())
            .arg("-c")
            .arg(script)
            .arg(dir)
            .envs(common::aws_env())
            .status()
            .unwrap();
        assert!(status.success(), "upload to moto failed");
    };
    upload("AWSLogs/o-abc123def4/", &fixture());

    let data = work.path().join("data");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_govscan"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--endpoint-url", &moto.url])
            .args(args)
            .envs(common::aws_env())
            .output()
            .unwrap()
    };
    let first = run(&["trail", "ingest", "s3://org-trail-logs/AWSLogs/"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let s = summary(&first);
    assert_eq!(
        (s["files_read"].as_u64(), s["records_written"].as_u64()),
        (Some(55), Some(2900))
    );

    // One more object arrives under the prefix.
    let extra = work.path().join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(
        extra.join("new.json"),
        format!(
            r#"{{"Records":[{}]}}"#,
            record("late-1", "2023-07-11T00:00:01Z")
        ),
    )
    .unwrap();
    upload(
        "AWSLogs/o-abc123def4/218007301253/CloudTrail/us-east-1/2023/07/11/",
        &extra,
    );
    let second = summary(&run(&["trail", "ingest", "s3://org-trail-logs/AWSLogs/"]));
    assert_eq!(second["files_unchanged"], 55);
    assert_eq!(
        (
            second["files_read"].as_u64(),
            second["records_written"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(second["partitions"], serde_json::json!(["2023-07-11"]));

    // A bucket that does not exist is a fatal error naming it.
    let missing = run(&["trail", "ingest", "s3://no-such-bucket/AWSLogs/"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("s3://no-such-bucket/AWSLogs/"));
}

/// LookupEvents: moto answers it with HTTP 500, which is reported per region (exit 1); the
/// recorded response shape of the real API (two pages carrying real fixture records in
/// CloudTrailEvent) goes into the lake, deduplicated like any other source.
#[test]
fn lookup_events_failures_are_reported_and_recorded_responses_ingested() {
    let moto = common::start_moto();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let run = |endpoint: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_govscan"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--endpoint-url", endpoint])
            .args(args)
            .envs(common::aws_env())
            .output()
            .unwrap()
    };
    let failed = run(&moto.url, &["trail", "lookup", "--regions", "us-east-1"]);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    let s = summary(&failed);
    assert_eq!(s["rejected_files"][0][0], "lookup:us-east-1");
    assert!(
        s["rejected_files"][0][1]
            .as_str()
            .unwrap()
            .contains("HTTP500"),
        "{s}"
    );

    // Real records from the fixture, as LookupEvents wraps them.
    let file = fixture().join("218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1240Z_C1qUFaqvZS64BcIN.json.gz");
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap()),
        &mut text,
    )
    .unwrap();
    let records: Value = serde_json::from_str(&text).unwrap();
    let events: Vec<Value> = records["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::json!({"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": r.to_string()}))
        .collect();
    assert_eq!(events.len(), 2);
    let rules = serde_json::json!([
        {"action": "LookupEvents", "times": 1, "body": {"Events": [events[0]], "NextToken": "page-2"}},
        {"action": "LookupEvents", "times": 1, "body": {"Events": [events[1], events[0]]}},
    ]);
    let proxy = common::start_fault_proxy(&moto.url, &rules, work.path());
    let ok = run(&proxy.url, &["trail", "lookup", "--regions", "us-east-1"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let s = summary(&ok);
    assert_eq!(
        (
            s["records_written"].as_u64(),
            s["duplicates_skipped"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        common::proxy_stats(&proxy)["LookupEvents"],
        2,
        "both pages were read"
    );
    let got = query(
        &data,
        "SELECT event_name, source_file FROM cloudtrail_events ORDER BY event_name",
    );
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["source_file"], "lookup:us-east-1");
}
