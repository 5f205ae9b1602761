//! The report formats, three ways: snapshots (insta) of every format for a check report and a
//! hunt report; SARIF validated against the SARIF 2.1.0 JSON schema (tests/fixtures/sarif,
//! OASIS schema via the MIT serde-sarif crate) by an independent validator (Python's
//! jsonschema, in the test venv); and the HTML opened in headless Chromium, which must show
//! every finding and run no script that came from the data.
//!
//! Refresh the snapshots after an intended change with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test reports` and read the diff).

use std::path::{Path, PathBuf};
use std::process::Command;

use govscan::report::{render, Format, Item, Outcome, RenderOptions, Report, Rule, Source};
use govscan::rules::Severity;
use serde_json::Value;

use crate::common::{self, govscan_local, manifest_dir};

const FORMATS: [Format; 6] = [
    Format::Sarif,
    Format::Junit,
    Format::Markdown,
    Format::Csv,
    Format::Html,
    Format::Ocsf,
];

/// `report` as `format`, as text.
fn rendered(format: Format, report: &Report) -> String {
    String::from_utf8(render(format, report, RenderOptions::default()).unwrap()).unwrap()
}

/// Text from the data that each format must keep inert: markup, a script that would mark the
/// page if it ran, a terminal escape, a Markdown table break, a spreadsheet formula.
const HOSTILE: &str = "<script>document.documentElement.dataset.pwned='script'</script>\
<img src=x onerror=\"document.documentElement.dataset.pwned='img'\"> | `x` \u{1b}[2J & \"q\" 'a' =cmd|' /C calc'!A0\nnext";

fn rule(id: &str, severity: Severity, source: &str, tags: &[&str]) -> Rule {
    Rule {
        id: id.into(),
        title: format!("Title of {id}"),
        severity,
        description: format!("What {id} looks for."),
        remediation: if source.starts_with("checks/") {
            format!("How to fix {id}.")
        } else {
            String::new()
        },
        tags: tags.iter().map(|t| t.to_string()).collect(),
        source: source.into(),
    }
}

fn item(rule_id: &str, outcome: Outcome, subject: &str, reason: &str) -> Item {
    Item {
        rule_id: rule_id.into(),
        outcome,
        subject: subject.into(),
        account_id: Some("111111111111".into()),
        region: Some("eu-west-1".into()),
        reason: reason.into(),
        time: None,
        evidence: Vec::new(),
        source_ip_address: None,
    }
}

/// A check report with every outcome, one hostile bucket name among them.
fn check_report() -> Report {
    Report {
        // The generic formats read rules and items only.
        detail: Report::from_checks("20240310T100000Z", &[], &[]).detail,
        source: Source::Check,
        scope: "snapshot 20240310T100000Z".into(),
        rules: vec![
            rule(
                "s3-public-bucket",
                Severity::High,
                "checks/s3/s3-public-bucket.sql",
                &["cis-aws-5.0 2.1.4"],
            ),
            rule(
                "iam-root-mfa",
                Severity::Critical,
                "checks/iam/iam-root-mfa.sql",
                &["cis-aws-5.0 1.5", "cis-aws-7.0 1.5"],
            ),
        ],
        items: vec![
            item(
                "s3-public-bucket",
                Outcome::Fail,
                &format!("arn:aws:s3:::www-{HOSTILE}"),
                "the bucket policy allows s3:GetObject to *",
            ),
            item(
                "s3-public-bucket",
                Outcome::Pass,
                "arn:aws:s3:::logs",
                "Block Public Access is on",
            ),
            item(
                "s3-public-bucket",
                Outcome::Muted,
                "arn:aws:s3:::website",
                "muted (public website, expires 2027-01-01): the bucket policy allows s3:GetObject to *",
            ),
            item(
                "iam-root-mfa",
                Outcome::NotAssessed,
                "arn:aws:iam::222222222222:root",
                "collection failed: iam:GetAccountSummary AccessDenied",
            ),
        ],
    }
}

