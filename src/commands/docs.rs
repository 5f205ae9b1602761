//! The generated references in `docs/`, each page from the declarations that also run:
//! the snapshot tables and views (`govscan tables --format markdown`), the checks
//! (`govscan check --list`), the frameworks' controls and the detections (`govscan hunt
//! --list`). A test fails when a page is stale, or when the README's sentence on what the
//! default framework covers is; `GOVSCAN_UPDATE_DOCS=1 scripts/test docs` writes the pages
//! anew.

use super::CommandError;

/// (path in the repository, text) of every generated page.
pub fn pages() -> Result<Vec<(&'static str, String)>, CommandError> {
    let tables = super::tables::render_markdown(&super::tables::reference_defs());
    let checks = super::check::render_check_list(&govscan::checks::builtin_checks()?);
    let detections = super::hunt::render_query_list(&govscan::hunt::builtin_detections()?);
    let frameworks = super::check::render_framework_reference(
        &govscan::checks::framework::builtin_frameworks()?,
        &govscan::checks::builtin_checks()?,
    );
    Ok(vec![
        (
            "docs/tables.md",
            page(
                "Tables",
                "Every table of a snapshot, from the declarations in `src/collect/`, then the \
                 views over them (`src/engine/views.rs`) and the policy engine's computed \
                 tables. `govscan tables` prints the same for a given snapshot, with row counts.",
                &tables,
            ),
        ),
        (
            "docs/checks.md",
            page(
                "Checks",
                "Every built-in check (`checks/<service>/*.sql`) with the framework controls it \
                 decides. `govscan check --list` prints the same.",
                &checks,
            ),
        ),
        (
            "docs/frameworks.md",
            page(
                "Frameworks",
                "Every control of the built-in frameworks (`checks/frameworks/*.yaml`): its CIS \
                 profile level, the benchmark's assessment status, and how govscan decides it. \
                 A control decided by checks is PASS, FAIL, NOT_ASSESSED or NO_RESOURCES from \
                 their results; MANUAL and NOT_COLLECTED say why.",
                &frameworks,
            ),
        ),
        ("docs/permissions.md", permissions_page()),
        (
            "docs/coverage.md",
            page(
                "ATT&CK coverage",
                "The ATT&CK Enterprise tactics and the techniques the built-in detections \
                 cover, from each detection's `mitre` header. `govscan hunt --coverage` prints \
                 the same (with --queries and --sigma, for those rules).",
                &super::hunt::render_coverage(&govscan::hunt::builtin_detections()?),
            ),
        ),
        (
            "docs/detections.md",
            page(
                "Detections",
                "Every built-in detection (`queries/<tactic>/*.sql`) with its kind and ATT&CK \
                 techniques. `govscan hunt --list` prints the same.",
                &detections,
            ),
        ),
    ])
}

