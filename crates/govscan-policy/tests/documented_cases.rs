//! The IAM policy engine against AWS's documented behaviour: tests/fixtures/documented-cases.yaml
//! holds requests with the decision the AWS documentation gives for them, each quoting the
//! rule it tests. They are decided through [`eval_line`], the function behind
//! `govscan policy eval`, so the same lines can be fed to the CLI.

use std::path::Path;

use govscan_policy::request_line::{eval_line, Documents};
use serde_json::{json, Value};

/// Expands the fixture's shorthands: a policy written as a list of statements, or
/// `ALLOW_ALL`, becomes a 2012-10-17 document.
fn expand_policy(value: &Value) -> Value {
    match value {
        Value::String(s) if s == "ALLOW_ALL" => json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
        }),
        Value::Array(statements) => json!({"Version": "2012-10-17", "Statement": statements}),
        other => other.clone(),
    }
}

fn expand_input(input: &Value) -> Value {
    let mut out = input.clone();
    let object = out.as_object_mut().unwrap();
    for key in [
        "identity_policies",
        "permission_boundaries",
        "vpc_endpoint_policies",
    ] {
        if let Some(Value::Array(list)) = object.get_mut(key) {
            *list = list.iter().map(expand_policy).collect();
        }
    }
    for key in ["session_policy", "resource_policy"] {
        if let Some(v) = object.get_mut(key) {
            *v = expand_policy(v);
        }
    }
    for key in ["scps", "rcps"] {
        if let Some(Value::Array(levels)) = object.get_mut(key) {
            for level in levels.iter_mut() {
                if let Value::Array(list) = level {
                    *list = list.iter().map(expand_policy).collect();
                }
            }
        }
    }
    out
}

#[test]
fn decisions_agree_with_the_documented_behaviour() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documented-cases.yaml"),
    )
    .unwrap();
    let cases: Vec<Value> = serde_norway::from_str(&text).unwrap();
    assert!(cases.len() >= 40, "a broad case set");
    let lines: Vec<String> = cases
        .iter()
        .map(|c| expand_input(&c["input"]).to_string())
        .collect();
    let mut documents = Documents::default();
    let answers: Vec<Value> = lines
        .iter()
        .zip(&cases)
        .map(|(line, case)| {
            eval_line(line, &mut documents).unwrap_or_else(|e| panic!("{}: {e}", case["name"]))
        })
        .collect();
    let mut disagreements = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        let expect = &case["expect"];
        let mut agrees = answer["decision"] == expect["decision"];
        if let Some(blocked) = expect.get("blocked_by") {
            agrees &= &answer["blocked_by"] == blocked;
        }
        if !agrees {
            disagreements.push(format!(
                "{}: expected {expect}, got {answer}\n  documented: {}",
                case["name"], case["doc"]
            ));
        }
    }
    eprintln!(
        "the policy engine agrees with the documented decision in {} of {} cases",
        cases.len() - disagreements.len(),
        cases.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
