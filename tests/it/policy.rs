//! The IAM policy engine through the real CLI (`govscan policy eval`) and over snapshots. The
//! documented cases (AWS's decision for each request, quoting the rule) are decided by the
//! engine's own crate: crates/govscan-policy/tests/documented_cases.rs.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::{self, manifest_dir};

fn eval_lines(lines: &[String]) -> (Vec<Value>, std::process::Output) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(["policy", "eval"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let answers = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (answers, out)
}

#[test]
fn the_decision_names_the_statements_that_made_it() {
    let line = json!({
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:DeleteBucket",
        "resource": "arn:aws:s3:::docs",
        "identity_policies": [
            {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]},
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
                {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}
        ],
        "scps": [[{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}]]
    });
    let (answers, out) = eval_lines(&[line.to_string()]);
    assert!(out.status.success());
    assert_eq!(
        answers[0],
        json!({
            "decision": "ExplicitlyDenied",
            "blocked_by": ["identity", "scp"],
            "matched": ["identity[1].Statement[1]#NoDelete", "scp[0][0].Statement[0]"]
        })
    );
}

#[test]
fn bad_lines_get_an_error_line_in_place_and_exit_2() {
    let good = json!({"principal": "arn:aws:iam::1:root", "action": "s3:GetObject"}).to_string();
    let lines = vec![
        good.clone(),
        "{not json".to_owned(),
        json!({"principal": "p", "action": "a", "identity_policies": [{"Statement": [{"Effect": "Permit", "Action": "*"}]}]}).to_string(),
        json!({"principal": "p", "action": "a", "colour": "blue"}).to_string(),
        good,
    ];
    let (answers, out) = eval_lines(&lines);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0]["decision"], "Allowed");
    assert!(answers[1]["error"]
        .as_str()
        .unwrap()
        .starts_with("line 2: "));
    assert!(
        answers[2]["error"]
            .as_str()
            .unwrap()
            .contains("identity_policies[0]: Statement[0].Effect: must be \"Allow\" or \"Deny\""),
        "{}",
        answers[2]
    );
    assert!(answers[3]["error"].as_str().unwrap().contains("colour"));
    assert_eq!(answers[4]["decision"], "Allowed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 input line(s)"));
}

/// The 1,641 AWS managed policies (tests/fixtures/iam, MIT, from iann0036/iam-dataset).
fn managed_policies() -> Vec<(String, Value)> {
    let file = std::fs::File::open(
        manifest_dir().join("tests/fixtures/iam/aws-managed-policies.jsonl.gz"),
    )
    .unwrap();
    let text = std::io::read_to_string(flate2::read::GzDecoder::new(file)).unwrap();
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["name"].as_str().unwrap().to_owned(),
                v["document"].clone(),
            )
        })
        .collect()
}

#[test]
fn every_aws_managed_policy_parses_and_its_wildcards_expand_as_an_independent_glob_does() {
    use govscan::policy::catalog::catalog;
    use govscan::policy::Policy;

    let policies = managed_policies();
    assert_eq!(policies.len(), 1641);
    let mut patterns = std::collections::BTreeSet::new();
    let mut statements = 0;
    for (name, document) in &policies {
        let policy = Policy::from_value(document).unwrap_or_else(|e| panic!("{name}: {e}"));
        statements += policy.statements.len();
        for s in policy.statements.iter() {
            patterns.extend(s.actions.patterns.iter().cloned());
        }
    }
    assert!(statements > 9_000, "{statements}");
    // Expansion by the catalog, against Python's fnmatch over the same catalog file.
    let catalog = catalog();
    let ours: Vec<String> = patterns
        .iter()
        .map(|p| format!("{p}\t{}", catalog.expand(p).len()))
        .collect();
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("patterns.tsv");
    std::fs::write(&input, ours.join("\n") + "\n").unwrap();
    let script = r#"
import fnmatch, re, sys
by_service, service = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if f[0] == "S": service = f[1].lower(); by_service[service] = []
    elif f[0] == "A": by_service[service].append(service + ":" + f[1].lower())
everything = [a for actions in by_service.values() for a in actions]
unknown = wrong = 0
for line in open(sys.argv[2], encoding="utf-8"):
    pattern, count = line.rstrip("\n").split("\t")
    prefix = pattern.split(":")[0]
    candidates = everything if any(c in prefix for c in "*?[") else by_service.get(prefix, [])
    regex = re.compile(fnmatch.translate(pattern))
    theirs = sum(1 for a in candidates if regex.match(a))
    if theirs != int(count): wrong += 1; print("MISMATCH", pattern, count, theirs)
    if theirs == 0: unknown += 1
print("patterns", sum(1 for _ in open(sys.argv[2])), "unknown", unknown, "mismatches", wrong)
"#;
    let out = Command::new(common::python())
        .args(["-c", script])
        .arg(manifest_dir().join("crates/govscan-policy/data/action-catalog.tsv"))
        .arg(&input)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", report.trim());
    assert!(!report.contains("MISMATCH"), "{report}");
    // Actions named by managed policies that the catalog does not know (renamed or retired
    // actions, services the reference lists under another prefix) stay a small minority.
    let unknown: usize = report
        .split_whitespace()
        .skip_while(|w| *w != "unknown")
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(unknown * 50 < patterns.len(), "{report}");
}

