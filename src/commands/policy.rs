//! `govscan policy eval`: requests in as JSON lines, decisions out as JSON lines.

use std::io::{BufRead, BufWriter, Write};

use serde_json::json;

use crate::cli::{ExplainFormat, PolicyEvalArgs, PolicyExplainArgs};
use govscan::policy::request_line::{eval_line, Documents};
use govscan::policy::Context;

use super::CommandError;

pub fn eval(args: &PolicyEvalArgs) -> Result<(), CommandError> {
    let reader: Box<dyn BufRead> = match args.input.as_deref() {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p.as_os_str() == "-" => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p)
                .map_err(|e| CommandError::Usage(format!("{}: {e}", p.display())))?,
        )),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = 0usize;
    let mut documents = Documents::default();
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = eval_line(&line, &mut documents).unwrap_or_else(|e| {
            failed += 1;
            json!({"error": format!("line {}: {e}", n + 1)})
        });
        serde_json::to_writer(&mut out, &answer).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if failed > 0 {
        return Err(CommandError::Usage(format!(
            "{failed} input line(s) could not be evaluated (their output lines say why)"
        )));
    }
    Ok(())
}

/// `govscan policy explain`; true when the request is denied.
pub async fn explain(
    data_dir: &govscan::store::DataDir,
    args: &PolicyExplainArgs,
) -> Result<bool, CommandError> {
    let store = govscan::store::DataStore::open(data_dir).await?;
    let (snapshot, _) = govscan::store::Snapshot::resolve(&store, args.snapshot.as_deref()).await?;
    let auth = govscan::policy::snapshot::Authorization::load(&snapshot).await?;
    for problem in &auth.problems {
        eprintln!("warning: {problem}");
    }
    let mut context = Context::new();
    let mut multi: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for pair in &args.context {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            CommandError::Usage(format!("--context {pair:?}: expected KEY=VALUE"))
        })?;
        multi
            .entry(key.to_owned())
            .or_default()
            .push(value.to_owned());
    }
    for (key, values) in multi {
        match values.as_slice() {
            [one] => context.set(&key, one.clone()),
            _ => context.set_many(&key, values),
        }
    }
    let explanation = auth
        .explain(&args.principal, &args.action, &args.resource, &context)
        .map_err(CommandError::Usage)?;
    let text = match args.format {
        ExplainFormat::Json => serde_json::to_string_pretty(&explanation).expect("json") + "\n",
        ExplainFormat::Text => {
            let d = &explanation.decision;
            let mut out = format!(
                "{:?}: {} {} on {}\n",
                d.decision, explanation.principal, explanation.action, explanation.resource
            );
            if !d.blocked_by.is_empty() {
                out.push_str(&format!("blocked by: {}\n", d.blocked_by.join(", ")));
            }
            for note in &explanation.notes {
                out.push_str(&format!("note: {note}\n"));
            }
            let label = |reference: &str| {
                explanation
                    .policies
                    .iter()
                    .find(|(prefix, _)| reference.starts_with(&format!("{prefix}.")))
                    .map(|(_, l)| l.as_str())
                    .unwrap_or("")
            };
            if d.matched.is_empty() {
                out.push_str("no statement matched\n");
            } else {
                out.push_str("statements that matched:\n");
                for m in &d.matched {
                    out.push_str(&format!("  {m}  {}\n", label(m)));
                }
            }
            out.push_str("context (given, or the defaults of a real request):\n");
            for (key, values) in &explanation.context {
                out.push_str(&format!("  {key} = {}\n", values.join(", ")));
            }
            out.push_str("policies that applied:\n");
            for (reference, l) in &explanation.policies {
                out.push_str(&format!("  {reference}  {l}\n"));
            }
            govscan::report::terminal::escape_for_terminal(&out)
        }
    };
    super::stdout_write(&text)?;
    Ok(explanation.decision.decision != govscan::policy::DecisionKind::Allowed)
}
