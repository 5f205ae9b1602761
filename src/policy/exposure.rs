//! Who outside its account each resource policy lets act on its resource: buckets, KMS
//! keys, SNS topics, SQS queues, Lambda functions, secrets and event buses, decided by the policy engine with the RCPs of the
//! owner's account (CIS v7.0 2.21 and beyond).
//!
//! For each principal an Allow statement names from outside the owner's account (anyone,
//! or another account or principal), each of the service's sensitive actions is asked as
//! "could some request of theirs be allowed": an Allow whose condition names a key the
//! request would carry counts, with that condition reported (the outsider's own identity
//! policies are not in the snapshot and are taken to allow: what the owner controls is the
//! question). A grant to anyone whose every granting statement pins the caller or the
//! calling resource with a positive condition (`aws:SourceAccount`, `aws:SourceArn`,
//! `aws:PrincipalOrgID`, `aws:PrincipalArn`, a source VPC or address, ...) is `restricted`,
//! not `public`: the usual way a topic or queue lets one service of one account in.

use super::document::{Effect, Policy, Statement};
use super::eval::Matched;
use super::snapshot::{Authorization, Named};
use super::{Context, DecisionKind};

/// What resource_exposure asks, per service: the actions whose grant to an outsider
/// matters, and the resource each is asked on (`{arn}` the resource's ARN).
fn sensitive_actions(service: &str) -> &'static [(&'static str, &'static str)] {
    match service {
        "s3" => &[
            ("s3:GetObject", "{arn}/*"),
            ("s3:PutObject", "{arn}/*"),
            ("s3:DeleteObject", "{arn}/*"),
            ("s3:ListBucket", "{arn}"),
            ("s3:PutBucketPolicy", "{arn}"),
            ("s3:GetBucketAcl", "{arn}"),
        ],
        "kms" => &[
            ("kms:Decrypt", "{arn}"),
            ("kms:Encrypt", "{arn}"),
            ("kms:GenerateDataKey", "{arn}"),
            ("kms:ReEncryptFrom", "{arn}"),
            ("kms:CreateGrant", "{arn}"),
            ("kms:PutKeyPolicy", "{arn}"),
            ("kms:ScheduleKeyDeletion", "{arn}"),
        ],
        "sns" => &[
            ("sns:Publish", "{arn}"),
            ("sns:Subscribe", "{arn}"),
            ("sns:SetTopicAttributes", "{arn}"),
            ("sns:AddPermission", "{arn}"),
            ("sns:DeleteTopic", "{arn}"),
        ],
        "sqs" => &[
            ("sqs:SendMessage", "{arn}"),
            ("sqs:ReceiveMessage", "{arn}"),
            ("sqs:DeleteMessage", "{arn}"),
            ("sqs:SetQueueAttributes", "{arn}"),
            ("sqs:PurgeQueue", "{arn}"),
        ],
        "lambda" => &[
            ("lambda:InvokeFunction", "{arn}"),
            ("lambda:GetFunction", "{arn}"),
            ("lambda:UpdateFunctionCode", "{arn}"),
            ("lambda:AddPermission", "{arn}"),
        ],
        "secretsmanager" => &[
            ("secretsmanager:GetSecretValue", "{arn}"),
            ("secretsmanager:PutSecretValue", "{arn}"),
            ("secretsmanager:PutResourcePolicy", "{arn}"),
            ("secretsmanager:DeleteSecret", "{arn}"),
        ],
        "events" => &[
            ("events:PutEvents", "{arn}"),
            ("events:PutRule", "{arn}"),
            ("events:PutTargets", "{arn}"),
        ],
        _ => &[],
    }
}

/// Condition keys that, tested positively, pin who or what may call: with one of them, a
/// grant to `*` is not a grant to anyone.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:userid",
    "aws:username",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "kms:calleraccount",
    "kms:viaservice",
];

/// Whether a statement's conditions pin the caller: one of them tests a restricting key
/// with a positive operator that a request without the key fails (no `IfExists`, no
/// negation, not `Null`).
fn restricts_caller(statement: &Statement) -> bool {
    statement.conditions.iter().any(|c| {
        RESTRICTING_KEYS.contains(&c.key_lower.as_str())
            && !c.operator.base.is_negated()
            && !c.operator.if_exists
            && c.operator.base != super::document::BaseOperator::Null
    })
}

