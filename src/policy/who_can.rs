//! Who can do an action on a resource: every principal of a snapshot decided by the engine
//! with all the policies that apply to it (identity, boundary, the SCP chain, the resource's
//! policy and its RCP chain), the principals outside the snapshot that the resource's own
//! policy names (another account, a service, anyone), and for each the statements that
//! grant it and the conditions those statements carry.
//!
//! Conditions are evaluated against the request context a real request carries (see
//! [`Authorization::default_context`]) plus what the caller gives; an Allow whose condition
//! names a key neither holds (`aws:MultiFactorAuthPresent`, `aws:SourceIp`, `sts:ExternalId`)
//! is a grant under that condition, listed with it. A Deny is judged as AWS would judge the
//! request: "deny unless from the office network" with no source address given denies.

use serde::Serialize;

use super::document::{Effect, Policy};
use super::eval::Matched;
use super::snapshot::{Authorization, PrincipalKind};
use super::{Context, Decision, DecisionKind, Policies, Request};

/// One principal that may do the action.
#[derive(Debug, Clone, Serialize)]
pub struct Grantee {
    /// A user or role ARN (a role stands for its sessions), an account root, a service
    /// principal, or `*` for anyone.
    pub principal: String,
    pub account_id: Option<String>,
    /// user, role, account, service or anyone.
    pub kind: &'static str,
    /// The statements that allowed it, each with the policy it is in.
    pub granted_by: Vec<String>,
    /// The Condition blocks of those statements (`StringEquals aws:PrincipalOrgID [o-1]`).
    pub conditions: Vec<String>,
    /// What the answer rests on that the snapshot cannot show.
    pub notes: Vec<String>,
}

impl Authorization {
    /// Every principal that may do `action` on `resource`, users and roles of the snapshot
    /// first (by account, then ARN), then those the resource's policy names.
    pub fn who_can(&self, action: &str, resource: &str, given: &Context) -> Vec<Grantee> {
        let mut given = given.clone();
        given.assume_unknown_allow_conditions = true;
        let given = &given;
        let mut out = Vec::new();
        let mut principals: Vec<_> = self.principals.iter().collect();
        principals.sort_by(|a, b| (&a.account_id, &a.arn).cmp(&(&b.account_id, &b.arn)));
        for p in principals {
            let context = self.default_context(p, resource, given);
            let assembled = self.assemble(p);
            let decision = self.decide(&assembled, action, resource, &context);
            if decision.decision != DecisionKind::Allowed {
                continue;
            }
            let (granted_by, conditions) = self.grants(&decision, p, action, resource);
            out.push(Grantee {
                principal: p.arn.clone(),
                account_id: Some(p.account_id.clone()),
                kind: match p.kind {
                    PrincipalKind::User => "user",
                    PrincipalKind::Role => "role",
                },
                granted_by,
                conditions,
                notes: Vec::new(),
            });
        }
        out.extend(self.outside_grantees(action, resource, given));
        out
    }