/// A hunt report: findings with evidence, one carrying hostile strings in every field.
fn hunt_report() -> Report {
    let finding = |subject: &str, reason: &str, time: &str, ids: &[&str]| Item {
        time: Some(time.into()),
        evidence: ids.iter().map(|i| i.to_string()).collect(),
        source_ip_address: Some("203.0.113.7".into()),
        ..item("root-activity", Outcome::Finding, subject, reason)
    };
    Report {
        detail: Report::from_hunt("", &[], &[]).detail,
        source: Source::Hunt,
        scope: "2024-03-01T00:00:00Z to 2024-04-01T00:00:00Z".into(),
        rules: vec![
            rule(
                "root-activity",
                Severity::High,
                "queries/initial-access/root-activity.sql",
                &["TA0001", "T1078.004"],
            ),
            rule(
                "enumeration-burst",
                Severity::Medium,
                "queries/discovery/enumeration-burst.sql",
                &["TA0007", "T1580"],
            ),
        ],
        items: vec![
            finding(
                "arn:aws:iam::111111111111:root",
                "ConsoleLogin by the root user",
                "2024-03-10T10:00:00Z",
                &["0f6c1b5e-1111-4c3a-9d0e-000000000001"],
            ),
            Item {
                region: Some(HOSTILE.into()),
                ..finding(
                    &format!("arn:aws:iam::111111111111:user/{HOSTILE}"),
                    &format!("called with user agent {HOSTILE}"),
                    "2024-03-11T08:30:00Z",
                    &[
                        "0f6c1b5e-1111-4c3a-9d0e-000000000002",
                        "0f6c1b5e-1111-4c3a-9d0e-000000000003",
                    ],
                )
            },
        ],
    }
}

/// A check run for a framework whose six controls get the six verdicts: FAIL, PASS,
/// NOT_ASSESSED (a result could not be assessed), MANUAL (evidence only), NOT_COLLECTED and
/// NO_RESOURCES.
fn framework_report() -> Report {
    let framework: govscan::checks::framework::Framework = serde_norway::from_str(
        r#"
id: cis-test
title: A test benchmark
sections:
  - id: "1"
    title: Identity
    controls:
      - {id: "1.1", title: "Root has MFA", level: 1, assessment: automated}
      - {id: "1.2", title: "Passwords are long", level: 1, assessment: automated}
      - {id: "1.3", title: "Keys are rotated", level: 2, assessment: automated}
      - {id: "1.4", title: "Accounts sit in OUs", level: 2, assessment: manual, evidence: "a reviewer judges the OU design"}
      - {id: "1.5", title: "Instances use roles", level: 2, assessment: automated, not_collected: "ec2:DescribeInstances"}
      - {id: "1.6", title: "Certificates are current", level: 1, assessment: automated}
"#,
    )
    .unwrap();
    let check = |id: &str, controls: &str| {
        let text = format!("-- id: {id}\n-- title: {id}\n-- severity: high\n-- description: d\n-- remediation: r\n-- frameworks: {{ cis-test: [{controls}] }}\n-- tables: [iam_users]\nSELECT 1\n");
        govscan::checks::parse_check(Path::new("checks/x.sql"), &text).unwrap()
    };
    let checks = vec![
        check("root-mfa", "\"1.1\""),
        check("password-length", "\"1.2\""),
        check("key-rotation", "\"1.3\""),
        check("accounts-in-ous", "\"1.4\""),
        check("expired-certificates", "\"1.6\""),
    ];
    let result = |check: &str, control: &str, status: govscan::checks::run::Status| {
        govscan::checks::run::CheckResult {
            check_id: check.into(),
            title: check.into(),
            severity: Severity::High,
            frameworks: [("cis-test".to_owned(), vec![control.to_owned()])].into(),
            resource_id: format!("arn:aws:iam::111111111111:{check}"),
            account_id: "111111111111".into(),
            region: None,
            status,
            reason: format!("{check} says so"),
        }
    };
    use govscan::checks::run::Status::*;
    let results = vec![
        result("root-mfa", "1.1", Fail),
        result("password-length", "1.2", Pass),
        result("key-rotation", "1.3", NotAssessed),
        result("accounts-in-ous", "1.4", Fail),
    ];
    Report::from_checks("20240310T100000Z", &checks, &results).with_framework(Some(&framework))
}

