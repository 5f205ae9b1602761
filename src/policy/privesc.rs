//! Privilege escalation: the 65 documented paths (DataDog/pathfinding.cloud, Apache-2.0,
//! compiled in from `data/iam/privesc-paths.json`) checked for every principal of a
//! snapshot with the evaluator, so SCPs, boundaries, trust policies and conditions count.
//!
//! A path is open for a principal when every permission it requires is allowed on the
//! resource the path needs it on: `iam:CreatePolicyVersion` on a customer managed policy
//! attached to the principal (self-escalation) or to a role it can then assume;
//! `iam:CreateAccessKey` on another user; `iam:PassRole` on a role, `sts:AssumeRole` on a
//! role whose trust policy lets it in; the services' own actions (`ec2:RunInstances`,
//! `lambda:UpdateFunctionCode`) on any resource (`*`), since their resources (instances,
//! functions) are not in the snapshot.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::document::Effect;
use super::snapshot::{Assembled, Authorization, Principal, PrincipalKind};
use super::{Context, DecisionKind};

const PATHS: &str = include_str!("../../data/iam/privesc-paths.json");

#[derive(Debug, Clone, Deserialize)]
pub struct Path {
    pub id: String,
    pub name: String,
    /// self-escalation, principal-access, new-passrole, existing-passrole.
    pub category: String,
    pub services: Vec<String>,
    pub description: String,
    pub required: Vec<Required>,
    pub reference: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Required {
    pub permission: String,
    pub resource_constraints: String,
}

pub fn paths() -> &'static [Path] {
    static CELL: OnceLock<Vec<Path>> = OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str(PATHS).expect("data/iam/privesc-paths.json is valid"))
}

/// What a required permission must be allowed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// The principal's own user or role.
    OwnPrincipal,
    /// A group the user is in.
    OwnGroup,
    /// A customer managed policy attached to the principal (or its groups).
    OwnPolicy,
    /// Another user of the account.
    User,
    /// A role (another one).
    Role,
    /// A customer managed policy attached to the target role.
    RolePolicy,
    /// Any group of the account.
    AnyGroup,
    /// A role to pass to a service.
    PassedRole,
    /// Any resource.
    Anything,
}

fn on(permission: &str, category: &str) -> On {
    let own = category == "self-escalation";
    match permission.to_ascii_lowercase().as_str() {
        "iam:createpolicyversion" | "iam:setdefaultpolicyversion" if own => On::OwnPolicy,
        "iam:createpolicyversion" | "iam:setdefaultpolicyversion" => On::RolePolicy,
        "iam:putrolepolicy"
        | "iam:attachrolepolicy"
        | "iam:putuserpolicy"
        | "iam:attachuserpolicy"
            if own =>
        {
            On::OwnPrincipal
        }
        "iam:putrolepolicy"
        | "iam:attachrolepolicy"
        | "iam:updateassumerolepolicy"
        | "sts:assumerole" => On::Role,
        "iam:putuserpolicy"
        | "iam:attachuserpolicy"
        | "iam:createaccesskey"
        | "iam:deleteaccesskey"
        | "iam:createloginprofile"
        | "iam:updateloginprofile" => On::User,
        "iam:attachgrouppolicy" | "iam:putgrouppolicy" => On::OwnGroup,
        "iam:addusertogroup" => On::AnyGroup,
        "iam:passrole" => On::PassedRole,
        _ => On::Anything,
    }
}

/// One open path: `principal` can take `path` to `target`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Escalation {
    pub account_id: String,
    pub principal_arn: String,
    pub principal_type: &'static str,
    pub path_id: String,
    pub path_name: String,
    pub category: String,
    pub permissions: Vec<String>,
    /// The user, role, policy or group the path goes through; `*` for paths through
    /// resources the snapshot does not hold (existing instances, functions, stacks).
    pub target: String,
    pub detail: String,
}

/// The service principal a passed role must trust, for `iam:PassedToService`.
fn service_principal(service: &str) -> String {
    match service {
        "ecs" => "ecs-tasks.amazonaws.com".into(),
        "apprunner" => "tasks.apprunner.amazonaws.com".into(),
        "datapipeline" => "datapipeline.amazonaws.com".into(),
        other => format!("{other}.amazonaws.com"),
    }
}

/// Whether any identity-based Allow statement mentions an action the principal would need:
/// a cheap test that skips most principals before any request is evaluated. Trust and
/// bucket policies can allow without one, so `sts:AssumeRole` is not filtered.
fn mentions(p: &Principal, action: &str) -> bool {
    let action = action.to_ascii_lowercase();
    action == "sts:assumerole"
        || p.identity.iter().any(|n| {
            n.policy
                .statements
                .iter()
                .any(|s| s.effect == Effect::Allow && s.actions.covers(&action))
        })
}