#[test]
fn managed_policies_decide_as_their_names_say() {
    let policies: std::collections::HashMap<String, Value> =
        managed_policies().into_iter().collect();
    let ask = |policy: &str, action: &str, resource: &str| {
        json!({
            "principal": "arn:aws:iam::111122223333:user/alice",
            "action": action,
            "resource": resource,
            "identity_policies": [policies[policy]],
        })
        .to_string()
    };
    let lines = vec![
        ask(
            "IAMFullAccess",
            "iam:CreateUser",
            "arn:aws:iam::111122223333:user/x",
        ),
        ask("IAMFullAccess", "s3:GetObject", "arn:aws:s3:::b/k"),
        ask("ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k"),
        ask("ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k"),
        ask("AmazonS3ReadOnlyAccess", "s3:ListBucket", "arn:aws:s3:::b"),
        ask(
            "AmazonS3ReadOnlyAccess",
            "s3:DeleteObject",
            "arn:aws:s3:::b/k",
        ),
        ask("AmazonS3FullAccess", "s3:DeleteObject", "arn:aws:s3:::b/k"),
        // ViewOnlyAccess lists and describes; it does not read data.
        ask("ViewOnlyAccess", "s3:ListAllMyBuckets", "*"),
        ask("ViewOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k"),
    ];
    let (answers, out) = eval_lines(&lines);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decisions: Vec<&str> = answers
        .iter()
        .map(|a| a["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        [
            "Allowed",
            "ImplicitlyDenied",
            "Allowed",
            "ImplicitlyDenied",
            "Allowed",
            "ImplicitlyDenied",
            "Allowed",
            "Allowed",
            "ImplicitlyDenied"
        ]
    );
}