/// One outsider's access to one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub service: &'static str,
    pub resource_arn: String,
    pub account_id: String,
    /// `*` for anyone, else the account root or principal ARN named.
    pub principal: String,
    /// public, restricted (anyone, under a condition that pins the caller) or cross-account.
    pub exposure: &'static str,
    pub actions: Vec<String>,
    /// The conditions of the granting statements, as `Operator key [values]`.
    pub conditions: Vec<String>,
    /// S3 only: Block Public Access stops a public grant.
    pub blocked_by_public_access_block: bool,
}

/// A resource and its policy, as exposure reads them.
struct Governed<'a> {
    service: &'static str,
    arn: String,
    account_id: &'a str,
    policy: &'a Named,
    public_access_block: bool,
}

/// Every resource policy of the snapshot, with who outside the owner's account it lets in.
pub fn resource_exposure(auth: &Authorization) -> Vec<Exposure> {
    let mut governed: Vec<Governed> = Vec::new();
    for b in &auth.buckets {
        if let Some(policy) = &b.policy {
            governed.push(Governed {
                service: "s3",
                arn: format!("arn:aws:s3:::{}", b.name),
                account_id: &b.account_id,
                policy,
                public_access_block: b.restrict_public_buckets
                    || auth.account_restricts_public_buckets(&b.account_id),
            });
        }
    }
    for r in &auth.resources {
        if let Some(policy) = &r.policy {
            governed.push(Governed {
                service: r.service,
                arn: r.arn.clone(),
                account_id: &r.account_id,
                policy,
                public_access_block: false,
            });
        }
    }
    // The outsider's own identity policies are not in the snapshot: taken to allow.
    let allow_all = [Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .expect("valid")];
    let mut out = Vec::new();
    for g in &governed {
        let outsiders = outsiders(&g.policy.policy, g.account_id);
        if outsiders.is_empty() {
            continue;
        }
        // The RCP chain of the owner's account, once per resource rather than per outsider.
        let rcps: Option<Vec<Vec<Policy>>> = auth.rcps(g.account_id).map(|levels| {
            levels
                .iter()
                .map(|l| l.iter().map(|n| n.policy.clone()).collect())
                .collect()
        });
        for who in outsiders {
            if let Some(e) = exposure_of(g, &who, &allow_all, rcps.as_deref()) {
                out.push(e);
            }
        }
    }
    out
}

/// The principals the policy's Allow statements name from outside `owner`: `*` (anyone, also
/// for NotPrincipal), and each other account's root or principal ARN as written.
fn outsiders(policy: &Policy, owner: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |who: String| {
        if !found.contains(&who) {
            found.push(who);
        }
    };
    for s in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
    {
        let Some(block) = &s.principal else { continue };
        if block.negated || block.principals.any {
            add("*".into());
            continue;
        }
        for entry in &block.principals.aws {
            match account_of(entry) {
                Some(a) if a == owner => {}
                Some(a) if entry.len() == 12 => add(format!("arn:aws:iam::{a}:root")),
                Some(_) => add(entry.clone()),
                None => {}
            }
        }
    }
    found
}

/// The account of a Principal entry: a 12-digit id or an ARN's account field (shared with
/// `iam_role_trust`).
pub(super) fn account_of(entry: &str) -> Option<&str> {
    if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
        return Some(entry);
    }
    let parts: Vec<&str> = entry.splitn(6, ':').collect();
    (parts.len() == 6 && !parts[4].is_empty()).then(|| parts[4])
}

