//! Every subcommand and flag of govscan, declared once; help and completions come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use govscan::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "govscan",
    version,
    about = "AWS governance scanner and CloudTrail analyzer: snapshot an organization to Parquet, then ask it questions in SQL.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where snapshots and the trail lake live: a folder, or `s3://bucket/prefix`.
    #[arg(
        long,
        global = true,
        env = "GOVSCAN_DATA_DIR",
        default_value = govscan::store::data_dir::DEFAULT_DATA_DIR
    )]
    pub data_dir: govscan::store::DataDir,
    /// AWS profile from ~/.aws/config (default: the standard credential chain).
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (moto, localstack, a VPC endpoint).
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Region for global services and first calls (default: the profile's, else us-east-1).
    #[arg(long, global = true, env = "AWS_REGION")]
    pub region: Option<String>,
    /// Only errors on stderr; no progress bars.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Where query, check, hunt and report run their SQL: `local`, or
    /// `ballista://HOST:PORT` for a Ballista cluster started by `govscan cluster`
    /// (needs the cluster feature).
    #[arg(long, global = true, env = "GOVSCAN_ENGINE", default_value = "local")]
    pub engine: govscan::engine::cluster::EngineChoice,
    /// Whether --data-dir or GOVSCAN_DATA_DIR was given (not the default): a config file's
    /// data_dir yields to them.
    #[arg(skip)]
    pub data_dir_given: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Snapshot the configuration of an account or a whole organization (every service of
    /// --services) to Parquet.
    Collect(CollectArgs),
    /// The scheduled audit in one command: collect, ingest the trails' new logs, check, hunt,
    /// compare with the previous audit, write the reports under audits/<snapshot id>/, apply
    /// retention. Exit 0, 1 when something at or above fail_on is new (or any, per the
    /// config), 2 when the audit itself failed.
    Audit(AuditArgs),
    /// List the tables of a snapshot with their columns, types and meaning.
    Tables(TablesArgs),
    /// List the snapshots in the data directory.
    Snapshots(SnapshotsArgs),
    /// Run the compliance checks over a snapshot.
    Check(CheckArgs),
    /// The whole audit in one document: inventory, compliance by framework section, failed
    /// checks, hunt findings, and what could not be collected.
    Report(ReportArgs),
    /// What changed between two snapshots: rows added, removed and changed per table, and
    /// check results that newly fail or were fixed.
    Diff(DiffArgs),
    /// The whole pipeline on bundled data, no AWS account needed: checks a sample
    /// organization, ingests and hunts real CloudTrail logs, writes HTML reports.
    Demo(DemoArgs),
    /// Run the detections (queries/) over the trail lake: single events, thresholds,
    /// baselines, first-seen and sequences.
    Hunt(HuntArgs),
    /// CloudTrail logs into the trail lake: from files, folders, S3 prefixes or LookupEvents.
    #[command(subcommand)]
    Trail(TrailCommand),
    /// Run SQL over a snapshot and the trail lake: an argument, --file, standard input, or an interactive shell.
    Query(QueryArgs),
    /// Let other engines read the data where it lies: Athena/Trino/Spark DDL.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The IAM policy engine: decide requests the way AWS does.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Ballista cluster roles with govscan's SQL functions, for `--engine ballista://`
    /// (needs the cluster feature).
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Ballista's scheduler: takes the plans `--engine ballista://` sends, splits them into
    /// stages and hands the tasks to executors.
    Scheduler(SchedulerArgs),
    /// A Ballista executor: runs tasks with govscan's functions, reading the data
    /// directory's Parquet itself (S3 credentials and endpoint from the environment).
    Executor(ExecutorArgs),
}

#[derive(Debug, Args)]
pub struct SchedulerArgs {
    /// Address the scheduler listens on (gRPC for clients and executors).
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub bind: std::net::SocketAddr,
    /// Host name executors and clients reach the scheduler by (default: the bind host).
    #[arg(long)]
    pub external_host: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExecutorArgs {
    /// The scheduler, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub scheduler: String,
    /// Address the executor's services listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_host: String,
    /// Arrow Flight port, where other executors and clients fetch results.
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// gRPC port, where the scheduler sends tasks. A second executor on one host moves
    /// both ports.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Host name the scheduler and other executors reach this one by (default: bind host).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Folder for shuffle files (default: a temporary folder).
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Tasks run at once (default: the machine's cores).
    #[arg(long, default_value_t = 0)]
    pub vcores: usize,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Regions to collect, comma-separated, or `all` for every region enabled in each account.
    #[arg(long, default_value = "all", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Services to collect (org, iam, s3, config, cloudtrail, ec2, kms, sns, sqs, accessanalyzer, securityhub, efs, elbv2, cloudfront, apigateway, rds, logs, cloudwatch, lambda, secretsmanager, events, account), comma-separated. Default: all.
    #[arg(long, value_delimiter = ',')]
    pub services: Vec<String>,
    /// Collect every active account of the organization, entering members by AssumeRole.
    #[arg(long)]
    pub org: bool,
    /// Role assumed in each member account with --org.
    #[arg(long, default_value = "OrganizationAccountAccessRole")]
    pub role_name: String,
    /// With --org, only these account ids (comma-separated).
    #[arg(long, value_delimiter = ',', requires = "org")]
    pub accounts: Vec<String>,
    /// Collect a shard of this snapshot: runs on several machines (each with its own
    /// --accounts) write shards of one snapshot, and `govscan snapshots finalize ID` merges
    /// them; until then no command reads it.
    #[arg(long)]
    pub snapshot_id: Option<String>,
    /// Parts (account x region x service) collected at once; also the per-part fan-out.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Attempts per AWS call before it is recorded as failed (throttling backs off adaptively).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The audit's configuration (docs/govscan.yaml lists every key and its default); the
    /// flags below override it.
    #[arg(long, env = "GOVSCAN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the configuration in force (file, then flags) as YAML and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Collect every active account of the organization (collect.org).
    #[arg(long)]
    pub org: bool,
    /// With --org, only these account ids (collect.accounts).
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Regions, comma-separated, or all (collect.regions).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Services, comma-separated (collect.services).
    #[arg(long, value_delimiter = ',')]
    pub services: Vec<String>,
    /// Role assumed in member accounts (collect.role_name).
    #[arg(long)]
    pub role_name: Option<String>,
    /// Frameworks, comma-separated (check.frameworks).
    #[arg(long, value_delimiter = ',')]
    pub frameworks: Vec<String>,
    /// CIS profile level (check.level).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    /// Mutelist file (check.mutelist).
    #[arg(long)]
    pub mutelist: Option<PathBuf>,
    /// More trail sources to ingest, comma-separated (trail.extra_sources, added to).
    #[arg(long, value_delimiter = ',')]
    pub trail_sources: Vec<String>,
    /// Do not ingest trail logs (trail.ingest: false).
    #[arg(long)]
    pub no_ingest: bool,
    /// Do not hunt (hunt.enabled: false).
    #[arg(long)]
    pub no_hunt: bool,
    /// Report formats, comma-separated (report.formats).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub formats: Vec<govscan::audit::config::AuditFormat>,
    /// Also copy the audit's files into this folder (report.output_dir).
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Exit 1 when something of this severity or higher is counted (fail_on.severity).
    #[arg(long, value_enum)]
    pub fail_on: Option<govscan::rules::Severity>,
    /// Count only what is new since the previous audit, or everything (fail_on.scope).
    #[arg(long, value_enum)]
    pub fail_on_scope: Option<govscan::audit::config::FailScope>,
    /// Keep the newest N audits (retention.keep_last).
    #[arg(long)]
    pub keep_last: Option<u32>,
    /// Keep audits younger than D days (retention.keep_days).
    #[arg(long)]
    pub keep_days: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Print the CREATE EXTERNAL TABLE statements for the trail lake (partition projection
    /// on event_date) and every snapshot table (partitioned by snapshot_id).
    Athena(ExportAthenaArgs),
}

#[derive(Debug, Args)]
pub struct ExportAthenaArgs {
    /// Where Athena finds the data directory, e.g. s3://bucket/govscan (default: the data
    /// directory's absolute path).
    #[arg(long)]
    pub location: Option<String>,
    /// The Glue database the tables go in.
    #[arg(long, default_value = "govscan")]
    pub database: String,
    /// Write the statements here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Decide requests given as JSON lines (principal, action, resource, context and the
    /// policies: identity, boundaries, session, resource, VPC endpoint, SCP and RCP levels);
    /// one JSON line out per line in, in order: decision, blocked_by, matched statements.
    /// Exit 2 if a line could not be read (its output line says why).
    Eval(PolicyEvalArgs),
    /// Decide one request for a real principal of a snapshot, assembling its policies
    /// (inline, attached, groups, boundary, the SCP and RCP chain, the bucket policy or the
    /// role's trust policy), and show the statements that decided it. Exit 1 if denied.
    Explain(PolicyExplainArgs),
    /// Every principal that may do ACTION on RESOURCE: the snapshot's users and roles (a
    /// role stands for its sessions) across every collected account, each decided with all
    /// the policies that apply (identity, boundary, SCPs, the resource's policy, RCPs), and
    /// the accounts, services and anyone the resource's policy names; with the statements
    /// that grant it and their conditions.
    WhoCan(PolicyWhoCanArgs),
    /// What PRINCIPAL (a user or role ARN of the snapshot, or a role session) can do, by
    /// service and access level, with the resource patterns: each action its Allow
    /// statements name, decided with its SCPs and boundary, so what they cancel is not
    /// listed.
    Can(PolicyCanArgs),
}

#[derive(Debug, Args)]
pub struct PolicyCanArgs {
    pub principal: String,
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    /// Only this service's actions (its prefix, e.g. s3).
    #[arg(long)]
    pub service: Option<String>,
    /// Only actions of this access level.
    #[arg(long, value_enum)]
    pub level: Option<AccessLevelArg>,
    #[arg(long, value_enum, default_value_t = WhoCanFormat::Table)]
    pub format: WhoCanFormat,
}

/// The action catalog's access levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessLevelArg {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevelArg {
    /// As the catalog names it.
    pub fn catalog_name(self) -> &'static str {
        match self {
            AccessLevelArg::List => "List",
            AccessLevelArg::Read => "Read",
            AccessLevelArg::Write => "Write",
            AccessLevelArg::PermissionsManagement => "Permissions management",
            AccessLevelArg::Tagging => "Tagging",
        }
    }
}

#[derive(Debug, Args)]
pub struct PolicyWhoCanArgs {
    /// service:Action.
    pub action: String,
    /// The resource ARN (`*` for actions without resource-level permissions).
    #[arg(default_value = "*")]
    pub resource: String,
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    /// A request context key, as KEY=VALUE (repeatable), e.g. --context
    /// aws:MultiFactorAuthPresent=true: grants conditioned on it count then.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    #[arg(long, value_enum, default_value_t = WhoCanFormat::Table)]
    pub format: WhoCanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhoCanFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct PolicyExplainArgs {
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    /// A user or role ARN of the snapshot (a role stands for any of its sessions), or a
    /// role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
    #[arg(long)]
    pub principal: String,
    /// service:Action.
    #[arg(long)]
    pub action: String,
    /// The resource ARN (`*` for actions without resource-level permissions).
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// A request context key, as KEY=VALUE (repeat the option; repeat a key for a
    /// multivalued key), e.g. --context aws:SourceIp=203.0.113.7.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct PolicyEvalArgs {
    /// A file of JSON lines, or - (the default) for standard input.
    pub input: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TrailCommand {
    /// Ingest CloudTrail files (plain or gzipped: trail files, JSON arrays, JSON lines) from
    /// files, folders or s3://bucket/prefix into the lake, deduplicated by event id. Exit 1 if
    /// input was rejected.
    Ingest(TrailIngestArgs),
    /// Read management events of the last 90 days from the LookupEvents API into the lake
    /// (2 requests/s per region). Exit 1 if a region could not be read.
    Lookup(TrailLookupArgs),
}

#[derive(Debug, Args)]
pub struct TrailLookupArgs {
    /// Regions to read, comma-separated (default: --region, else us-east-1).
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Events on or after this date (YYYY-MM-DD, UTC); default and limit: 90 days ago.
    #[arg(long)]
    pub since: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct TrailIngestArgs {
    /// Files, folders (walked recursively) or s3://bucket/prefix (listed; organization
    /// trails add an o-xxxx level under AWSLogs/).
    #[arg(required = true)]
    pub sources: Vec<String>,
    /// Only events on or after this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub since: Option<chrono::NaiveDate>,
    /// Only events on or before this date (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub until: Option<chrono::NaiveDate>,
    /// Only events of these accounts (recipientAccountId), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Only events of these regions, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    /// Check a sharded snapshot that is not finalized yet, from the shards collected so far
    /// (merged in a temporary folder; the data directory is not changed). Accounts of shards
    /// still running are absent from the results.
    #[arg(long, requires = "snapshot")]
    pub unfinalized: bool,
    /// Read checks from this folder instead of the built-in ones.
    #[arg(long)]
    pub checks: Option<PathBuf>,
    /// Only checks mapped to this framework (cis-aws-7.0, cis-aws-6.0, cis-aws-5.0), and a
    /// verdict for each of its controls.
    #[arg(long)]
    pub framework: Option<String>,
    /// With --framework: only the controls of this CIS profile level (1: Level 1; 2: Level 2,
    /// which includes Level 1), and the checks that decide them.
    #[arg(long, requires = "framework", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    #[command(flatten)]
    pub select: SelectArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub report: ReportFlags,
}

/// Which rules run, and how many at once (`check`, `hunt`).
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only these ids (comma-separated; Sigma rules are sigma-<file name>).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only rules of this severity or higher.
    #[arg(long, value_enum)]
    pub severity: Option<govscan::rules::Severity>,
    /// Print the rules (id, title, severity, and framework controls or kind and ATT&CK) as
    /// Markdown and exit; `check --list --framework F` prints F's controls, how each is
    /// decided and by which checks.
    #[arg(long)]
    pub list: bool,
    /// Rules run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// Where a report goes and what it means for the exit code (`check`, `hunt`, `report`).
#[derive(Debug, Args)]
pub struct ReportFlags {
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a check of this severity or higher fails, or a detection of it finds
    /// something (default: never).
    #[arg(long, value_enum)]
    pub fail_on: Option<govscan::rules::Severity>,
    /// Suppressions (YAML: id, resource, account, region, reason, expires; for a detection
    /// the resource is the principal): matching FAILs and findings are shown as MUTED and
    /// do not count for --fail-on.
    #[arg(long)]
    pub mutelist: Option<PathBuf>,
    /// A folder with your own report.html.j2 / report.md.j2 (audit.html.j2 / audit.md.j2
    /// for `report`); start from reports/ in the source.
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    /// Hunt window start (a date, an RFC 3339 time or an age such as 30d); default: the
    /// whole lake.
    #[arg(long)]
    pub since: Option<String>,
    /// The framework whose controls the report lists, each with its verdict.
    #[arg(long, default_value = "cis-aws-7.0")]
    pub framework: String,
    /// Only the controls of this CIS profile level (1: Level 1; 2: Level 2, which includes
    /// Level 1).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Hunt parameters as YAML (see `hunt --config`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot (id or path).
    pub from: String,
    /// The later snapshot (id or path).
    pub to: String,
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the diff here instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo's data and reports (default: a new folder in the temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HuntArgs {
    /// Start of the hunt window: a date (2024-03-01), an RFC 3339 time, or an age (7d,
    /// 12h, 30m). Default: the start of the lake.
    #[arg(long)]
    pub since: Option<String>,
    /// End of the hunt window (exclusive), in the same forms. Default: now.
    #[arg(long)]
    pub until: Option<String>,
    /// Read detections from this folder instead of the built-in ones.
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// Also run the Sigma rules (logsource aws/cloudtrail) of this folder, translated to
    /// SQL; rules that cannot be translated are reported with the reason.
    #[arg(long)]
    pub sigma: Option<PathBuf>,
    /// Field names the Sigma rules use mapped to CloudTrail's: a pySigma processing
    /// pipeline of field_name_mapping transformations, added to the built-in one.
    #[arg(long, requires = "sigma")]
    pub sigma_pipeline: Option<PathBuf>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Parameters (baseline days, thresholds, trusted CIDRs, expected regions) as YAML;
    /// see the README for each and its default.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the ATT&CK techniques the detections cover, by tactic, as Markdown and exit.
    #[arg(long, conflicts_with = "list")]
    pub coverage: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub report: ReportFlags,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The SQL to run; without it (and without --file) SQL is read from standard input, or
    /// an interactive shell starts when standard input is a terminal.
    pub sql: Option<String>,
    /// Read the SQL from this file.
    #[arg(long, conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    /// Snapshot id or path (default: the latest).
    #[arg(long)]
    pub snapshot: Option<String>,
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// Write the result here instead of standard output (required for parquet).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
    Ndjson,
    Parquet,
}

#[derive(Debug, Args)]
pub struct TablesArgs {
    /// Snapshot id or path; shows its row counts. Default: the table definitions only.
    #[arg(long)]
    pub snapshot: Option<String>,
    #[arg(long, value_enum, default_value_t = TablesFormat::Text)]
    pub format: TablesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TablesFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    #[arg(long, value_enum, default_value_t = SnapshotsFormat::Table)]
    pub format: SnapshotsFormat,
    #[command(subcommand)]
    pub action: Option<SnapshotsAction>,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotsAction {
    /// Merge the shards collected with `collect --snapshot-id ID` into snapshot ID; refuses
    /// shards that collected the same account.
    Finalize {
        /// The snapshot id the shards were collected under.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SnapshotsFormat {
    Table,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn accounts_need_org() {
        let err =
            Cli::try_parse_from(["govscan", "collect", "--accounts", "111111111111"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
    }

    #[test]
    fn lists_are_comma_separated() {
        let cli = Cli::try_parse_from([
            "govscan",
            "collect",
            "--regions",
            "us-east-1,eu-west-1",
            "--services",
            "iam,s3",
        ])
        .unwrap();
        let Command::Collect(args) = cli.command else {
            panic!("collect")
        };
        assert_eq!(args.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(args.services, ["iam", "s3"]);
    }
}