/// The least-privilege IAM policies, from the collectors' permission list
/// (`src/collect/permissions.rs`, which a test holds to the calls in their source).
fn permissions_page() -> String {
    let (member, management) =
        govscan::collect::permissions::policy_documents("OrganizationAccountAccessRole");
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("json");
    let data_dir = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "GovscanDataDirectory", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": "arn:aws:s3:::DATA_BUCKET/DATA_PREFIX/*"},
            {"Sid": "GovscanDataDirectoryList", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::DATA_BUCKET"},
            {"Sid": "GovscanTrailLogs", "Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::TRAIL_BUCKET/*"},
            {"Sid": "GovscanTrailLogsList", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::TRAIL_BUCKET"}
        ]
    });
    let body = format!(
        "Every action is a List or Read action of AWS's service authorization reference \
         (a test checks each against it), except `iam:GenerateCredentialReport`, which only \
         refreshes the credential report, and `sts:AssumeRole`.\n\n\
         ## The role in every member account\n\n\
         The role `collect --org` assumes (`--role-name`, default \
         `OrganizationAccountAccessRole`, which has far more than this). Trust: the \
         management account's auditing identity.\n\n```json\n{}\n```\n\n\
         ## The identity in the management account\n\n\
         Runs `govscan collect --org` or `govscan audit` from the management account (or the \
         delegated administrator): its own account's reads, the organization's, and \
         AssumeRole into the member role.\n\n```json\n{}\n```\n\n\
         ## The data directory and the trail bucket (`govscan audit`)\n\n\
         With `--data-dir s3://DATA_BUCKET/DATA_PREFIX`: read, write and delete under the \
         prefix (snapshots, the lake, audits, the lock). Ingesting: read the trail bucket \
         (an organization trail's is in the log archive account; its bucket policy must \
         allow this identity, and a KMS-encrypted trail needs kms:Decrypt on its key).\n\n\
         ```json\n{}\n```\n",
        pretty(&member),
        pretty(&management),
        pretty(&data_dir)
    );
    page(
        "Permissions",
        "The least-privilege IAM policies govscan needs, generated from the list of calls \
         the collectors make (`src/collect/permissions.rs`; a test fails when a collector \
         calls an operation the list lacks).",
        &body,
    )
}

/// The schedule examples (docs/schedule/), in the order the README shows them, with the
/// language of their code block.
pub const SCHEDULES: &[(&str, &str, &str)] = &[
    ("crontab", "cron", "sh"),
    ("govscan-audit.service", "a systemd service ...", "ini"),
    ("govscan-audit.timer", "... and its timer", "ini"),
    ("cronjob.yaml", "a Kubernetes CronJob", "yaml"),
    (
        "github-workflow.yml",
        "a GitHub Actions schedule that uploads the SARIF",
        "yaml",
    ),
];
const SCHEDULES_START: &str = "<!-- schedule examples: generated from docs/schedule/ -->\n";
const SCHEDULES_END: &str = "<!-- end of schedule examples -->";

/// The README's block of schedule examples, from the files.
pub fn schedule_block(root: &std::path::Path) -> String {
    let mut out = String::from(SCHEDULES_START);
    for (file, what, lang) in SCHEDULES {
        let text = std::fs::read_to_string(root.join("docs/schedule").join(file))
            .unwrap_or_else(|e| panic!("docs/schedule/{file}: {e}"));
        out.push_str(&format!(
            "\n{what} (`docs/schedule/{file}`):\n\n```{lang}\n{}```\n",
            text
        ));
    }
    out.push('\n');
    out.push_str(SCHEDULES_END);
    out
}

/// `readme` with its schedule block replaced by `block`.
pub fn with_schedule_block(readme: &str, block: &str) -> Option<String> {
    let start = readme.find(SCHEDULES_START)?;
    let end = readme[start..].find(SCHEDULES_END)? + start + SCHEDULES_END.len();
    Some(format!("{}{block}{}", &readme[..start], &readme[end..]))
}

fn page(title: &str, about: &str, body: &str) -> String {
    format!(
        "# {title}\n\n<!-- Generated by govscan; do not edit. GOVSCAN_UPDATE_DOCS=1 scripts/test docs \
         rewrites it. -->\n\n{about}\n\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// The README states the detections' ATT&CK coverage as `hunt --coverage` counts it.
    #[test]
    fn the_readme_states_the_attack_coverage() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let table =
            super::super::hunt::render_coverage(&govscan::hunt::builtin_detections().unwrap());
        let sentence = table.lines().next().unwrap();
        assert!(
            readme.contains(sentence),
            "README.md should say: {sentence}"
        );
    }

    /// Every schedule example is in the README as it is in docs/schedule/, parses, and runs
    /// a `govscan audit` command line that govscan accepts.
    #[test]
    fn the_schedule_examples_are_in_the_readme_and_their_commands_parse() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme_path = root.join("README.md");
        let readme = std::fs::read_to_string(&readme_path).unwrap();
        let block = super::schedule_block(root);
        let current =
            super::with_schedule_block(&readme, &block).expect("the README's schedule markers");
        if std::env::var_os("GOVSCAN_UPDATE_DOCS").is_some() {
            std::fs::write(&readme_path, &current).unwrap();
        } else {
            assert!(
                current == readme,
                "README's schedule examples are stale; run GOVSCAN_UPDATE_DOCS=1 scripts/test docs"
            );
        }
        let file =
            |name: &str| std::fs::read_to_string(root.join("docs/schedule").join(name)).unwrap();
        let audit_line = |words: Vec<String>| {
            let cli = crate::cli::Cli::try_parse_from(&words)
                .unwrap_or_else(|e| panic!("{words:?}: {e}"));
            match cli.command {
                crate::cli::Command::Audit(args) => args,
                other => panic!("{words:?} is not an audit: {other:?}"),
            }
        };
        let words = |line: &str| -> Vec<String> {
            let from = line.find("govscan").expect("a govscan command");
            let command = line[from..].split(">>").next().unwrap();
            command
                .split_whitespace()
                .map(|w| w.trim_matches('"').to_owned())
                .collect()
        };
        // cron: the command of its one schedule line.
        let cron = file("crontab");
        let line = cron
            .lines()
            .find(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap();
        assert!(
            line.split_whitespace().count() > 5,
            "five time fields and a command"
        );
        assert!(audit_line(words(line)).config.is_some());
        // systemd: ExecStart, a oneshot started by a timer with a calendar.
        let service = file("govscan-audit.service");
        let exec = service
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap();
        let mut exec_words = words(exec);
        exec_words[0] = "govscan".into();
        assert!(audit_line(exec_words).config.is_some());
        assert!(service.contains("Type=oneshot") && service.contains("SuccessExitStatus=1"));
        assert!(file("govscan-audit.timer").contains("OnCalendar="));
        // Kubernetes: a CronJob that never overlaps, whose container args are an audit.
        let job: serde_norway::Value = serde_norway::from_str(&file("cronjob.yaml")).unwrap();
        assert_eq!(job["kind"], serde_norway::Value::from("CronJob"));
        assert_eq!(
            job["spec"]["concurrencyPolicy"],
            serde_norway::Value::from("Forbid")
        );
        let container = &job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
        let mut args = vec!["govscan".to_owned()];
        args.extend(
            container["args"]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned()),
        );
        assert!(audit_line(args).config.is_some());
        // GitHub Actions: a schedule; the audit's --output-dir holds the SARIF uploaded.
        let flow: serde_norway::Value =
            serde_norway::from_str(&file("github-workflow.yml")).unwrap();
        assert!(flow["on"]["schedule"][0]["cron"].as_str().is_some());
        let steps = flow["jobs"]["audit"]["steps"].as_sequence().unwrap();
        let run = steps.iter().find_map(|s| s["run"].as_str()).unwrap();
        let audit = audit_line(words(run));
        let out = audit.output_dir.expect("--output-dir");
        let sarif = steps
            .iter()
            .find_map(|s| s["with"]["sarif_file"].as_str())
            .unwrap();
        assert_eq!(std::path::Path::new(sarif), out.join("checks.sarif"));
    }

    #[test]
    fn docs_pages_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let update = std::env::var_os("GOVSCAN_UPDATE_DOCS").is_some();
        let mut stale = Vec::new();
        for (path, text) in super::pages().unwrap() {
            let file = root.join(path);
            if update {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &text).unwrap();
            } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
                stale.push(path);
            }
        }
        assert!(
            stale.is_empty(),
            "stale: {stale:?}; run `GOVSCAN_UPDATE_DOCS=1 scripts/test docs` and commit them"
        );
    }

    #[test]
    fn the_readme_lists_every_service_collect_knows() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        let listed: String = readme
            .lines()
            .skip_while(|l| !l.contains("`--services` picks from"))
            .take_while(|l| !l.trim().is_empty() && !l.starts_with("- `--concurrency"))
            .collect();
        for c in govscan::collect::all_collectors() {
            assert!(
                listed.contains(c.service()),
                "README's --services line should name {}",
                c.service()
            );
        }
    }

    #[test]
    fn the_readme_says_what_each_framework_covers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
        for f in govscan::checks::framework::builtin_frameworks().unwrap() {
            let sentence = super::super::check::coverage_sentence(&f);
            assert!(
                readme.contains(&sentence),
                "README.md should say: {sentence}"
            );
        }
    }
}