    /// The statements behind an Allowed decision of principal `p`, labelled, and their
    /// conditions.
    fn grants(
        &self,
        decision: &Decision,
        p: &super::snapshot::Principal,
        action: &str,
        resource: &str,
    ) -> (Vec<String>, Vec<String>) {
        let (resource_policy, _) = self.resource_policy(action, resource);
        let policy_of = |prefix: &str| -> Option<(&Policy, &str)> {
            if let Some(i) = prefix
                .strip_prefix("identity[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
            {
                return p.identity.get(i).map(|n| (&n.policy, n.label.as_str()));
            }
            match prefix {
                "resource" => resource_policy.map(|n| (&n.policy, n.label.as_str())),
                "boundary[0]" => p.boundary.as_ref().map(|n| (&n.policy, n.label.as_str())),
                _ => None,
            }
        };
        statements_of(decision, policy_of)
    }

    /// Principals outside the snapshot that the resource's own policy allows: accounts,
    /// services and anyone. An outside account's own policies are not in the snapshot: it
    /// may act if they allow it too, which the note says.
    fn outside_grantees(&self, action: &str, resource: &str, given: &Context) -> Vec<Grantee> {
        let (Some(named), resource_account) = self.resource_policy(action, resource) else {
            return Vec::new();
        };
        let rcps: Option<Vec<Vec<Policy>>> = resource_account
            .as_deref()
            .and_then(|a| self.rcps(a))
            .map(|levels| {
                levels
                    .iter()
                    .map(|l| l.iter().map(|n| n.policy.clone()).collect())
                    .collect()
            });
        let mut candidates: Vec<(String, &'static str)> = Vec::new();
        for s in named.policy.statements.iter() {
            let Some(block) = s.principal.as_ref().filter(|b| !b.negated) else {
                continue;
            };
            if s.effect != Effect::Allow {
                continue;
            }
            if block.principals.any {
                candidates.push(("*".to_owned(), "anyone"));
            }
            for aws in &block.principals.aws {
                let arn = if aws.len() == 12 && aws.chars().all(|c| c.is_ascii_digit()) {
                    format!("arn:aws:iam::{aws}:root")
                } else {
                    aws.clone()
                };
                if self.principal_or_session(&arn).is_none() {
                    let kind = if arn.ends_with(":root") {
                        "account"
                    } else {
                        "role"
                    };
                    candidates.push((arn, kind));
                }
            }
            for service in &block.principals.service {
                candidates.push((service.clone(), "service"));
            }
        }
        candidates.sort();
        candidates.dedup();
        let allow_all = Policy::parse(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
        )
        .expect("a valid policy");
        let mut out = Vec::new();
        for (principal, kind) in candidates {
            let account = principal.split(':').nth(4).map(str::to_owned);
            let outside_account = kind == "account" || kind == "role";
            let mut context = given.clone();
            context.set_default("aws:SecureTransport", "true");
            // The resource side is what the snapshot holds; an outside account's own
            // identity policies are taken to allow, and said so.
            let identity: Vec<Policy> = if outside_account {
                vec![allow_all.clone()]
            } else {
                Vec::new()
            };
            let decision = super::evaluate(
                &Request {
                    principal: principal.clone(),
                    action: action.to_owned(),
                    resource: resource.to_owned(),
                    resource_account: resource_account.clone(),
                    context,
                },
                &Policies {
                    identity: &identity,
                    resource: Some(&named.policy),
                    rcps: rcps.as_deref(),
                    ..Policies::default()
                },
            );
            if decision.decision != DecisionKind::Allowed {
                continue;
            }
            let label = named.label.as_str();
            let (granted_by, conditions) = statements_of(&decision, |prefix| {
                (prefix == "resource").then_some((&named.policy, label))
            });
            let mut notes = Vec::new();
            if outside_account {
                notes.push(format!(
                    "outside the snapshot: it may, if the policies of its own account ({}) allow it too",
                    account.clone().unwrap_or_default()
                ));
            }
            out.push(Grantee {
                principal,
                account_id: account.filter(|a| !a.is_empty()),
                kind,
                granted_by,
                conditions,
                notes,
            });
        }
        out
    }
}

/// The Allow statements among a decision's matched references (`identity[0].Statement[2]`),
/// labelled with their policy, and the text of their conditions.
fn statements_of<'a>(
    decision: &Decision,
    policy_of: impl Fn(&str) -> Option<(&'a Policy, &'a str)>,
) -> (Vec<String>, Vec<String>) {
    let mut granted_by = Vec::new();
    let mut conditions = Vec::new();
    for reference in &decision.matched {
        let Matched::Statement { policy, index, .. } = reference else {
            continue;
        };
        let Some((policy, label)) = policy_of(&policy.to_string()) else {
            continue;
        };
        let Some(statement) = policy.statements.iter().find(|s| s.index == *index) else {
            continue;
        };
        if statement.effect != Effect::Allow {
            continue;
        }
        granted_by.push(format!("{reference} ({label})"));
        for c in &statement.conditions {
            let text = format!("{} {} {:?}", c.operator_text, c.key, c.values);
            if !conditions.contains(&text) {
                conditions.push(text);
            }
        }
    }
    (granted_by, conditions)
}
