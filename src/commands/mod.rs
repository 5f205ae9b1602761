//! What each subcommand does, between the parsed CLI and the library.

pub mod audit;
pub mod check;
pub mod cluster;
pub mod collect;
pub mod demo;
pub mod diff;
// The generator of docs/ runs as a test: it writes or checks the pages.
#[cfg(test)]
mod docs;
pub mod export;
pub mod hunt;
pub mod policy;
pub mod query;
pub mod report;
pub mod snapshots;
pub mod tables;
pub mod trail;

use std::io::Write;

/// Errors a command returns to `main`, which prints the chain and exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Collect(#[from] govscan::collect::run::CollectError),
    #[error(transparent)]
    Store(#[from] govscan::store::StoreError),
    #[error(transparent)]
    Engine(#[from] govscan::engine::EngineError),
    #[error("{context}: {}", govscan::engine::describe_sql_error(source))]
    Sql {
        context: String,
        source: datafusion::error::DataFusionError,
    },
    #[error("{context}: {source}")]
    Arrow {
        context: String,
        source: datafusion::arrow::error::ArrowError,
    },
    #[error(transparent)]
    Check(#[from] govscan::checks::run::RunError),
    #[error(transparent)]
    CheckLoad(#[from] govscan::rules::RuleError),
    #[error(transparent)]
    Ingest(#[from] govscan::trail::IngestError),
    #[error(transparent)]
    Hunt(#[from] govscan::hunt::HuntError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Render(#[from] govscan::report::RenderError),
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
    /// A signal ended the command; on a cluster, its running jobs were cancelled first.
    #[error("interrupted by {signal} (cancelled {cancelled_jobs} running cluster job(s))")]
    Interrupted {
        signal: &'static str,
        /// 128 + the signal's number, as shells report a process a signal ended.
        exit_code: u8,
        cancelled_jobs: usize,
    },
}

/// Writes a report to `output` (atomically) or, without one, to stdout.
pub fn write_output(output: Option<&std::path::Path>, text: &str) -> Result<(), CommandError> {
    match output {
        Some(path) => Ok(govscan::store::atomic_write(path, text.as_bytes())?),
        None => stdout_write(text),
    }
}

/// Renders `report` as `format` to `--output` or standard output; the terminal table is
/// coloured only on a terminal without NO_COLOR.
pub fn write_report(
    format: govscan::report::Format,
    report: &govscan::report::Report,
    flags: &crate::cli::ReportFlags,
) -> Result<(), CommandError> {
    let options = govscan::report::RenderOptions {
        templates: flags.templates.as_deref(),
        colour: govscan::report::terminal::wanted(flags.output.as_deref()),
    };
    let bytes = govscan::report::render(format, report, options)?;
    match flags.output.as_deref() {
        Some(path) => Ok(govscan::store::atomic_write(path, &bytes)?),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Writes to stdout; a closed pipe (`govscan ... | head`) is reported as such so `main` can
/// exit quietly.
pub fn stdout_write(text: &str) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
