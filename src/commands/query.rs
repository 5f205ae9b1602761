//! `govscan query`: ad-hoc SQL over a snapshot, as a one-shot command or a small shell.

use std::io::{BufRead, IsTerminal, Write};

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::SessionContext;

use crate::cli::{QueryArgs, QueryFormat};
use govscan::engine;
use govscan::report::terminal::escape_for_terminal;
use govscan::store::DataDir;

use super::{stdout_write, CommandError};

pub async fn run(
    sessions: &govscan::engine::Sessions,
    data_dir: &DataDir,
    args: &QueryArgs,
) -> Result<(), CommandError> {
    if args.format == QueryFormat::Parquet && args.output.is_none() {
        return Err(CommandError::Usage(
            "--format parquet needs --output FILE".into(),
        ));
    }
    // Without any snapshot, the trail lake alone can still be queried.
    let ctx = match sessions.open(data_dir, args.snapshot.as_deref()).await {
        Ok(engine) => engine.ctx,
        Err(engine::EngineError::Store(govscan::store::StoreError::NoSnapshots { dir }))
            if args.snapshot.is_none() =>
        {
            match sessions.open_trail_only(data_dir).await? {
                Some(ctx) => ctx,
                None => return Err(govscan::store::StoreError::NoSnapshots { dir }.into()),
            }
        }
        Err(e) => return Err(e.into()),
    };
    // The hunt's views (default window and parameters), so a detection can be written and
    // tried here before it goes into queries/.
    if ctx.table_exist("cloudtrail_events").unwrap_or(false) {
        govscan::hunt::register_views(
            &ctx,
            govscan::hunt::Window::default(),
            &govscan::hunt::config::HuntConfig::default(),
        )
        .await?;
    }
    let sql = match (&args.sql, &args.file) {
        (Some(sql), _) => sql.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| CommandError::Usage(format!("{}: {e}", file.display())))?,
        (None, None) if std::io::stdin().is_terminal() => return shell(&ctx, data_dir).await,
        (None, None) => {
            let mut sql = String::new();
            for line in std::io::stdin().lock().lines() {
                sql.push_str(&line?);
                sql.push('\n');
            }
            sql
        }
    };
    let batches = execute(&ctx, &sql).await?;
    let bytes = render(&batches, args.format)?;
    match &args.output {
        Some(path) => govscan::store::atomic_write(path, &bytes).map_err(CommandError::from),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Runs every statement of `sql` and returns the batches of the last one.
pub async fn execute(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, CommandError> {
    let sql_err = |source| CommandError::Sql {
        context: "SQL".into(),
        source,
    };
    govscan::engine::cluster::prepare(ctx, sql)
        .await
        .map_err(sql_err)?;
    let df = ctx.sql(sql).await.map_err(sql_err)?;
    df.collect().await.map_err(sql_err)
}

pub fn render(batches: &[RecordBatch], format: QueryFormat) -> Result<Vec<u8>, CommandError> {
    let arrow_err = |source| CommandError::Arrow {
        context: "rendering the result".into(),
        source,
    };
    let mut buf = Vec::new();
    match format {
        QueryFormat::Table => {
            let table = datafusion::arrow::util::pretty::pretty_format_batches(batches)
                .map_err(arrow_err)?;
            buf.extend(escape_for_terminal(&table.to_string()).into_bytes());
            buf.push(b'\n');
        }
        QueryFormat::Csv => {
            let mut w = datafusion::arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut buf);
            for b in batches {
                w.write(b).map_err(arrow_err)?;
            }
        }
        QueryFormat::Json => {
            let mut w = datafusion::arrow::json::ArrayWriter::new(&mut buf);
            for b in batches {
                w.write(b).map_err(arrow_err)?;
            }
            w.finish().map_err(arrow_err)?;
            if buf.is_empty() {
                buf.extend_from_slice(b"[]");
            }
            buf.push(b'\n');
        }
        QueryFormat::Ndjson => {
            let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
            for b in batches {
                w.write(b).map_err(arrow_err)?;
            }
            w.finish().map_err(arrow_err)?;
        }
        QueryFormat::Parquet => {
            let schema = batches.first().map(|b| b.schema()).unwrap_or_else(|| {
                std::sync::Arc::new(datafusion::arrow::datatypes::Schema::empty())
            });
            let parquet_err = |e: datafusion::parquet::errors::ParquetError| {
                CommandError::Usage(format!("writing Parquet: {e}"))
            };
            let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(&mut buf, schema, None)
                .map_err(parquet_err)?;
            for b in batches {
                w.write(b).map_err(parquet_err)?;
            }
            w.close().map_err(parquet_err)?;
        }
    }
    Ok(buf)
}

/// The SQL shell: statements end with `;` and may span lines; `\d` lists the tables,
/// `\d NAME` a table's columns, `\q` quits. History is kept in `<data dir>/.govscan_history`
/// (in the home folder when the data directory is on S3).
async fn shell(ctx: &SessionContext, data_dir: &DataDir) -> Result<(), CommandError> {
    use rustyline::error::ReadlineError;
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| CommandError::Usage(format!("cannot start the shell: {e}")))?;
    let history_dir = match data_dir {
        DataDir::S3(_) => std::env::var_os("HOME").map(std::path::PathBuf::from),
        DataDir::Local(path) => Some(path.clone()),
    };
    let history = history_dir.as_ref().map(|d| d.join(".govscan_history"));
    if let Some(history) = &history {
        let _ = editor.load_history(history);
    }
    eprintln!("govscan SQL shell: end statements with ';', \\d lists tables, \\d NAME describes one, \\q quits.");
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            "govscan> "
        } else {
            "     ..> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            // Ctrl-C drops the statement being typed; Ctrl-D leaves.
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(CommandError::Usage(format!("reading input: {e}"))),
        };
        let trimmed = line.trim();
        if pending.is_empty() && trimmed.starts_with('\\') {
            let _ = editor.add_history_entry(trimmed);
            match meta_command(trimmed) {
                MetaCommand::Quit => break,
                MetaCommand::Sql(sql) => print_result(ctx, &sql).await?,
                MetaCommand::Unknown => eprintln!("unknown command {trimmed:?}"),
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        pending.push_str(&line);
        pending.push('\n');
        if trimmed.ends_with(';') {
            let sql = std::mem::take(&mut pending);
            let _ = editor.add_history_entry(sql.trim());
            print_result(ctx, &sql).await?;
        }
    }
    if let (Some(dir), Some(history)) = (&history_dir, &history) {
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = editor.save_history(history);
        }
    }
    Ok(())
}