/// Each of the 65 documented escalation paths: a principal holding exactly the path's
/// permissions is found, and without any one of them it is not.
#[test]
fn every_escalation_path_needs_exactly_its_permissions() {
    use govscan::policy::privesc::{escalations, paths};
    use govscan::policy::snapshot::{Authorization, Group, Named, Principal, PrincipalKind};
    use govscan::policy::Policy;

    const ACCOUNT: &str = "111111111111";
    let doc = |statements: Value| {
        Policy::from_value(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
    };
    let named = |label: &str, arn: Option<&str>, policy: Policy| Named {
        label: label.into(),
        arn: arn.map(str::to_owned),
        policy,
    };
    let principal = |kind: PrincipalKind, name: &str, identity: Vec<Named>, groups: Vec<String>| {
        let arn = match kind {
            PrincipalKind::User => format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            PrincipalKind::Role => format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        };
        Principal {
            arn,
            account_id: ACCOUNT.into(),
            name: name.into(),
            kind,
            identity,
            boundary: None,
            trust: (kind == PrincipalKind::Role).then(|| {
                named(
                    "trust",
                    None,
                    doc(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}])),
                )
            }),
            is_service_linked: false,
            groups,
        }
    };
    // The world around the actor: another user, a role with a customer policy, a group.
    let world = |actor: Principal| {
        let target_policy = format!("arn:aws:iam::{ACCOUNT}:policy/target-policy");
        let mut auth = Authorization::default();
        auth.principals = vec![
            actor,
            principal(PrincipalKind::User, "victim", vec![], vec![]),
            principal(
                PrincipalKind::Role,
                "target-role",
                vec![named(
                    "target-policy",
                    Some(&target_policy),
                    doc(
                        json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]),
                    ),
                )],
                vec![],
            ),
        ];
        auth.groups = vec![
            Group {
                account_id: ACCOUNT.into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:group/devs"),
                name: "devs".into(),
            },
            Group {
                account_id: ACCOUNT.into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:group/admins"),
                name: "admins".into(),
            },
        ];
        auth
    };
    let actor_with = |path_id: &str, permissions: &[String]| {
        // Paths that change the actor's own role need a role; the others a user in a group.
        let own_role = ["iam-005", "iam-009"].contains(&path_id);
        let kind = if own_role {
            PrincipalKind::Role
        } else {
            PrincipalKind::User
        };
        let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/actor-policy");
        let grants = if permissions.is_empty() {
            json!([])
        } else {
            json!([{"Effect": "Allow", "Action": permissions, "Resource": "*"}])
        };
        principal(
            kind,
            "actor",
            vec![named("actor-policy", Some(&policy_arn), doc(grants))],
            if own_role {
                vec![]
            } else {
                vec![format!("arn:aws:iam::{ACCOUNT}:group/devs")]
            },
        )
    };
    let found = |auth: &Authorization, path_id: &str| {
        escalations(auth)
            .iter()
            .any(|e| e.path_id == path_id && e.principal_arn.ends_with("/actor"))
    };
    let mut checked = 0;
    for path in paths() {
        let all: Vec<String> = path.required.iter().map(|r| r.permission.clone()).collect();
        assert!(
            found(&world(actor_with(&path.id, &all)), &path.id),
            "{}: not found with all of {all:?}",
            path.id
        );
        for missing in &all {
            let fewer: Vec<String> = all.iter().filter(|p| *p != missing).cloned().collect();
            assert!(
                !found(&world(actor_with(&path.id, &fewer)), &path.id),
                "{}: still found without {missing}",
                path.id
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 65);
}

/// `explain` for a role session: the session is found through its role (whatever the
/// role's path), and a bucket policy naming the session itself grants it directly, past the
/// role's permissions boundary (IAM User Guide: "Permissions granted directly to a session
/// are not limited by an implicit deny in ... a permissions boundary").
#[test]
fn explain_a_role_session_found_through_its_role() {
    use govscan::policy::snapshot::{Authorization, Bucket, Named, Principal, PrincipalKind};
    use govscan::policy::{Context, DecisionKind, Policy};

    let doc = |v: Value| Policy::from_value(&v).unwrap();
    let named = |label: &str, policy: Policy| Named {
        label: label.into(),
        arn: None,
        policy,
    };
    let session = "arn:aws:sts::111122223333:assumed-role/app/alice";
    let mut auth = Authorization::default();
    auth.principals.push(Principal {
        arn: "arn:aws:iam::111122223333:role/team/app".into(),
        account_id: "111122223333".into(),
        name: "app".into(),
        kind: PrincipalKind::Role,
        identity: vec![],
        boundary: Some(named(
            "boundary",
            doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]})),
        )),
        trust: None,
        is_service_linked: false,
        groups: vec![],
    });
    auth.buckets.push(Bucket {
        name: "shared".into(),
        account_id: "111122223333".into(),
        policy: Some(named(
            "bucket policy of shared",
            doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": session}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]})),
        )),
        restrict_public_buckets: false,
        block_public_policy: false,
    });
    let ask = |who: &str| {
        auth.explain(
            who,
            "s3:GetObject",
            "arn:aws:s3:::shared/x",
            &Context::new(),
        )
        .map(|e| (e.principal.clone(), e.decision.decision))
    };
    assert_eq!(
        ask(session),
        Ok((session.to_owned(), DecisionKind::Allowed))
    );
    // The role (any of its sessions) is not what the policy names.
    assert_eq!(
        ask("arn:aws:iam::111122223333:role/team/app").unwrap().1,
        DecisionKind::ImplicitlyDenied
    );
    assert!(ask("arn:aws:sts::111122223333:assumed-role/other/s")
        .unwrap_err()
        .contains("not a user, role or role session"));
}

