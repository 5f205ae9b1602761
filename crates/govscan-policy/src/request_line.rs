//! The request lines of `govscan policy eval`: one JSON object a line with the principal, the
//! action, the resource, the context and every policy that applies, answered by one JSON
//! decision a line. The format is in the README ("govscan policy eval").

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::{evaluate, Context, Policies, Policy, Request};

/// One input line. A policy document may be given as a JSON object or as its JSON text;
/// documents stay raw text until [`Documents`] parses them (once per distinct text).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalInput<'a> {
    principal: String,
    action: String,
    #[serde(default = "star")]
    resource: String,
    resource_account: Option<String>,
    #[serde(default)]
    context: serde_json::Map<String, Value>,
    #[serde(default, borrow)]
    identity_policies: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    permission_boundaries: Vec<&'a RawValue>,
    #[serde(borrow)]
    session_policy: Option<&'a RawValue>,
    #[serde(borrow)]
    resource_policy: Option<&'a RawValue>,
    #[serde(default, borrow)]
    vpc_endpoint_policies: Vec<&'a RawValue>,
    #[serde(borrow)]
    scps: Option<Vec<Vec<&'a RawValue>>>,
    #[serde(borrow)]
    rcps: Option<Vec<Vec<&'a RawValue>>>,
}

/// Parsed documents by their JSON text: a batch of requests usually repeats the same
/// policies line after line, and parsing a large managed policy costs far more than
/// deciding a request with it.
#[derive(Default)]
pub struct Documents {
    parsed: std::collections::HashMap<String, Result<Policy, String>>,
}

impl Documents {
    fn get(&mut self, raw: &RawValue, what: &str) -> Result<Policy, String> {
        let text = raw.get();
        if !self.parsed.contains_key(text) {
            let parsed = match serde_json::from_str::<Value>(text) {
                // A document given as a string holds the JSON text.
                Ok(Value::String(inner)) => Policy::parse(&inner),
                Ok(value) => Policy::from_value(&value),
                Err(e) => Err(crate::PolicyError {
                    path: String::new(),
                    message: e.to_string(),
                }),
            };
            if self.parsed.len() > 10_000 {
                self.parsed.clear();
            }
            self.parsed
                .insert(text.to_owned(), parsed.map_err(|e| e.to_string()));
        }
        self.parsed[text]
            .clone()
            .map_err(|e| format!("{what}: {e}"))
    }

    fn list(&mut self, raws: &[&RawValue], what: &str) -> Result<Vec<Policy>, String> {
        raws.iter()
            .enumerate()
            .map(|(i, raw)| self.get(raw, &format!("{what}[{i}]")))
            .collect()
    }

    fn levels(
        &mut self,
        levels: &Option<Vec<Vec<&RawValue>>>,
        what: &str,
    ) -> Result<Option<Vec<Vec<Policy>>>, String> {
        levels
            .as_ref()
            .map(|levels| {
                levels
                    .iter()
                    .enumerate()
                    .map(|(i, level)| self.list(level, &format!("{what}[{i}]")))
                    .collect()
            })
            .transpose()
    }

    fn optional(&mut self, raw: Option<&RawValue>, what: &str) -> Result<Option<Policy>, String> {
        raw.filter(|r| r.get() != "null")
            .map(|r| self.get(r, what))
            .transpose()
    }
}

fn star() -> String {
    "*".into()
}

/// The context: strings, numbers and booleans as text; lists as multivalued keys.
fn context(map: &serde_json::Map<String, Value>) -> Result<Context, String> {
    let mut c = Context::new();
    let text = |v: &Value, key: &str| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!(
            "context.{key}: a value must be a string, number, boolean or a list of them"
        )),
    };
    for (key, value) in map {
        match value {
            Value::Array(list) => c.set_many(
                key,
                list.iter()
                    .map(|v| text(v, key))
                    .collect::<Result<_, _>>()?,
            ),
            v => c.set(key, text(v, key)?),
        }
    }
    Ok(c)
}

/// Decides one input line; the output line, or why the line could not be read.
pub fn eval_line(line: &str, documents: &mut Documents) -> Result<Value, String> {
    let input: EvalInput = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let identity = documents.list(&input.identity_policies, "identity_policies")?;
    let boundaries = documents.list(&input.permission_boundaries, "permission_boundaries")?;
    let session = documents.optional(input.session_policy, "session_policy")?;
    let resource = documents.optional(input.resource_policy, "resource_policy")?;
    let endpoints = documents.list(&input.vpc_endpoint_policies, "vpc_endpoint_policies")?;
    let scps = documents.levels(&input.scps, "scps")?;
    let rcps = documents.levels(&input.rcps, "rcps")?;
    let request = Request {
        principal: input.principal,
        action: input.action,
        resource: input.resource,
        resource_account: input.resource_account,
        context: context(&input.context)?,
    };
    let decision = evaluate(
        &request,
        &Policies {
            identity: &identity,
            boundaries: &boundaries,
            session: session.as_ref(),
            resource: resource.as_ref(),
            vpc_endpoints: &endpoints,
            scps: scps.as_deref(),
            rcps: rcps.as_deref(),
        },
    );
    Ok(serde_json::to_value(decision).expect("json"))
}
