//! Deciding a request the way AWS does (IAM User Guide, "Policy evaluation logic", "How AWS
//! enforcement code logic evaluates requests", "Cross-account policy evaluation logic"):
//!
//! 1. An explicit Deny in any applicable policy (identity, permissions boundary, session,
//!    resource, VPC endpoint, SCP, RCP) decides: ExplicitlyDenied.
//! 2. RCPs, then SCPs: every level from the root to the account needs an Allow. SCPs do not
//!    apply to service-linked roles; the caller passes `None` where they do not apply at all
//!    (the management account, an account outside an organization).
//! 3. VPC endpoint policies, when the request goes through endpoints, each need an Allow.
//! 4. Within one account, an Allow in the identity-based policies (within every permissions
//!    boundary and the session policy) or in the resource policy is enough; how much a
//!    resource-policy grant is worth depends on the principal it names (the user or session
//!    itself: not limited by identity policies, boundaries or session policies; the role:
//!    limited by boundaries and session policies; the account: it only delegates to the
//!    identity policies). Role trust policies and KMS key policies must always allow.
//! 5. Across accounts, both the identity side and the resource policy must allow.

use super::condition::{holds, substitute, Context};
use super::document::{Effect, Policy, Principals, Statement, Version};
use super::pattern::resource_matches;

/// One request: who, what, on which resource, with which context.
#[derive(Debug, Clone)]
pub struct Request {
    /// The principal's ARN (`arn:aws:iam::1:user/x`, `arn:aws:sts::1:assumed-role/r/s`,
    /// `arn:aws:iam::1:role/r` for "any session of the role", `arn:aws:iam::1:root`), or a
    /// service principal (`ec2.amazonaws.com`), or `*` for anonymous.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: String,
    /// The account owning the resource; default: the ARN's account field, else the
    /// principal's account.
    pub resource_account: Option<String>,
    pub context: Context,
}

/// The policies that apply to a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policies<'a> {
    pub identity: &'a [Policy],
    /// Every boundary must allow; empty: no boundary.
    pub boundaries: &'a [Policy],
    pub session: Option<&'a Policy>,
    pub resource: Option<&'a Policy>,
    pub vpc_endpoints: &'a [Policy],
    /// One list per level, root first; None: SCPs do not apply.
    pub scps: Option<&'a [Vec<Policy>]>,
    pub rcps: Option<&'a [Vec<Policy>]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum DecisionKind {
    Allowed,
    ExplicitlyDenied,
    ImplicitlyDenied,
}

/// The answer, with the policy types that blocked it and the statements that decided it
/// (`identity[0].Statement[2]`, `#Sid` appended when the statement has one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub decision: DecisionKind,
    pub blocked_by: Vec<&'static str>,
    pub matched: Vec<String>,
}

/// What a principal ARN says about the principal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Root {
        account: String,
    },
    User {
        account: String,
        name: String,
    },
    /// A role ARN given as the principal: any session of the role.
    Role {
        account: String,
        name: String,
    },
    Session {
        account: String,
        role: String,
    },
    FederatedUser {
        account: String,
        name: String,
    },
    Service(String),
    Other,
}

fn who(principal: &str) -> Who {
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn")
        {
            Who::Service(principal.to_owned())
        } else {
            Who::Other
        };
    }
    let account = parts[4].to_owned();
    let resource = parts[5];
    match (parts[2], resource.split_once('/')) {
        ("iam", _) if resource == "root" => Who::Root { account },
        ("iam", Some(("user", path))) => Who::User {
            account,
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
        },
        ("iam", Some(("role", path))) => Who::Role {
            account,
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
        },
        ("sts", Some(("assumed-role", rest))) => Who::Session {
            account,
            role: rest.split('/').next().unwrap_or(rest).to_owned(),
        },
        ("sts", Some(("federated-user", name))) => Who::FederatedUser {
            account,
            name: name.to_owned(),
        },
        _ => Who::Other,
    }
}