/// The actions whose allowance on every resource makes a principal an administrator: with
/// them it can rewrite any role's policies, attach any policy to any user, mint access keys
/// for anyone and pass any role, so it can grant itself everything else.
pub const ADMIN_PROBE: [&str; 4] = [
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:PassRole",
];

/// Whether the assembled principal is an administrator ([`ADMIN_PROBE`] all allowed on `*`).
pub fn is_admin(auth: &Authorization, a: &Assembled, context: &Context) -> bool {
    ADMIN_PROBE
        .iter()
        .all(|action| auth.decide(a, action, "*", context).decision == DecisionKind::Allowed)
}

/// Every open path of every principal of the snapshot. Administrators are left out: they
/// need no path, and listing every path for each would drown the ones that matter.
pub fn escalations(auth: &Authorization) -> Vec<Escalation> {
    let trusting = Trusting::new(auth);
    let mut out = Vec::new();
    for p in &auth.principals {
        let assembled = auth.assemble(p);
        let context = auth.default_context(p, "*", &Context::new());
        if is_admin(auth, &assembled, &context) {
            continue;
        }
        for path in paths() {
            if path.required.iter().all(|r| mentions(p, &r.permission)) {
                out.extend(open_paths(auth, &trusting, &assembled, &context, path));
            }
        }
    }
    out
}

/// The roles whose trust policy may let a principal assume them. A path through
/// `sts:AssumeRole` goes to roles of every account, and deciding each principal against
/// each role of the organization made `check` quadratic in accounts (400 accounts: 76 s of
/// 77 in the policy engine). AssumeRole needs the trust policy to allow (the evaluator's
/// `resource_policy_required`), and an Allow statement allows only a principal it names:
/// `*`, its ARN, or its account. Any ARN of an account is taken here as naming the account,
/// more than the evaluator accepts, and a NotPrincipal block as naming everyone, so this
/// only narrows which roles are decided; each candidate is still decided in full.
struct Trusting {
    /// Roles with an Allow statement for anyone (`*`, NotPrincipal).
    anyone: Vec<usize>,
    /// Roles by a principal entry of an Allow statement and by the account it names.
    named: HashMap<String, Vec<usize>>,
}

impl Trusting {
    fn new(auth: &Authorization) -> Self {
        let mut trusting = Trusting {
            anyone: Vec::new(),
            named: HashMap::new(),
        };
        for (i, role) in auth.principals.iter().enumerate() {
            let mut names = Vec::new();
            let mut anyone = false;
            for (_, block) in role.trust_grants() {
                let listed = &block.principals;
                anyone |= block.negated || listed.any;
                for entry in listed
                    .aws
                    .iter()
                    .chain(&listed.service)
                    .chain(&listed.federated)
                    .chain(&listed.canonical_user)
                {
                    names.push(entry.as_str());
                }
                names.extend(
                    listed
                        .aws
                        .iter()
                        .filter_map(|e| super::exposure::account_of(e)),
                );
            }
            if anyone {
                trusting.anyone.push(i);
                continue;
            }
            names.sort_unstable();
            names.dedup();
            for name in names {
                trusting.named.entry(name.to_owned()).or_default().push(i);
            }
        }
        trusting
    }

    /// The roles that may trust `p`, in the snapshot's order.
    fn roles_for<'a>(&self, auth: &'a Authorization, p: &Principal) -> Vec<&'a Principal> {
        let mut roles = self.anyone.clone();
        for name in [&p.arn, &p.account_id] {
            roles.extend(self.named.get(name.as_str()).into_iter().flatten());
        }
        roles.sort_unstable();
        roles.dedup();
        roles.into_iter().map(|i| &auth.principals[i]).collect()
    }
}

