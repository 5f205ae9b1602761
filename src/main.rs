//! The govscan binary: parse the CLI, run the command, map the result to an exit code.
//! Exit codes: 0 success, 1 findings at or above --fail-on, 2 error.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use cli::{Cli, ClusterCommand, Command, ExportCommand, PolicyCommand, TrailCommand};
use commands::CommandError;
use govscan::engine::{cluster, Sessions};
use tracing_subscriber::EnvFilter;

// The command line and the commands live with the binary: the library's API is what
// they, the tests and the examples use.
mod cli;
mod commands;

/// The stack of each async worker thread.
const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.global.data_dir_given = !matches!(
        matches.value_source("data_dir"),
        None | Some(clap::parser::ValueSource::DefaultValue)
    );
    init_logging(cli.global.quiet, cli.global.verbose);
    cli.global.data_dir = cli
        .global
        .data_dir
        .clone()
        .with_endpoint(cli.global.endpoint_url.as_deref());
    // Plans are walked recursively: DataFusion's planner and, on a cluster, the protobuf
    // encoding and decoding of a whole plan (Ballista's scheduler overflowed the default
    // 2 MiB on the hunt suite's plans). The stack is reserved, not committed, until used.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(run(&cli));
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        // `govscan ... | head` closes the pipe early; that is not an error.
        Err(CommandError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e @ CommandError::Interrupted { exit_code, .. }) => {
            eprintln!("error: {e}");
            ExitCode::from(exit_code)
        }
        Err(e) => {
            let mut printed = e.to_string();
            eprintln!("error: {printed}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                // Many errors repeat their source in their own message; say each thing once.
                let text = cause.to_string();
                if !printed.contains(&text) {
                    eprintln!("  caused by: {text}");
                    printed.push_str(&text);
                }
                source = cause.source();
            }
            ExitCode::from(2)
        }
    }
}

/// How a command that succeeded ended: clean (exit 0), or with findings at or above
/// --fail-on, or rejected input (exit 1).
enum Outcome {
    Clean,
    Findings,
}

async fn run(cli: &Cli) -> Result<Outcome, CommandError> {
    let data_dir = &cli.global.data_dir;
    // `demo` writes its own local folder; every other command takes an S3 data directory.
    if data_dir.is_s3() && matches!(cli.command, Command::Demo(_)) {
        return Err(CommandError::Usage(format!(
            "{data_dir}: the demo writes a local folder (--dir), not a data directory on S3"
        )));
    }
    // The SQL commands may run on a Ballista cluster; the others always run here.
    let sessions = if matches!(
        cli.command,
        Command::Query(_) | Command::Check(_) | Command::Hunt(_) | Command::Report(_)
    ) {
        Sessions::new(&cli.global.engine, data_dir).map_err(CommandError::Usage)?
    } else {
        Sessions::local()
    };
    let outcome = if let Some(cluster) = sessions.cluster() {
        // Ballista's client cancels nothing when its process ends: the executors would go on
        // with an interrupted command's jobs for as long as those take. So on a cluster,
        // Ctrl-C and SIGTERM cancel this process's running jobs, and the staged tables are
        // still removed below.
        let outcome = tokio::select! {
            outcome = run_command(cli, &sessions) => outcome,
            (signal, exit_code) = interrupted() => Err(CommandError::Interrupted {
                signal,
                exit_code,
                cancelled_jobs: cluster::cancel_running_jobs(cluster).await,
            }),
        };
        cluster::cleanup(cluster).await;
        outcome
    } else {
        run_command(cli, &sessions).await
    };
    outcome
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM; answers the signal's name and the exit code that
/// reports it (128 + its number).
async fn interrupted() -> (&'static str, u8) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => tokio::select! {
                _ = interrupt.recv() => ("SIGINT", 130),
                _ = terminate.recv() => ("SIGTERM", 143),
            },
            // Without handlers the signals keep their default action: the process ends.
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        ("Ctrl-C", 130)
    }
}

async fn run_command(cli: &Cli, sessions: &Sessions) -> Result<Outcome, CommandError> {
    let data_dir = &cli.global.data_dir;
    let clean = |r: Result<(), CommandError>| r.map(|()| Outcome::Clean);
    let exit_1_if = |flag: bool| {
        if flag {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    };
    match &cli.command {
        Command::Collect(args) => clean(commands::collect::run(&cli.global, args).await),
        Command::Audit(args) => commands::audit::run(&cli.global, sessions, args)
            .await
            .map(exit_1_if),
        Command::Tables(args) => clean(commands::tables::run(data_dir, args).await),
        Command::Snapshots(args) => clean(commands::snapshots::run(data_dir, args).await),
        Command::Query(args) => clean(commands::query::run(sessions, data_dir, args).await),
        Command::Check(args) => commands::check::run(sessions, data_dir, args)
            .await
            .map(exit_1_if),
        Command::Report(args) => commands::report::run(sessions, data_dir, args)
            .await
            .map(exit_1_if),
        Command::Diff(args) => clean(commands::diff::run(sessions, data_dir, args).await),
        Command::Demo(args) => clean(commands::demo::run(args).await),
        Command::Hunt(args) => commands::hunt::run(sessions, data_dir, args)
            .await
            .map(exit_1_if),
        Command::Trail(TrailCommand::Ingest(args)) => commands::trail::ingest(&cli.global, args)
            .await
            .map(exit_1_if),
        Command::Trail(TrailCommand::Lookup(args)) => commands::trail::lookup(&cli.global, args)
            .await
            .map(exit_1_if),
        Command::Export(ExportCommand::Athena(args)) => {
            clean(commands::export::athena(data_dir, args))
        }
        Command::Policy(PolicyCommand::Eval(args)) => clean(commands::policy::eval(args)),
        Command::Policy(PolicyCommand::Explain(args)) => commands::policy::explain(data_dir, args)
            .await
            .map(exit_1_if),
        Command::Policy(PolicyCommand::WhoCan(args)) => {
            clean(commands::policy::who_can(data_dir, args).await)
        }
        Command::Policy(PolicyCommand::Can(args)) => {
            clean(commands::policy::can(data_dir, args).await)
        }
        Command::Cluster(ClusterCommand::Scheduler(args)) => {
            clean(commands::cluster::scheduler(args).await)
        }
        Command::Cluster(ClusterCommand::Executor(args)) => {
            clean(commands::cluster::executor(args).await)
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "govscan", &mut out);
            clean(commands::stdout_write(&String::from_utf8_lossy(&out)))
        }
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        // aws-config warns about every credential source it tries; the final error says
        // what matters.
        (false, 0) => "warn,aws_config=error",
        (false, 1) => "govscan=info,warn",
        (false, 2) => "govscan=debug,info",
        _ => "govscan=trace,debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only where a person reads it: a CI log or a file gets no escape codes.
        .with_ansi(govscan::report::terminal::colour_wanted(
            std::io::stderr().is_terminal(),
        ))
        .with_target(false)
        .init();
}