impl Who {
    fn account(&self) -> Option<&str> {
        match self {
            Who::Root { account }
            | Who::User { account, .. }
            | Who::Role { account, .. }
            | Who::Session { account, .. }
            | Who::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// "SCPs don't affect service-linked roles" (nor do RCPs).
    fn is_service_linked_role(&self, principal: &str) -> bool {
        match self {
            Who::Role { name, .. } | Who::Session { role: name, .. } => {
                principal.contains(":role/aws-service-role/")
                    || name.starts_with("AWSServiceRoleFor")
            }
            _ => false,
        }
    }
}

/// How a resource-based policy named the requester; the order is the strength of the grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Grant {
    /// The account (`"123456789012"`, `arn:aws:iam::123456789012:root`): delegates to the
    /// account's identity policies.
    Account,
    /// The role of a session, or the IAM user behind a federated-user session: limited by
    /// permissions boundaries and session policies.
    Role,
    /// The user, the session itself, a service, or everyone (`*`).
    Direct,
}

fn account_of_entry(entry: &str) -> Option<&str> {
    if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
        return Some(entry);
    }
    let parts: Vec<&str> = entry.splitn(6, ':').collect();
    (parts.len() == 6 && parts[2] == "iam" && parts[5] == "root").then(|| parts[4])
}

/// How `principals` name the requester, if they do.
fn grant(principals: &Principals, principal: &str, who: &Who) -> Option<Grant> {
    if principals.any {
        return Some(Grant::Direct);
    }
    let mut best = None;
    for entry in &principals.aws {
        let g = if entry == principal {
            Some(match who {
                Who::Root { .. } => Grant::Account,
                Who::Role { .. } => Grant::Role,
                _ => Grant::Direct,
            })
        } else if let Some(account) = account_of_entry(entry) {
            (who.account() == Some(account)).then_some(Grant::Account)
        } else {
            match (who, self::who(entry)) {
                (
                    Who::Session { account, role },
                    Who::Role {
                        account: a,
                        name: n,
                    },
                ) if *account == a && *role == n => Some(Grant::Role),
                (
                    Who::FederatedUser { account, name },
                    Who::User {
                        account: a,
                        name: n,
                    },
                ) if *account == a && *name == n => Some(Grant::Role),
                _ => None,
            }
        };
        best = best.max(g);
    }
    let named = |list: &[String]| list.iter().any(|e| e == principal);
    if named(&principals.service)
        || named(&principals.federated)
        || named(&principals.canonical_user)
    {
        best = Some(Grant::Direct);
    }
    best
}

/// `NotPrincipal` matches exactly: "you must include the ARN of the role ... and the
/// assumed-role session" to exclude a session; an account entry stands for the root user.
fn named_exactly(principals: &Principals, principal: &str) -> bool {
    if principals.any {
        return true;
    }
    principals.aws.iter().any(|e| {
        e == principal
            || account_of_entry(e).is_some_and(|a| principal == format!("arn:aws:iam::{a}:root"))
    }) || principals.service.iter().any(|e| e == principal)
        || principals.federated.iter().any(|e| e == principal)
        || principals.canonical_user.iter().any(|e| e == principal)
}

struct Prepared<'a> {
    principal: &'a str,
    who: Who,
    action: String,
    resource: &'a str,
    context: &'a Context,
}

/// Whether a statement covers the action, resource and conditions (not the principal).
fn covers(statement: &Statement, version: Version, r: &Prepared) -> bool {
    if !statement.actions.covers(&r.action) {
        return false;
    }
    if let Some(resources) = &statement.resources {
        let matched = resources.patterns.iter().any(|p| {
            if version == Version::V2012 && p.contains("${") {
                substitute(p, r.context).is_some_and(|p| resource_matches(&p, r.resource))
            } else {
                resource_matches(p, r.resource)
            }
        });
        if matched == resources.negated {
            return false;
        }
    }
    statement.conditions.iter().all(|c| {
        // "Who could" questions: an Allow whose condition names a key the request did not
        // give is a grant under that condition (reported with it), not a refusal.
        (statement.effect == Effect::Allow
            && r.context.assume_unknown_allow_conditions
            && r.context.get(&c.key).is_none()
            && !c.key.contains("${"))
            || holds(c, r.context, version)
    })
}