fn open_paths(
    auth: &Authorization,
    trusting: &Trusting,
    a: &Assembled,
    context: &Context,
    path: &Path,
) -> Vec<Escalation> {
    let p = a.principal;
    let kinds: Vec<(&str, On)> = path
        .required
        .iter()
        .map(|r| (r.permission.as_str(), on(&r.permission, &path.category)))
        .collect();
    let passed_to = path
        .services
        .iter()
        .find(|s| *s != "iam" && *s != "sts")
        .map(|s| service_principal(s));
    let allowed = |action: &str, resource: &str| {
        let mut c = context.clone();
        if action.eq_ignore_ascii_case("iam:PassRole") {
            if let Some(service) = &passed_to {
                c.set("iam:PassedToService", service.clone());
            }
        }
        auth.decide(a, action, resource, &c).decision == DecisionKind::Allowed
    };
    // A target fills in the resources: (target, detail, resource for each permission).
    struct Candidate {
        target: String,
        detail: String,
        user: Option<String>,
        role: Option<String>,
        role_policy: Option<String>,
        own_policy: Option<String>,
        group: Option<String>,
    }
    let blank = |target: String| Candidate {
        target,
        detail: String::new(),
        user: None,
        role: None,
        role_policy: None,
        own_policy: None,
        group: None,
    };
    let has = |k: On| kinds.iter().any(|(_, on)| *on == k);
    let mut candidates = Vec::new();
    if (has(On::OwnPrincipal)
        && p.kind == PrincipalKind::Role
        && kinds.iter().any(|(perm, on)| {
            *on == On::OwnPrincipal && perm.to_ascii_lowercase().contains("role")
        }))
        || (has(On::OwnPrincipal)
            && p.kind == PrincipalKind::User
            && kinds.iter().any(|(perm, on)| {
                *on == On::OwnPrincipal && perm.to_ascii_lowercase().contains("user")
            }))
    {
        candidates.push(blank(p.arn.clone()));
    } else if has(On::OwnPrincipal) {
        // A user-policy path for a role (or the reverse) does not apply.
        return Vec::new();
    } else if has(On::User) {
        for t in auth
            .principals_of(&p.account_id)
            .filter(|t| t.kind == PrincipalKind::User && t.arn != p.arn)
        {
            candidates.push(Candidate {
                user: Some(t.arn.clone()),
                ..blank(t.arn.clone())
            });
        }
    } else if has(On::Role) || has(On::RolePolicy) {
        // Assuming a role works across accounts when its trust policy allows; changing a
        // role needs the role's own account.
        let across = kinds
            .iter()
            .all(|(perm, on)| *on != On::Role || perm.eq_ignore_ascii_case("sts:AssumeRole"))
            && !has(On::RolePolicy);
        let roles: Vec<&Principal> = if across {
            trusting.roles_for(auth, p)
        } else {
            auth.principals_of(&p.account_id).collect()
        };
        for t in roles
            .into_iter()
            .filter(|t| t.kind == PrincipalKind::Role && t.arn != p.arn && !t.is_service_linked)
        {
            if has(On::RolePolicy) {
                for n in t
                    .identity
                    .iter()
                    .filter(|n| is_customer_managed(n.arn.as_deref()))
                {
                    let arn = n.arn.clone().unwrap_or_default();
                    candidates.push(Candidate {
                        role: Some(t.arn.clone()),
                        role_policy: Some(arn.clone()),
                        detail: format!("by a new version of {arn}, attached to the role"),
                        ..blank(t.arn.clone())
                    });
                }
            } else {
                candidates.push(Candidate {
                    role: Some(t.arn.clone()),
                    ..blank(t.arn.clone())
                });
            }
        }
    } else if has(On::OwnPolicy) {
        let mut seen = Vec::new();
        for n in p
            .identity
            .iter()
            .filter(|n| is_customer_managed(n.arn.as_deref()))
        {
            let arn = n.arn.clone().unwrap_or_default();
            if !seen.contains(&arn) {
                seen.push(arn.clone());
                candidates.push(Candidate {
                    own_policy: Some(arn.clone()),
                    detail: format!("{arn} is attached to the principal"),
                    ..blank(arn)
                });
            }
        }
    } else if has(On::OwnGroup) {
        for g in &p.groups {
            candidates.push(Candidate {
                group: Some(g.clone()),
                ..blank(g.clone())
            });
        }
    } else if has(On::AnyGroup) {
        for g in auth.groups.iter().filter(|g| g.account_id == p.account_id) {
            candidates.push(Candidate {
                group: Some(g.arn.clone()),
                ..blank(g.arn.clone())
            });
        }
    } else if has(On::PassedRole) {
        for r in auth
            .principals_of(&p.account_id)
            .filter(|r| r.kind == PrincipalKind::Role && !r.is_service_linked)
        {
            candidates.push(Candidate {
                role: Some(r.arn.clone()),
                detail: passed_to
                    .as_ref()
                    .map(|s| format!("passed to {s}"))
                    .unwrap_or_default(),
                ..blank(r.arn.clone())
            });
        }
    } else {
        candidates.push(Candidate {
            detail: format!("through existing {} resources", path.services.join("/")),
            ..blank("*".into())
        });
    }
    let mut out = Vec::new();
    for c in candidates {
        let all = kinds.iter().all(|(perm, kind)| {
            let resource = match kind {
                On::OwnPrincipal => Some(p.arn.as_str()),
                On::User => c.user.as_deref(),
                On::Role | On::PassedRole => c.role.as_deref(),
                On::RolePolicy => c.role_policy.as_deref(),
                On::OwnPolicy => c.own_policy.as_deref(),
                On::OwnGroup | On::AnyGroup => c.group.as_deref(),
                On::Anything => Some("*"),
            };
            resource.is_some_and(|r| allowed(perm, r))
        });
        if all {
            out.push(Escalation {
                account_id: p.account_id.clone(),
                principal_arn: p.arn.clone(),
                principal_type: match p.kind {
                    PrincipalKind::User => "user",
                    PrincipalKind::Role => "role",
                },
                path_id: path.id.clone(),
                path_name: path.name.clone(),
                category: path.category.clone(),
                permissions: kinds.iter().map(|(perm, _)| perm.to_string()).collect(),
                target: c.target,
                detail: c.detail,
            });
        }
    }
    out
}

