//! Hostile data in a snapshot: names and policies with terminal escapes, bells, bidi
//! overrides, NULs and letters that look like others; policies far past IAM's size limits
//! (IAM stops at 10,240 characters for a managed policy, 20,480 for a role's inline ones)
//! and nested thousands deep. Every command that reads them finishes (exit 0 or 1), keeps
//! control characters out of what a terminal, a Markdown viewer or a spreadsheet shows,
//! and writes output bounded by its input (sizes, not timings).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::common::{govscan_local, stderr, write_snapshot};

/// A name with an ANSI colour escape, a bell, a bidi override, a NUL and a backspace.
const CONTROL: &str = "evil\u{1b}[31mred\u{7}\u{202e}gnp.exe\u{0}\u{8}";
/// `admin` with a Cyrillic `а` (U+0430): looks the same, is not.
const CONFUSABLE: &str = "\u{430}dmin";

fn row(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

/// A policy of `n` statements, each allowing one object prefix.
fn huge_policy(n: usize) -> String {
    let statements: Vec<Value> = (0..n)
        .map(|i| json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::bucket-{i}/*")}))
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// JSON nested `depth` deep in a policy's condition.
fn deep_policy(depth: usize) -> String {
    format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Condition\":{}1{}}}]}}",
        "{\"a\":".repeat(depth),
        "}".repeat(depth)
    )
}

#[test]
fn hostile_names_and_policies_stay_inert_and_bounded_in_every_command() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let account = "111111111111";
    let trust = |who: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": who}, "Action": "sts:AssumeRole"}]}).to_string()
    };
    let huge = huge_policy(20_000);
    let deep = deep_policy(5_000);
    let roles = vec![
        row(json!({"account_id": account, "role_name": CONTROL,
            "arn": format!("arn:aws:iam::{account}:role/{CONTROL}"), "assume_role_policy": trust("999988887777")})),
        row(json!({"account_id": account, "role_name": CONFUSABLE,
            "arn": format!("arn:aws:iam::{account}:role/{CONFUSABLE}"), "assume_role_policy": trust(&format!("arn:aws:iam::{account}:root"))})),
        row(json!({"account_id": account, "role_name": "deep",
            "arn": format!("arn:aws:iam::{account}:role/deep"), "assume_role_policy": deep})),
    ];
    let users = vec![row(json!({"account_id": account, "user_name": CONTROL,
        "arn": format!("arn:aws:iam::{account}:user/{CONTROL}")}))];
    let buckets = vec![
        row(
            json!({"account_id": account, "bucket_name": format!("b-{CONTROL}"), "region": "us-east-1",
            "arn": format!("arn:aws:s3:::b-{CONTROL}"), "policy": huge}),
        ),
        row(
            json!({"account_id": account, "bucket_name": "deep-policy", "region": "us-east-1",
            "arn": "arn:aws:s3:::deep-policy", "policy": deep_policy(5_000)}),
        ),
    ];
    let mut tables = BTreeMap::new();
    tables.insert("iam_roles".to_owned(), roles);
    tables.insert("iam_users".to_owned(), users);
    tables.insert("s3_buckets".to_owned(), buckets);
    write_snapshot(&data, "hostile-1", &tables, chrono::Utc::now());
    let input_bytes: usize = huge.len() * 2 + 200_000;

    let mut runs: Vec<(String, Vec<String>)> = Vec::new();
    // The formats a person reads as text, and JSON; SARIF, JUnit and HTML escape by their own
    // rules, which tests/it/reports.rs holds to with hostile strings in every field.
    for format in ["table", "json", "markdown", "csv"] {
        runs.push((
            format!("check --format {format}"),
            ["check", "--format", format].map(String::from).to_vec(),
        ));
    }
    runs.push((
        "query".into(),
        ["query", "SELECT role_name, arn FROM iam_roles"]
            .map(String::from)
            .to_vec(),
    ));
    runs.push((
        "policy who-can".into(),
        [
            "policy",
            "who-can",
            "s3:GetObject",
            "arn:aws:s3:::bucket-7/x",
        ]
        .map(String::from)
        .to_vec(),
    ));
    runs.push(("tables".into(), vec!["tables".into()]));
    for (what, args) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = govscan_local(&data, &args);
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{what}: exit {:?}: {err}",
            out.status.code()
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(
            out.stdout.len() < input_bytes * 4,
            "{what}: {} bytes out of {input_bytes} in",
            out.stdout.len()
        );
        let text = String::from_utf8_lossy(&out.stdout);
        // What a person reads (a terminal table, Markdown, CSV) carries no raw escape,
        // bell, NUL, backspace or bidi override; JSON, SARIF, JUnit and HTML escape them
        // by their own rules (checked by their parsers and the report tests).
        if matches!(
            what.as_str(),
            "check --format table"
                | "check --format markdown"
                | "check --format csv"
                | "query"
                | "policy who-can"
        ) {
            for bad in ['\u{1b}', '\u{7}', '\u{0}', '\u{8}', '\u{202e}'] {
                let line = text.lines().chain(err.lines()).find(|l| l.contains(bad));
                assert!(
                    line.is_none(),
                    "{what}: a raw {bad:?} reached the output: {line:?}"
                );
            }
        }
        if what.ends_with("json") {
            let _: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        }
    }
}