fn reference(kind: &str, index: &str, statement: &Statement) -> String {
    // Built by hand: it runs for every statement that matches, on every request.
    let sid = statement.sid.as_deref().unwrap_or("");
    let mut out = String::with_capacity(kind.len() + index.len() + sid.len() + 16);
    out.push_str(kind);
    out.push_str(index);
    out.push_str(".Statement[");
    push_number(&mut out, statement.index);
    out.push(']');
    if statement.sid.is_some() {
        out.push('#');
        out.push_str(sid);
    }
    out
}

fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
}

/// The statements of `policy` with `effect` that apply to the request; for policies with a
/// Principal element, only those naming the requester (with the grant's strength).
fn matching<'p, 'r, 'a>(
    policy: &'p Policy,
    effect: Effect,
    r: &'r Prepared<'a>,
    principal_aware: bool,
) -> impl Iterator<Item = (&'p Statement, Grant)> + use<'p, 'r, 'a> {
    policy.statements.iter().filter_map(move |s| {
        if s.effect != effect || !covers(s, policy.version, r) {
            return None;
        }
        if !principal_aware {
            return Some((s, Grant::Direct));
        }
        match &s.principal {
            None => None,
            Some(block) if block.negated => {
                (!named_exactly(&block.principals, r.principal)).then_some((s, Grant::Direct))
            }
            Some(block) => grant(&block.principals, r.principal, &r.who).map(|g| (s, g)),
        }
    })
}

/// Actions whose resource policy must always allow: role trust policies and KMS key
/// policies ("they must explicitly allow access for principals").
fn resource_policy_required(action: &str) -> bool {
    action.starts_with("kms:")
        || matches!(
            action,
            "sts:assumerole" | "sts:assumerolewithsaml" | "sts:assumerolewithwebidentity"
        )
}

/// IAM writes that AWS refuses on AWS managed policies, whatever the caller's policies say:
/// "You cannot change the permissions defined in AWS managed policies" (IAM User Guide,
/// Managed policies and inline policies).
const AWS_MANAGED_POLICY_WRITES: [&str; 6] = [
    "iam:createpolicyversion",
    "iam:deletepolicy",
    "iam:deletepolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:tagpolicy",
    "iam:untagpolicy",
];

/// IAM writes that AWS refuses on service-linked roles (`/aws-service-role/`: "the linked
/// service defines the permissions of its service-linked roles, and unless defined
/// otherwise, only that service can assume the roles"; they are edited and deleted only
/// through the service or iam:DeleteServiceLinkedRole, IAM User Guide, Service-linked
/// roles) and on AWS-reserved roles (`/aws-reserved/`, the roles IAM Identity Center
/// creates: "you can't modify or delete them", IAM Identity Center User Guide).
const PROTECTED_ROLE_WRITES: [&str; 11] = [
    "iam:attachrolepolicy",
    "iam:detachrolepolicy",
    "iam:putrolepolicy",
    "iam:deleterolepolicy",
    "iam:updateassumerolepolicy",
    "iam:deleterole",
    "iam:tagrole",
    "iam:untagrole",
    "iam:updaterole",
    "iam:putrolepermissionsboundary",
    "iam:deleterolepermissionsboundary",
];

/// Why AWS refuses `action` on `resource` before reading any policy, if it does.
fn refused_by_aws(action: &str, resource: &str) -> Option<&'static str> {
    let iam_resource = resource.splitn(6, ':').collect::<Vec<_>>();
    let (account, path) = match iam_resource.as_slice() {
        ["arn", _, "iam", _, account, path] => (*account, *path),
        _ => return None,
    };
    if account == "aws"
        && path.starts_with("policy/")
        && AWS_MANAGED_POLICY_WRITES.contains(&action)
    {
        return Some("AWS managed policies cannot be changed");
    }
    let reserved = path.starts_with("role/aws-reserved/");
    let service_linked = path.starts_with("role/aws-service-role/");
    if (reserved || service_linked) && PROTECTED_ROLE_WRITES.contains(&action) {
        return Some(if reserved {
            "AWS-reserved roles cannot be changed"
        } else {
            "service-linked roles are changed only by their service"
        });
    }
    // Identity Center's roles are for its users' sessions; no one passes them to a service.
    if reserved && matches!(action, "iam:passrole" | "iam:updateroledescription") {
        return Some("AWS-reserved roles cannot be passed or changed");
    }
    None
}