fn reports() -> [(&'static str, Report); 3] {
    [
        ("check", check_report()),
        ("hunt", hunt_report()),
        ("framework", framework_report()),
    ]
}

/// Each of the six control verdicts is told apart in every format that reports controls.
#[test]
fn control_verdicts_are_distinct_in_every_format() {
    let report = framework_report();
    for format in [
        Format::Json,
        Format::Table,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Html,
        Format::Ocsf,
    ] {
        let text = rendered(format, &report);
        for verdict in [
            "FAIL",
            "PASS",
            "NOT_ASSESSED",
            "MANUAL",
            "NOT_COLLECTED",
            "NO_RESOURCES",
        ] {
            // A JUnit pass is a case without a failure, error or skip: no word for it.
            if format == Format::Junit && verdict == "PASS" {
                assert!(
                    text.contains(
                        r#"<testcase classname="cis-test" name="1.2 Passwords are long"/>"#
                    ),
                    "{text}"
                );
                continue;
            }
            assert!(text.contains(verdict), "{}: no {verdict}", format.name());
        }
        assert!(
            text.contains("ec2:DescribeInstances"),
            "{}: the API that is not collected",
            format.name()
        );
    }
    // JUnit's own vocabulary: a failure, an error (not assessed) and three skips.
    let junit = rendered(Format::Junit, &report);
    let suite = &junit[junit.find("<testsuite name=\"cis-test\"").unwrap()..];
    assert!(
        suite.contains(r#"failures="1" errors="1" skipped="3""#),
        "{suite}"
    );
    for format in [Format::Json, Format::Table] {
        let settings = snapshot_settings(&format!("framework-{}", format.name()));
        let text = rendered(format, &report);
        settings.bind(|| insta::assert_snapshot!(text));
    }
}

/// Snapshot settings named `suffix`, blanking what changes from run to run or release to
/// release: the render time, the script nonce, OCSF's "now", govscan's version.
fn snapshot_settings(suffix: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_suffix(suffix);
    settings.add_filter(
        r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC",
        "generated [time]",
    );
    settings.add_filter(r"nonce-[0-9a-f]{32}", "nonce-[nonce]");
    settings.add_filter(r#"nonce="[0-9a-f]{32}""#, r#"nonce="[nonce]""#);
    settings.add_filter(r#""time":\s*\d{13}"#, r#""time":[now]"#);
    settings.add_filter(
        &regex_escape(env!("CARGO_PKG_VERSION")),
        "[govscan version]",
    );
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = !c.is_ascii_alphanumeric();
            escape.then_some('\\').into_iter().chain(Some(c))
        })
        .collect()
}

#[test]
fn every_format_matches_its_snapshot() {
    for (name, report) in reports() {
        for format in FORMATS {
            let rendered = rendered(format, &report);
            let settings = snapshot_settings(&format!("{name}-{}", format.name()));
            settings.bind(|| insta::assert_snapshot!(rendered));
        }
    }
}

/// The terminal table and JSON of `govscan hunt` over the real attack-simulation logs.
#[test]
fn hunt_table_and_json_match_their_snapshots() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let fixture = manifest_dir().join("demo/logs/AWSLogs");
    let ingest = govscan_local(&data, &["-q", "trail", "ingest", fixture.to_str().unwrap()]);
    assert!(ingest.status.success(), "{}", common::stderr(&ingest));
    let only = "leave-organization,cloudtrail-tampering,root-activity";
    for format in ["table", "json"] {
        let out = govscan_local(&data, &["hunt", "--only", only, "--format", format]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        snapshot_settings(&format!("invictus-{format}"))
            .bind(|| insta::assert_snapshot!(common::stdout(&out)));
    }
}

/// Validates each document against the SARIF 2.1.0 schema with Python's jsonschema; returns
/// the validator's complaints per document (empty = valid).
fn sarif_schema_errors(documents: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let work = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, (name, text)) in documents.iter().enumerate() {
        let path = work.path().join(format!("{i}.sarif"));
        std::fs::write(&path, text).unwrap();
        paths.push((name.clone(), path));
    }
    let script = r#"
import json, sys
from jsonschema import Draft7Validator
schema = json.load(open(sys.argv[1]))
Draft7Validator.check_schema(schema)
validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.absolute_path))
    print(json.dumps(["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in errors]))
"#;
    let schema = manifest_dir().join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    let out = Command::new(common::python())
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(paths.iter().map(|(_, p)| p))
        .output()
        .expect("run python");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let stdout = common::stdout(&out);
    paths
        .into_iter()
        .zip(stdout.lines())
        .map(|((name, _), line)| (name, serde_json::from_str(line).unwrap()))
        .collect()
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let mut documents: Vec<(String, String)> = reports()
        .into_iter()
        .map(|(name, r)| (name.to_owned(), rendered(Format::Sarif, &r)))
        .collect();
    // Real output too: every built-in check over the demo organization, every detection
    // over the demo's real CloudTrail logs.
    let work = tempfile::tempdir().unwrap();
    let data = common::demo_data(work.path());
    for command in ["check", "hunt"] {
        let out = govscan_local(&data, &[command, "--format", "sarif"]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        let text = common::stdout(&out);
        let sarif: Value = serde_json::from_str(&text).unwrap();
        assert!(
            !sarif["runs"][0]["results"].as_array().unwrap().is_empty(),
            "{command}: the demo has failures and findings"
        );
        documents.push((format!("demo {command}"), text));
    }
    // The validator is not a rubber stamp: a level SARIF does not define is refused.
    let broken = documents[0]
        .1
        .replacen("\"level\": \"error\"", "\"level\": \"severe\"", 1);
    assert_ne!(
        broken, documents[0].1,
        "the check report has an error-level result"
    );
    documents.push(("broken".into(), broken));

    let results = sarif_schema_errors(&documents);
    assert_eq!(results.len(), documents.len());
    for (name, errors) in &results[..results.len() - 1] {
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    let (_, errors) = results.last().unwrap();
    assert!(
        errors.iter().any(|e| e.contains("'severe'")),
        "the broken document passed: {errors:?}"
    );
}

/// Debian's Chromium, or what GOVSCAN_CHROMIUM names.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("GOVSCAN_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// The page as Chromium has it after loading and running its scripts, and Chromium's log.
fn rendered_in_chromium(browser: &Path, page: &Path, profile: &Path) -> (String, String) {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "{}", common::stderr(&out));
    (common::stdout(&out), common::stderr(&out))
}

#[test]
fn html_reports_render_in_headless_chromium_and_run_no_script_from_the_data() {
    let Some(browser) = chromium() else {
        // scripts/test installs Debian's chromium where it can; without it, say so loudly.
        eprintln!(
            "SKIPPED: no chromium on PATH (apt-get install chromium, or set GOVSCAN_CHROMIUM)"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    // The reports that carry hostile strings (the framework report has none).
    for (name, report) in reports()
        .into_iter()
        .filter(|(name, _)| *name != "framework")
    {
        let page = work.path().join(format!("{name}.html"));
        std::fs::write(&page, rendered(Format::Html, &report)).unwrap();
        let (dom, log) = rendered_in_chromium(&browser, &page, &work.path().join("profile"));

        // Every non-passing item is a row of the results table.
        let shown = report
            .items
            .iter()
            .filter(|i| i.outcome != Outcome::Pass)
            .count();
        assert_eq!(dom.matches("<td class=\"outcome ").count(), shown, "{name}");
        // The report's own script ran (it reveals the filter box and titles the headers)...
        assert!(
            dom.contains("<input id=\"filter\" type=\"search\" placeholder="),
            "{name}: {dom}"
        );
        assert!(dom.contains("title=\"Sort by rule\""), "{name}");
        // ...and nothing from the data did: no element it would have marked, its text shown
        // as text, one script element in the page, no script refused by the policy.
        assert!(!dom.contains("data-pwned"), "{name}: {dom}");
        assert!(
            dom.contains("&lt;script&gt;document.documentElement.dataset.pwned"),
            "{name}"
        );
        assert_eq!(dom.matches("<script").count(), 1, "{name}");
        assert!(!log.contains("Refused to"), "{name}: {log}");
    }
}

/// The terminal tables are coloured on a terminal (a pseudo-terminal from util-linux's
/// `script`), and not when NO_COLOR is set or the output is a pipe.
#[test]
fn terminal_tables_are_coloured_only_on_a_terminal_without_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: no `script` (util-linux) to give govscan a terminal");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let fixture = manifest_dir().join("demo/logs/AWSLogs");
    let ingest = govscan_local(&data, &["-q", "trail", "ingest", fixture.to_str().unwrap()]);
    assert!(ingest.status.success(), "{}", common::stderr(&ingest));
    let hunt = format!(
        "{} --data-dir {} hunt --only leave-organization",
        env!("CARGO_BIN_EXE_govscan"),
        data.display()
    );
    let on_terminal = |no_color: Option<&str>| {
        let mut command = Command::new("script");
        command
            .args(["-qec", &hunt, "/dev/null"])
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            command.env("NO_COLOR", v);
        }
        let out = command.output().unwrap();
        assert!(out.status.success(), "{}", common::stderr(&out));
        common::stdout(&out)
    };
    let coloured = on_terminal(None);
    assert!(
        coloured.contains("leave-organization [\u{1b}[1;31mhigh\u{1b}[0m]"),
        "{coloured:?}"
    );
    let plain = on_terminal(Some("1"));
    assert!(plain.contains("leave-organization [high]"), "{plain:?}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let piped = govscan_local(&data, &["hunt", "--only", "leave-organization"]);
    assert!(!common::stdout(&piped).contains('\u{1b}'));
}