fn is_customer_managed(arn: Option<&str>) -> bool {
    arn.is_some_and(|a| !a.starts_with("arn:aws:iam::aws:policy/"))
}

/// Every permission any path requires, for the effective-permissions table.
pub fn path_permissions() -> Vec<String> {
    let mut all: Vec<String> = paths()
        .iter()
        .flat_map(|p| p.required.iter().map(|r| r.permission.clone()))
        .collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::catalog::catalog;

    #[test]
    fn the_paths_are_compiled_in_and_name_real_actions() {
        let paths = paths();
        assert_eq!(paths.len(), 65);
        let unknown: Vec<String> = path_permissions()
            .into_iter()
            .filter(|perm| catalog().action(perm).is_none())
            .collect();
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    /// sts-001 (assume a role) across accounts: only roles whose trust policy names the
    /// actor, its account, or anyone are decided, and each of those is found exactly when
    /// the evaluator allows it.
    #[test]
    fn assuming_roles_of_other_accounts_follows_their_trust_policies() {
        use crate::policy::snapshot::{Named, Principal};
        use crate::policy::Policy;

        let named = |statements: serde_json::Value| Named {
            label: "test".into(),
            arn: None,
            policy: Policy::from_value(
                &serde_json::json!({"Version": "2012-10-17", "Statement": statements}),
            )
            .unwrap(),
        };
        let principal = |account: &str, kind: PrincipalKind, name: &str| Principal {
            arn: match kind {
                PrincipalKind::User => format!("arn:aws:iam::{account}:user/{name}"),
                PrincipalKind::Role => format!("arn:aws:iam::{account}:role/{name}"),
            },
            account_id: account.into(),
            name: name.into(),
            kind,
            identity: Vec::new(),
            boundary: None,
            trust: None,
            is_service_linked: false,
            groups: Vec::new(),
        };
        // A role of account 222222222222 whose trust policy allows sts:AssumeRole to the
        // `Principal` or `NotPrincipal` in `who`.
        let role = |name: &str, mut who: serde_json::Value| {
            who["Effect"] = "Allow".into();
            who["Action"] = "sts:AssumeRole".into();
            Principal {
                trust: Some(named(serde_json::json!([who]))),
                ..principal("222222222222", PrincipalKind::Role, name)
            }
        };
        let actor_arn = "arn:aws:iam::111111111111:user/actor";
        let mut auth = Authorization::default();
        auth.principals = vec![
            Principal {
                identity: vec![named(serde_json::json!([
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
                ]))],
                ..principal("111111111111", PrincipalKind::User, "actor")
            },
            role(
                "trusts-account",
                serde_json::json!({"Principal": {"AWS": "arn:aws:iam::111111111111:root"}}),
            ),
            role(
                "trusts-account-id",
                serde_json::json!({"Principal": {"AWS": "111111111111"}}),
            ),
            role(
                "trusts-actor",
                serde_json::json!({"Principal": {"AWS": actor_arn}}),
            ),
            role("trusts-anyone", serde_json::json!({"Principal": "*"})),
            role(
                "trusts-all-but-c",
                serde_json::json!({"NotPrincipal": {"AWS": "arn:aws:iam::333333333333:root"}}),
            ),
            role(
                "trusts-all-but-actor",
                serde_json::json!({"NotPrincipal": {"AWS": actor_arn}}),
            ),
            role(
                "trusts-other-account",
                serde_json::json!({"Principal": {"AWS": "arn:aws:iam::333333333333:root"}}),
            ),
            role(
                "trusts-a-service",
                serde_json::json!({"Principal": {"Service": "ec2.amazonaws.com"}}),
            ),
            principal("222222222222", PrincipalKind::Role, "trust-not-read"),
        ];
        let targets: Vec<String> = escalations(&auth)
            .into_iter()
            .filter(|e| e.principal_arn == actor_arn && e.path_id == "sts-001")
            .map(|e| e.target.rsplit('/').next().unwrap().to_owned())
            .collect();
        assert_eq!(
            targets,
            [
                "trusts-account",
                "trusts-account-id",
                "trusts-actor",
                "trusts-anyone",
                "trusts-all-but-c"
            ]
        );
    }
}