/// Decides `request` under `policies`.
pub fn evaluate(request: &Request, policies: &Policies) -> Decision {
    let action = request.action.to_ascii_lowercase();
    // "No permissions are required to perform this operation. If an administrator attaches
    // a policy to your identity that explicitly denies access to the sts:GetCallerIdentity
    // action, you can still perform this operation" (STS API Reference, GetCallerIdentity).
    // It is a signed request: an anonymous caller has no identity to ask about.
    if action == "sts:getcalleridentity" && request.principal != "*" {
        return Decision {
            decision: DecisionKind::Allowed,
            blocked_by: Vec::new(),
            matched: vec!["sts:GetCallerIdentity needs no permission".to_owned()],
        };
    }
    if let Some(why) = refused_by_aws(&action, &request.resource) {
        return Decision {
            decision: DecisionKind::ExplicitlyDenied,
            blocked_by: vec!["aws"],
            matched: vec![why.to_owned()],
        };
    }
    let who = who(&request.principal);
    let mut context = request.context.clone();
    // What AWS puts in every request context, unless the caller gave it.
    context.set_default("aws:PrincipalArn", principal_arn(&request.principal, &who));
    if let Some(account) = who.account() {
        context.set_default("aws:PrincipalAccount", account);
    }
    if let Who::User { name, .. } = &who {
        context.set_default("aws:username", name.clone());
    }
    let r = Prepared {
        principal: &request.principal,
        who,
        action,
        resource: &request.resource,
        context: &context,
    };
    let principal_account = r.who.account().map(str::to_owned);
    let resource_account = request
        .resource_account
        .clone()
        .or_else(|| {
            let parts: Vec<&str> = request.resource.splitn(6, ':').collect();
            // A pattern's wildcard account (`arn:aws:iam::*:policy/x`) names no account.
            (parts.len() == 6 && !parts[4].is_empty() && !parts[4].contains(['*', '?']))
                .then(|| parts[4].to_owned())
        })
        .or_else(|| principal_account.clone());
    let cross_account = principal_account.is_some() && resource_account != principal_account;
    let exempt_from_org_policies = r.who.is_service_linked_role(&request.principal);
    // "SCPs affect only IAM users and roles that are managed by accounts that are part of
    // the organization" (Organizations User Guide, SCPs): an anonymous caller has none.
    // RCPs are about the resource, and apply to anonymous requests too.
    let anonymous = request.principal == "*";
    let scps = policies
        .scps
        .filter(|_| !exempt_from_org_policies && !anonymous);
    let rcps = policies.rcps.filter(|_| !exempt_from_org_policies);

    let mut sets: Vec<(&'static str, String, &Policy, bool)> = Vec::new();
    for (i, p) in policies.identity.iter().enumerate() {
        sets.push(("identity", format!("[{i}]"), p, false));
    }
    for (i, p) in policies.boundaries.iter().enumerate() {
        sets.push(("boundary", format!("[{i}]"), p, false));
    }
    if let Some(p) = policies.session {
        sets.push(("session", String::new(), p, false));
    }
    if let Some(p) = policies.resource {
        sets.push(("resource", String::new(), p, true));
    }
    for (i, p) in policies.vpc_endpoints.iter().enumerate() {
        sets.push(("vpc_endpoint", format!("[{i}]"), p, true));
    }
    for (kind, levels) in [("scp", scps), ("rcp", rcps)] {
        for (level, list) in levels.unwrap_or_default().iter().enumerate() {
            for (i, p) in list.iter().enumerate() {
                sets.push((kind, format!("[{level}][{i}]"), p, false));
            }
        }
    }

    // 1. Explicit denies, everywhere.
    let mut denied_by = Vec::new();
    let mut matched = Vec::new();
    for (kind, index, policy, aware) in &sets {
        for (s, _) in matching(policy, Effect::Deny, &r, *aware) {
            matched.push(reference(kind, index, s));
            if !denied_by.contains(kind) {
                denied_by.push(*kind);
            }
        }
    }
    // "Resource-based policy statements that include a NotPrincipal policy element with a
    // Deny effect ... always deny IAM principals that have a permissions boundary", whoever
    // NotPrincipal names (IAM User Guide, AWS JSON policy elements: NotPrincipal).
    if let (Some(policy), false) = (policies.resource, policies.boundaries.is_empty()) {
        for s in policy.statements.iter() {
            let not_principal = s.principal.as_ref().is_some_and(|b| b.negated);
            if s.effect == Effect::Deny && not_principal && covers(s, policy.version, &r) {
                let named = reference("resource", "", s);
                if !matched.contains(&named) {
                    matched.push(named);
                }
                if !denied_by.contains(&"resource") {
                    denied_by.push("resource");
                }
            }
        }
    }
    if !denied_by.is_empty() {
        return Decision {
            decision: DecisionKind::ExplicitlyDenied,
            blocked_by: denied_by,
            matched,
        };
    }

    let mut allows = |kind: &'static str, index: &str, policy: &Policy, aware: bool| {
        let mut best = None;
        for (s, g) in matching(policy, Effect::Allow, &r, aware) {
            matched.push(reference(kind, index, s));
            best = best.max(Some(g));
        }
        best
    };
    let implicit = |blocked_by: Vec<&'static str>, matched: Vec<String>| Decision {
        decision: DecisionKind::ImplicitlyDenied,
        blocked_by,
        matched,
    };

    // 2. RCPs and SCPs: an Allow at every level.
    for (kind, levels) in [("rcp", rcps), ("scp", scps)] {
        for (level, list) in levels.unwrap_or_default().iter().enumerate() {
            let mut any = false;
            for (i, p) in list.iter().enumerate() {
                any |= allows(kind, &format!("[{level}][{i}]"), p, false).is_some();
            }
            if !any {
                return implicit(vec![kind], matched);
            }
        }
    }
    // 3. VPC endpoint policies.
    for (i, p) in policies.vpc_endpoints.iter().enumerate() {
        if allows("vpc_endpoint", &format!("[{i}]"), p, true).is_none() {
            return implicit(vec!["vpc_endpoint"], matched);
        }
    }

    // 4-5. Identity side and resource policy.
    let root_of_own_account = matches!(r.who, Who::Root { .. });
    let mut identity = root_of_own_account;
    for (i, p) in policies.identity.iter().enumerate() {
        identity |= allows("identity", &format!("[{i}]"), p, false).is_some();
    }
    let mut boundary = true;
    for (i, p) in policies.boundaries.iter().enumerate() {
        boundary &= allows("boundary", &format!("[{i}]"), p, false).is_some();
    }
    let session = policies
        .session
        .is_none_or(|p| allows("session", "", p, false).is_some());
    let resource_grant = policies
        .resource
        .and_then(|p| allows("resource", "", p, true));

    let identity_path = identity && boundary && session;
    let mut blocked = Vec::new();
    let allowed = if cross_account {
        if !identity {
            blocked.push("identity");
        }
        if !boundary {
            blocked.push("boundary");
        }
        if !session {
            blocked.push("session");
        }
        if resource_grant.is_none() {
            blocked.push("resource");
        }
        identity_path && resource_grant.is_some()
    } else {
        let through_resource = match resource_grant {
            Some(Grant::Direct) => true,
            Some(Grant::Role) => boundary && session,
            Some(Grant::Account) => identity_path,
            None => false,
        };
        let required = resource_policy_required(&r.action);
        let ok = if required {
            through_resource
        } else {
            identity_path || through_resource
        };
        if !ok {
            if required && resource_grant.is_none() {
                blocked.push("resource");
            }
            if !identity {
                blocked.push("identity");
            }
            if !boundary {
                blocked.push("boundary");
            }
            if !session {
                blocked.push("session");
            }
        }
        ok
    };
    if allowed {
        Decision {
            decision: DecisionKind::Allowed,
            blocked_by: Vec::new(),
            matched,
        }
    } else {
        implicit(blocked, matched)
    }
}

/// `aws:PrincipalArn`: for a role session, the role's ARN.
fn principal_arn(principal: &str, who: &Who) -> String {
    match who {
        Who::Session { account, role } => format!("arn:aws:iam::{account}:role/{role}"),
        _ => principal.to_owned(),
    }
}