fn exposure_of(
    g: &Governed,
    who: &str,
    allow_all: &[Policy],
    rcps: Option<&[Vec<Policy>]>,
) -> Option<Exposure> {
    let mut context = Context::new();
    context.set("aws:SecureTransport", "true");
    context.assume_unknown_allow_conditions = true;
    let mut actions = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let mut unrestricted = false;
    for (action, form) in sensitive_actions(g.service) {
        let request = super::Request {
            principal: who.to_owned(),
            action: (*action).to_owned(),
            resource: form.replace("{arn}", &g.arn),
            resource_account: Some(g.account_id.to_owned()),
            context: context.clone(),
        };
        let policies = super::Policies {
            identity: if who == "*" { &[] } else { allow_all },
            resource: Some(&g.policy.policy),
            rcps,
            ..Default::default()
        };
        let decision = super::evaluate(&request, &policies);
        if decision.decision != DecisionKind::Allowed {
            continue;
        }
        let granting: Vec<&Statement> = decision
            .matched
            .iter()
            .filter_map(|m| match m {
                Matched::Statement { policy, index, .. } if policy.kind == "resource" => g
                    .policy
                    .policy
                    .statements
                    .iter()
                    .find(|s| s.index == *index && s.effect == Effect::Allow),
                _ => None,
            })
            .collect();
        // Allowed through the resource policy by some statement without a pin on the
        // caller: open to whoever the principal is.
        unrestricted |= granting.is_empty() || granting.iter().any(|s| !restricts_caller(s));
        for s in &granting {
            for c in &s.conditions {
                let text = format!("{} {} {:?}", c.operator_text, c.key, c.values);
                if !conditions.contains(&text) {
                    conditions.push(text);
                }
            }
        }
        actions.push((*action).to_owned());
    }
    if actions.is_empty() {
        return None;
    }
    let exposure = match (who == "*", unrestricted) {
        (true, true) => "public",
        (true, false) => "restricted",
        (false, _) => "cross-account",
    };
    Some(Exposure {
        service: g.service,
        resource_arn: g.arn.clone(),
        account_id: g.account_id.to_owned(),
        principal: who.to_owned(),
        exposure,
        actions,
        conditions,
        blocked_by_public_access_block: exposure == "public" && g.public_access_block,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn row(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    /// The three exposures issue 19 names: a queue anyone may use, a topic open to `*`
    /// only for one account's services, a key shared with another account.
    fn snapshot() -> Authorization {
        let queue = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111111111111:public-queue"}
        ]});
        let topic = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111111111111:alarms",
             "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}
        ]});
        let negated = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceAccount": "222222222222"}}}
        ]});
        let key = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}
        ]});
        let tables = |table: &str| -> Vec<serde_json::Map<String, Value>> {
            match table {
                "sqs_queues" => vec![row(
                    json!({"account_id": "111111111111", "queue_arn": "arn:aws:sqs:us-east-1:111111111111:public-queue", "policy": queue.to_string()}),
                )],
                "sns_topics" => vec![
                    row(
                        json!({"account_id": "111111111111", "topic_arn": "arn:aws:sns:us-east-1:111111111111:alarms", "policy": topic.to_string()}),
                    ),
                    row(
                        json!({"account_id": "111111111111", "topic_arn": "arn:aws:sns:us-east-1:111111111111:all-but-one", "policy": negated.to_string()}),
                    ),
                ],
                "kms_keys" => vec![row(
                    json!({"account_id": "111111111111", "arn": "arn:aws:kms:us-east-1:111111111111:key/k1", "policy": key.to_string()}),
                )],
                _ => Vec::new(),
            }
        };
        Authorization::load_with(&|t: &str| Ok(tables(t))).unwrap()
    }

    fn find<'a>(all: &'a [Exposure], arn: &str) -> Vec<&'a Exposure> {
        all.iter().filter(|e| e.resource_arn == arn).collect()
    }

    #[test]
    fn a_queue_open_to_anyone_is_public() {
        let all = resource_exposure(&snapshot());
        let q = find(&all, "arn:aws:sqs:us-east-1:111111111111:public-queue");
        assert_eq!(q.len(), 1, "{all:?}");
        assert_eq!((q[0].principal.as_str(), q[0].exposure), ("*", "public"));
        assert_eq!(q[0].actions, ["sqs:SendMessage"]);
    }

    #[test]
    fn a_topic_open_to_anyone_under_a_source_account_condition_is_restricted() {
        let all = resource_exposure(&snapshot());
        let t = find(&all, "arn:aws:sns:us-east-1:111111111111:alarms");
        assert_eq!(t.len(), 1, "{all:?}");
        assert_eq!(t[0].exposure, "restricted");
        assert_eq!(
            t[0].conditions,
            [r#"StringEquals aws:SourceAccount ["111111111111"]"#]
        );
        // "Everyone but one account" pins nobody: public.
        let negated = find(&all, "arn:aws:sns:us-east-1:111111111111:all-but-one");
        assert_eq!(negated[0].exposure, "public", "{negated:?}");
    }

    #[test]
    fn a_key_shared_with_another_account_is_cross_account_and_its_own_account_is_not_listed() {
        let all = resource_exposure(&snapshot());
        let k = find(&all, "arn:aws:kms:us-east-1:111111111111:key/k1");
        assert_eq!(k.len(), 1, "{all:?}");
        assert_eq!(
            (k[0].principal.as_str(), k[0].exposure),
            ("arn:aws:iam::999988887777:root", "cross-account")
        );
        assert_eq!(k[0].actions, ["kms:Decrypt"]);
    }
}