/// `policy who-can` answers each question with exactly the snapshot principals that
/// `explain` allows (asked, as who-can asks, whether some request could: an Allow's
/// condition on a key the request does not give counts as met), and every principal it
/// names from outside the snapshot comes from the resource's own policy. Answers the
/// grantees of each question, as who-can printed them. Run on the demo organization here
/// and on the moto organization in collect_moto.
pub fn who_can_agrees_with_explain(
    data: &std::path::Path,
    questions: &[(&str, &str)],
) -> Vec<Vec<Value>> {
    use govscan::policy::{Context, DecisionKind};

    let auth = load_authorization(data);
    let mut could = Context::new();
    could.assume_unknown_allow_conditions = true;
    let mut answers = Vec::new();
    for (action, resource) in questions {
        let out = crate::common::govscan_local(
            data,
            &["policy", "who-can", action, resource, "--format", "json"],
        );
        assert!(out.status.success(), "{}", crate::common::stderr(&out));
        let answer: Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
        let named: Vec<&str> = answer["grantees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["principal"].as_str().unwrap())
            .collect();
        // The SQL table function answers the same.
        let sql =
            format!("SELECT principal FROM who_can('{action}', '{resource}') ORDER BY principal");
        let out = crate::common::govscan_local(data, &["query", "--format", "json", &sql]);
        assert!(out.status.success(), "{}", crate::common::stderr(&out));
        let rows: Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
        let mut from_sql: Vec<&str> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["principal"].as_str().unwrap())
            .collect();
        let mut from_cli = named.clone();
        from_sql.sort();
        from_cli.sort();
        assert_eq!(
            from_sql, from_cli,
            "{action} on {resource}: who_can() in SQL"
        );
        let mut allowed = 0;
        for p in &auth.principals {
            let explained = auth
                .explain(&p.arn, action, resource, &Context::new())
                .unwrap();
            let may = explained.decision.decision == DecisionKind::Allowed;
            allowed += usize::from(may);
            assert_eq!(
                named.contains(&p.arn.as_str()),
                may,
                "{action} on {resource}: who-can and explain disagree on {}",
                p.arn
            );
        }
        let outside = named.len() - allowed;
        let (policy, _) = auth.resource_policy(action, resource);
        assert!(
            outside == 0 || policy.is_some(),
            "{action} on {resource}: outside principals without a resource policy: {named:?}"
        );
        answers.push(answer["grantees"].as_array().unwrap().clone());
    }
    answers
}

#[test]
fn who_can_agrees_with_explain_on_the_demo_organization() {
    let work = tempfile::tempdir().unwrap();
    let data = crate::common::demo_data(work.path());
    who_can_agrees_with_explain(
        &data,
        &[
            ("s3:GetObject", "arn:aws:s3:::sandbox-website/index.html"),
            ("s3:PutObject", "arn:aws:s3:::demo-org-trail-logs/AWSLogs/x"),
            (
                "iam:CreateAccessKey",
                "arn:aws:iam::222222222222:user/deploy",
            ),
            ("sts:GetCallerIdentity", "*"),
        ],
    );
    // The public website's bucket policy lets anyone read it: who-can says "anyone".
    let out = crate::common::govscan_local(
        &data,
        &[
            "policy",
            "who-can",
            "s3:GetObject",
            "arn:aws:s3:::sandbox-website/index.html",
        ],
    );
    let text = crate::common::stdout(&out);
    assert!(
        text.contains("anyone") && text.contains("bucket policy of sandbox-website"),
        "{text}"
    );
}

/// `policy can PRINCIPAL`: every action-resource pair it lists is one `explain` allows.
/// Answers its groups.
pub fn can_agrees_with_explain(data: &std::path::Path, principal: &str) -> Vec<Value> {
    use govscan::policy::{Context, DecisionKind};

    let auth = load_authorization(data);
    let out = crate::common::govscan_local(data, &["policy", "can", principal, "--format", "json"]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let answer: Value = serde_json::from_str(&crate::common::stdout(&out)).unwrap();
    let groups = answer["groups"].as_array().unwrap().clone();
    for g in &groups {
        for action in g["actions"].as_array().unwrap() {
            for resource in g["resources"].as_array().unwrap() {
                let (action, resource) = (action.as_str().unwrap(), resource.as_str().unwrap());
                let explained = auth
                    .explain(principal, action, resource, &Context::new())
                    .unwrap();
                // A pair is listed when the action is allowed on one of the patterns its
                // group names; explain must allow at least one pattern of the group.
                if explained.decision.decision == DecisionKind::Allowed {
                    continue;
                }
                let any = g["resources"].as_array().unwrap().iter().any(|r| {
                    auth.explain(principal, action, r.as_str().unwrap(), &Context::new())
                        .unwrap()
                        .decision
                        .decision
                        == DecisionKind::Allowed
                });
                assert!(
                    any,
                    "{principal}: can lists {action} on {resource}; explain denies it"
                );
            }
        }
    }
    groups
}

/// The engine's view of the latest snapshot in `data`, loaded in this process.
fn load_authorization(data: &std::path::Path) -> govscan::policy::snapshot::Authorization {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let dir = govscan::store::DataDir::Local(data.to_path_buf());
        let store = govscan::store::DataStore::open(&dir).await.unwrap();
        let (snapshot, _) = govscan::store::Snapshot::resolve(&store, None)
            .await
            .unwrap();
        govscan::policy::snapshot::Authorization::load(&snapshot)
            .await
            .unwrap()
    })
}
