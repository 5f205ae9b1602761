//! Policy evaluations per second on one core, for typical policies: real AWS managed
//! policies (tests/fixtures/iam) as identity policies, a permissions boundary, a three-level
//! SCP chain with a conditional deny, and a bucket policy, over a rotating set of requests.
//!
//! Three figures from the same run, one thread each:
//! - baseline: parsing each request's JSON line into a serde_json::Value, nothing else (what
//!   any JSON-lines tool pays before it can do anything);
//! - `evaluate` on pre-parsed policies (what the tables and checks do);
//! - the whole `govscan policy eval` line: parse the line, evaluate, serialize the answer,
//!   with the documents parsed once per distinct text as the command does, and with every
//!   document parsed anew (lines that never repeat a policy).
//!
//! cargo run --release -p govscan-policy --example policy_bench [SECONDS] [--evaluate-only]
//!
//! `--evaluate-only` runs the never-repeating `evaluate` figure alone, for a profiler
//! (`perf record -g target/release/examples/policy_bench 5 --evaluate-only`).
//!
//! It lives in the engine's crate, so a release build of it compiles the engine alone.

use std::io::Read;
use std::time::{Duration, Instant};

use govscan_policy::request_line::{eval_line, Documents};
use govscan_policy::{evaluate, Context, Policies, Policy, Request};
use serde_json::{json, Value};

fn managed(name: &str) -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/iam/aws-managed-policies.jsonl.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("fixture"))
        .read_to_string(&mut text)
        .expect("gzip");
    // Only the lines that can be the one asked for are parsed: setup stays out of a profile.
    text.lines()
        .filter(|l| l.contains(name))
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .find(|v| v["name"] == name)
        .map(|v| v["document"].clone())
        .unwrap_or_else(|| panic!("{name} is not in the fixture"))
}

fn rate(label: &str, seconds: f64, mut once: impl FnMut(usize)) -> f64 {
    // Warm up, then run for the time given.
    for i in 0..1000 {
        once(i);
    }
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs_f64(seconds) {
        for _ in 0..1000 {
            once(n);
            n += 1;
        }
    }
    let per_second = n as f64 / start.elapsed().as_secs_f64();
    println!("{label:58} {per_second:>12.0} /s");
    per_second
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let evaluate_only = std::env::args().any(|a| a == "--evaluate-only");
    let identity_docs = vec![
        managed("ReadOnlyAccess"),
        managed("AmazonS3FullAccess"),
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Home", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::corp-data/home/${aws:username}/*"},
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
        ]}),
    ];
    let boundary_doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["organizations:*", "account:*"], "Resource": "*"}]});
    let full = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let region_lock = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]});
    let scp_docs = vec![
        vec![full.clone()],
        vec![full.clone(), region_lock],
        vec![full],
    ];
    let bucket_doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::corp-data", "arn:aws:s3:::corp-data/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::corp-data/shared/*"}
    ]});
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::corp-data/shared/report.csv"),
        (
            "s3:PutObject",
            "arn:aws:s3:::corp-data/home/alice/notes.txt",
        ),
        ("s3:PutObject", "arn:aws:s3:::corp-data/home/bob/notes.txt"),
        (
            "ec2:RunInstances",
            "arn:aws:ec2:eu-west-1:111122223333:instance/*",
        ),
        ("iam:CreateUser", "arn:aws:iam::111122223333:user/mallory"),
        (
            "dynamodb:Scan",
            "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
        ),
        ("organizations:LeaveOrganization", "*"),
        ("kms:Decrypt", "arn:aws:kms:eu-west-1:111122223333:key/1234"),
    ];
    let context = json!({"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true", "aws:MultiFactorAuthPresent": "true"});
    let lines: Vec<String> = requests
        .iter()
        .map(|(action, resource)| {
            json!({
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": action,
                "resource": resource,
                "context": context,
                "identity_policies": identity_docs,
                "permission_boundaries": [boundary_doc],
                "resource_policy": if resource.starts_with("arn:aws:s3:::") { bucket_doc.clone() } else { Value::Null },
                "scps": scp_docs,
            })
            .to_string()
        })
        .collect();

    let parse = |v: &Value| Policy::from_value(v).expect("policy");
    let identity: Vec<Policy> = identity_docs.iter().map(parse).collect();
    let boundaries = vec![parse(&boundary_doc)];
    let scps: Vec<Vec<Policy>> = scp_docs
        .iter()
        .map(|l| l.iter().map(parse).collect())
        .collect();
    let bucket = parse(&bucket_doc);
    let mut ctx = Context::new();
    for (k, v) in context.as_object().expect("object") {
        ctx.set(k, v.as_str().expect("text"));
    }
    let prepared: Vec<Request> = requests
        .iter()
        .map(|(action, resource)| Request {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            action: action.to_string(),
            resource: resource.to_string(),
            resource_account: None,
            context: ctx.clone(),
        })
        .collect();
    // The same requests over 100,000 distinct resources (a key or file name that never
    // repeats), built beforehand: what an engine with a decision cache could not serve
    // from it.
    let distinct: Vec<Request> = (0..100_000)
        .map(|i| {
            let r = &prepared[i % prepared.len()];
            let resource = if r.resource.ends_with('*') || r.resource == "*" {
                r.resource.clone()
            } else {
                format!("{}-{i}", r.resource)
            };
            Request {
                resource,
                ..r.clone()
            }
        })
        .collect();
    let statements: usize = identity.iter().map(|p| p.statements.len()).sum();
    println!(
        "{} requests over {} identity statements, a boundary, 3 SCP levels, a bucket policy; {seconds} s each",
        requests.len(),
        statements
    );

    let baseline = rate(
        "baseline: serde_json parse of the request line",
        seconds,
        |i| {
            let v: Value = serde_json::from_str(&lines[i % lines.len()]).expect("json");
            std::hint::black_box(v);
        },
    );
    // One decision with the pre-parsed policies (the bucket policy for S3 requests).
    let decide = |r: &Request| {
        let resource = r.resource.starts_with("arn:aws:s3:::").then_some(&bucket);
        let d = evaluate(
            r,
            &Policies {
                identity: &identity,
                boundaries: &boundaries,
                resource,
                scps: Some(&scps),
                ..Default::default()
            },
        );
        std::hint::black_box(d);
    };
    if evaluate_only {
        rate(
            "evaluate, pre-parsed policies, requests that never repeat",
            seconds,
            |i| decide(&distinct[i % distinct.len()]),
        );
        return;
    }
    let engine = rate("evaluate, pre-parsed policies", seconds, |i| {
        decide(&prepared[i % prepared.len()])
    });
    let unrepeated = rate(
        "evaluate, pre-parsed policies, requests that never repeat",
        seconds,
        |i| decide(&distinct[i % distinct.len()]),
    );
    let mut documents = Documents::default();
    let cli = rate(
        "policy eval line: parse line, evaluate, answer",
        seconds,
        |i| {
            let out = eval_line(&lines[i % lines.len()], &mut documents).expect("line");
            std::hint::black_box(out.to_string());
        },
    );
    let cold = rate(
        "policy eval line, every document parsed anew",
        seconds,
        |i| {
            let out = eval_line(&lines[i % lines.len()], &mut Documents::default()).expect("line");
            std::hint::black_box(out.to_string());
        },
    );
    println!(
        "evaluate is {:.1}x the baseline parse ({:.1}x on requests that never repeat); a whole eval line {:.2}x it ({:.2}x with no document seen before)",
        engine / baseline,
        unrepeated / baseline,
        cli / baseline,
        cold / baseline
    );
}
