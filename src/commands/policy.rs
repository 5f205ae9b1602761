//! `govscan policy eval` (requests in as JSON lines, decisions out as JSON lines), `policy
//! explain` (one request of a snapshot's principal), `policy who-can` (every principal that
//! may do one thing) and `policy can` (everything one principal may do).

use std::io::{BufRead, BufWriter, Write};

use serde_json::json;

use crate::cli::{
    ExplainFormat, PolicyCanArgs, PolicyEvalArgs, PolicyExplainArgs, PolicyWhoCanArgs, WhoCanFormat,
};
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
    let auth = load_authorization(data_dir, args.snapshot.as_deref()).await?;
    let context = parse_context(&args.context)?;
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
                    out.push_str(&format!("  {m}  {}\n", label(&m.to_string())));
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

/// `--context KEY=VALUE` options as a request context (a repeated key is multivalued).
fn parse_context(pairs: &[String]) -> Result<Context, CommandError> {
    let mut context = Context::new();
    let mut multi: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for pair in pairs {
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
    Ok(context)
}

/// `govscan policy who-can`.
pub async fn who_can(
    data_dir: &govscan::store::DataDir,
    args: &PolicyWhoCanArgs,
) -> Result<(), CommandError> {
    let auth = load_authorization(data_dir, args.snapshot.as_deref()).await?;
    let context = parse_context(&args.context)?;
    let grantees = auth.who_can(&args.action, &args.resource, &context);
    let text = match args.format {
        WhoCanFormat::Json => {
            serde_json::to_string_pretty(&json!({
                "action": args.action,
                "resource": args.resource,
                "context": context.entries(),
                "grantees": grantees,
            }))
            .expect("json")
                + "\n"
        }
        WhoCanFormat::Table => {
            use govscan::report::terminal::{columns, escape_for_terminal};
            let rows = grantees
                .iter()
                .map(|g| {
                    vec![
                        escape_for_terminal(&g.principal),
                        g.kind.to_owned(),
                        escape_for_terminal(g.account_id.as_deref().unwrap_or("-")),
                        escape_for_terminal(&g.granted_by.join("; ")),
                        escape_for_terminal(&g.conditions.join("; ")),
                    ]
                })
                .collect();
            let mut out = format!(
                "{} principal(s) may {} on {}\n",
                grantees.len(),
                escape_for_terminal(&args.action),
                escape_for_terminal(&args.resource)
            );
            if !grantees.is_empty() {
                out.push_str(&columns(
                    &["PRINCIPAL", "KIND", "ACCOUNT", "GRANTED BY", "CONDITIONS"],
                    rows,
                ));
            }
            for g in grantees.iter().filter(|g| !g.notes.is_empty()) {
                for note in &g.notes {
                    out.push_str(&format!(
                        "note: {}: {}\n",
                        escape_for_terminal(&g.principal),
                        escape_for_terminal(note)
                    ));
                }
            }
            out
        }
    };
    super::stdout_write(&text)?;
    Ok(())
}

/// The engine's view of a snapshot, its problems (a document that does not parse) warned.
async fn load_authorization(
    data_dir: &govscan::store::DataDir,
    snapshot: Option<&str>,
) -> Result<govscan::policy::snapshot::Authorization, CommandError> {
    let store = govscan::store::DataStore::open(data_dir).await?;
    let (snapshot, _) = govscan::store::Snapshot::resolve(&store, snapshot).await?;
    let auth = govscan::policy::snapshot::Authorization::load(&snapshot).await?;
    for problem in &auth.problems {
        eprintln!("warning: {problem}");
    }
    Ok(auth)
}

/// `govscan policy can`.
pub async fn can(
    data_dir: &govscan::store::DataDir,
    args: &PolicyCanArgs,
) -> Result<(), CommandError> {
    let auth = load_authorization(data_dir, args.snapshot.as_deref()).await?;
    let p = auth.principal_or_session(&args.principal).ok_or_else(|| {
        CommandError::Usage(format!(
            "{} is not a user, role or role session of the snapshot (see iam_users, iam_roles)",
            args.principal
        ))
    })?;
    let actions: Vec<String> = auth
        .actions_named(p)
        .into_iter()
        .filter(|a| {
            args.service.as_deref().is_none_or(|s| {
                a.split(':')
                    .next()
                    .is_some_and(|x| x.eq_ignore_ascii_case(s))
            })
        })
        .collect();
    let wanted_level = args.level.map(|l| l.catalog_name());
    let permissions: Vec<_> = auth
        .permissions(p, &actions)
        .into_iter()
        .filter(|p| wanted_level.is_none_or(|w| p.access_level == Some(w)))
        .collect();
    let (groups, cancelled) = govscan::policy::can::group_allowed(&permissions);
    let text = match args.format {
        WhoCanFormat::Json => {
            serde_json::to_string_pretty(&json!({
                "principal": args.principal,
                "groups": groups,
                "denied_by_guardrails": cancelled,
            }))
            .expect("json")
                + "\n"
        }
        WhoCanFormat::Table => {
            use govscan::report::terminal::{columns, escape_for_terminal};
            let rows = groups
                .iter()
                .map(|g| {
                    vec![
                        escape_for_terminal(&g.service),
                        g.access_level.clone(),
                        g.actions.len().to_string(),
                        escape_for_terminal(&g.resources.join(", ")),
                        if g.conditional { "yes" } else { "" }.to_owned(),
                    ]
                })
                .collect();
            let mut out = format!("{} can:\n", escape_for_terminal(&args.principal));
            out.push_str(&columns(
                &["SERVICE", "LEVEL", "ACTIONS", "RESOURCES", "CONDITIONAL"],
                rows,
            ));
            if cancelled > 0 {
                out.push_str(&format!(
                    "{cancelled} action-resource pair(s) its policies allow are denied by its SCPs, boundary or an explicit deny\n"
                ));
            }
            out
        }
    };
    super::stdout_write(&text)?;
    Ok(())
}
