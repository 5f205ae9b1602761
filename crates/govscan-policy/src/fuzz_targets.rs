//! What the fuzz targets (fuzz/fuzz_targets/) check, here so that the stable test suite
//! replays their corpus and the crashes they found (tests/fuzz_corpus.rs) without nightly:
//! no input panics, and a decision does not depend on how its policies are written.

use serde_json::Value;

use crate::request_line::{eval_line, Documents};
use crate::{evaluate, Context, Policies, Policy, Request};

/// A `policy eval` request line: decided without panicking; and a line that could be read,
/// with every policy's statements in reverse order and the JSON re-serialized (other
/// whitespace, keys as they were), gets the same decision: IAM's answer does not depend on
/// the order of statements.
pub fn policy_eval_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let first = eval_line(line, &mut Documents::default());
    let Ok(mut value) = serde_json::from_str::<Value>(line) else {
        return;
    };
    reverse_statements(&mut value);
    let second = eval_line(&value.to_string(), &mut Documents::default());
    // Only a line that was read is compared: re-serializing drops what made a line unreadable
    // (a duplicate key keeps its last value in a JSON value), which is no engine question.
    if let Ok(a) = &first {
        match &second {
            Ok(b) => assert_eq!(
                a.get("decision"),
                b.get("decision"),
                "statement order changed the decision of {line}"
            ),
            Err(e) => panic!("reordering statements made {line} unreadable: {e}"),
        }
    }
}

/// Every `Statement` list in the line's policies, reversed.
fn reverse_statements(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "Statement" {
                    if let Value::Array(items) = v {
                        items.reverse();
                    }
                }
                reverse_statements(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(reverse_statements),
        // A document given as its JSON text: reorder inside it too.
        Value::String(text) if text.trim_start().starts_with('{') => {
            if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
                reverse_statements(&mut inner);
                *text = inner.to_string();
            }
        }
        _ => {}
    }
}

/// A policy document's text: parsed without panicking, and when it parses, used as an
/// identity, resource and service control policy for a few requests without panicking.
pub fn policy_document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = Policy::parse(text) else {
        return;
    };
    let scps = vec![vec![policy.clone()]];
    for (principal, action, resource) in [
        (
            "arn:aws:iam::111122223333:user/alice",
            "s3:GetObject",
            "arn:aws:s3:::logs/a",
        ),
        (
            "arn:aws:sts::111122223333:assumed-role/app/s",
            "iam:PassRole",
            "*",
        ),
        (
            "*",
            "kms:Decrypt",
            "arn:aws:kms:us-east-1:111122223333:key/*",
        ),
    ] {
        let request = Request {
            principal: principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account: None,
            context: Context::default(),
        };
        let identity = std::slice::from_ref(&policy);
        evaluate(
            &request,
            &Policies {
                identity,
                resource: Some(&policy),
                scps: Some(&scps),
                ..Policies::default()
            },
        );
    }
}