enum MetaCommand {
    Quit,
    Sql(String),
    Unknown,
}

/// `\d` and `\d NAME` as queries of the information schema.
fn meta_command(line: &str) -> MetaCommand {
    // `\d NAME` takes the rest of the line as the name, quoted into the query.
    let mut parts = line.trim().splitn(2, char::is_whitespace);
    let command = parts.next().unwrap_or_default();
    let argument = parts.next().map(str::trim).filter(|a| !a.is_empty());
    match (command, argument) {
        ("\\q", None) => MetaCommand::Quit,
        ("\\d", None) => MetaCommand::Sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name".into()),
        ("\\d", Some(name)) => MetaCommand::Sql(format!(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = '{}' ORDER BY ordinal_position",
            name.replace('\'', "''")
        )),
        _ => MetaCommand::Unknown,
    }
}

async fn print_result(ctx: &SessionContext, sql: &str) -> Result<(), CommandError> {
    match execute(ctx, sql)
        .await
        .and_then(|b| render(&b, QueryFormat::Table))
    {
        Ok(bytes) => stdout_write(&String::from_utf8_lossy(&bytes)),
        // A mistake in the shell is reported and the shell goes on.
        Err(e) => {
            eprintln!("error: {e}");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_commands_become_information_schema_queries() {
        assert!(matches!(meta_command("\\q"), MetaCommand::Quit));
        assert!(matches!(meta_command("\\x"), MetaCommand::Unknown));
        let MetaCommand::Sql(sql) = meta_command("\\d iam_users'; DROP") else {
            panic!("sql")
        };
        assert!(
            sql.contains("'iam_users''; DROP'"),
            "quotes are escaped: {sql}"
        );
    }

    fn batch() -> RecordBatch {
        use datafusion::arrow::array::{Int64Array, StringArray};
        RecordBatch::try_from_iter([
            (
                "name",
                std::sync::Arc::new(StringArray::from(vec!["a,b", "c"])) as _,
            ),
            ("n", std::sync::Arc::new(Int64Array::from(vec![1, 2])) as _),
        ])
        .unwrap()
    }

    #[test]
    fn every_output_format_renders_the_rows() {
        let csv = String::from_utf8(render(&[batch()], QueryFormat::Csv).unwrap()).unwrap();
        assert_eq!(csv, "name,n\n\"a,b\",1\nc,2\n");
        let ndjson = String::from_utf8(render(&[batch()], QueryFormat::Ndjson).unwrap()).unwrap();
        assert_eq!(
            ndjson,
            "{\"name\":\"a,b\",\"n\":1}\n{\"name\":\"c\",\"n\":2}\n"
        );
        assert_eq!(
            String::from_utf8(render(&[], QueryFormat::Json).unwrap()).unwrap(),
            "[]\n"
        );
        let parquet = render(&[batch()], QueryFormat::Parquet).unwrap();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&parquet).unwrap();
        let reader =
            datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                file,
            )
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(reader.map(|b| b.unwrap().num_rows()).sum::<usize>(), 2);
    }

    #[test]
    fn terminal_escapes_are_made_visible() {
        let hostile = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}user";
        let shown = escape_for_terminal(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.contains("\\u{1b}[2J"));
        assert_eq!(escape_for_terminal("a\nb"), "a\nb");
    }
}
