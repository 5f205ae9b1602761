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

use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

use super::condition::{holds, substitute, Context, Keys};
use super::document::{Effect, Policy, Principals, Statement, Version};
use super::pattern::{resource_matches, resource_pattern_covers, resource_patterns_overlap};

/// One request: who, what, on which resource, with which context.
#[derive(Debug, Clone)]
pub struct Request {
    /// The principal's ARN (`arn:aws:iam::1:user/x`, `arn:aws:sts::1:assumed-role/r/s`,
    /// `arn:aws:iam::1:role/r` for "any session of the role", `arn:aws:iam::1:root`), or a
    /// service principal (`ec2.amazonaws.com`), or `*` for anonymous.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// The resource ARN; `*` for actions without resource-level permissions; or a pattern
    /// (`arn:aws:s3:::logs-*/AWSLogs/*`, or `*` for an action with resource-level
    /// permissions) to ask whether the principal may act on some resource it matches: an
    /// Allow then counts where its Resource meets the pattern, a Deny only where it covers
    /// all of it. Across policies the parts each one allows are not intersected, so a
    /// pattern's answer errs toward "may".
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

/// The answer, with the policy types that blocked it and what decided it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub decision: DecisionKind,
    pub blocked_by: Vec<&'static str>,
    pub matched: Vec<Matched>,
}

/// One of the policies of a request: `identity[0]`, `boundary[0]`, `session`, `resource`,
/// `vpc_endpoint[1]`, `scp[2][0]` (level, then position in the level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyRef {
    pub kind: &'static str,
    /// The SCP or RCP level, root first.
    pub level: Option<usize>,
    /// The position among the policies of its kind (of its level).
    pub position: Option<usize>,
}

impl PolicyRef {
    fn new(kind: &'static str, level: Option<usize>, position: Option<usize>) -> Self {
        PolicyRef {
            kind,
            level,
            position,
        }
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.kind)?;
        for n in [self.level, self.position].into_iter().flatten() {
            write!(f, "[{n}]")?;
        }
        Ok(())
    }
}

/// What decided a request: a statement of one of its policies, shown as
/// `identity[0].Statement[2]` with `#Sid` appended when it has one, or a rule of AWS's that
/// no policy changes. Kept as parts, and written out only when shown: a decision is made
/// far more often than it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matched {
    Statement {
        policy: PolicyRef,
        /// The statement's position in its document's Statement list.
        index: usize,
        sid: Option<Arc<str>>,
    },
    Rule(&'static str),
}

impl Matched {
    fn statement(policy: PolicyRef, statement: &Statement) -> Self {
        Matched::Statement {
            policy,
            index: statement.index,
            sid: statement.sid.clone(),
        }
    }
}

impl fmt::Display for Matched {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Matched::Statement { policy, index, sid } => {
                write!(f, "{policy}.Statement[{index}]")?;
                if let Some(sid) = sid {
                    write!(f, "#{sid}")?;
                }
                Ok(())
            }
            Matched::Rule(rule) => f.write_str(rule),
        }
    }
}

impl serde::Serialize for Matched {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a principal ARN says about the principal (borrowed from the ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who<'a> {
    Root {
        account: &'a str,
    },
    User {
        account: &'a str,
        name: &'a str,
    },
    /// A role ARN given as the principal: any session of the role.
    Role {
        account: &'a str,
        name: &'a str,
    },
    Session {
        account: &'a str,
        role: &'a str,
    },
    FederatedUser {
        account: &'a str,
        name: &'a str,
    },
    Other,
}

/// The six parts of an ARN, if `text` is one. Split by hand: it runs several times for
/// every request, on strings whose first five colons come early.
fn arn_parts(text: &str) -> Option<[&str; 6]> {
    if !text.starts_with("arn:") {
        return None;
    }
    let mut out = [""; 6];
    let mut start = 0;
    let mut part = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            out[part] = &text[start..i];
            start = i + 1;
            part += 1;
            if part == 5 {
                out[5] = &text[start..];
                return Some(out);
            }
        }
    }
    None
}

/// The last part of an IAM path (`user/division/alice`: `alice`).
fn last_part(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn who(principal: &str) -> Who<'_> {
    let Some([_, _, service, _, account, resource]) = arn_parts(principal) else {
        return Who::Other;
    };
    match (service, resource.split_once('/')) {
        ("iam", _) if resource == "root" => Who::Root { account },
        ("iam", Some(("user", path))) => Who::User {
            account,
            name: last_part(path),
        },
        ("iam", Some(("role", path))) => Who::Role {
            account,
            name: last_part(path),
        },
        ("sts", Some(("assumed-role", rest))) => Who::Session {
            account,
            role: rest.split('/').next().unwrap_or(rest),
        },
        ("sts", Some(("federated-user", name))) => Who::FederatedUser { account, name },
        _ => Who::Other,
    }
}

impl<'a> Who<'a> {
    fn account(&self) -> Option<&'a str> {
        match *self {
            Who::Root { account }
            | Who::User { account, .. }
            | Who::Role { account, .. }
            | Who::Session { account, .. }
            | Who::FederatedUser { account, .. } => Some(account),
            Who::Other => None,
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

/// The request's context keys, and the ones AWS puts in every request unless the caller
/// gave them (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username`), made only when a
/// policy asks for them rather than copied into a new context for each request.
struct RequestKeys<'a> {
    given: &'a Context,
    principal: &'a str,
    who: Who<'a>,
    principal_arn: OnceCell<[String; 1]>,
    principal_account: OnceCell<Option<[String; 1]>>,
    username: OnceCell<Option<[String; 1]>>,
}

impl<'a> RequestKeys<'a> {
    fn new(given: &'a Context, principal: &'a str, who: Who<'a>) -> Self {
        RequestKeys {
            given,
            principal,
            who,
            principal_arn: OnceCell::new(),
            principal_account: OnceCell::new(),
            username: OnceCell::new(),
        }
    }
}

impl Keys for RequestKeys<'_> {
    fn get(&self, key: &str) -> Option<&[String]> {
        if let Some(values) = self.given.get(key) {
            return Some(values);
        }
        if key.eq_ignore_ascii_case("aws:PrincipalArn") {
            let arn = self
                .principal_arn
                .get_or_init(|| [principal_arn(self.principal, &self.who)]);
            Some(arn)
        } else if key.eq_ignore_ascii_case("aws:PrincipalAccount") {
            self.principal_account
                .get_or_init(|| self.who.account().map(|a| [a.to_owned()]))
                .as_ref()
                .map(|a| a.as_slice())
        } else if key.eq_ignore_ascii_case("aws:username") {
            self.username
                .get_or_init(|| match self.who {
                    Who::User { name, .. } => Some([name.to_owned()]),
                    _ => None,
                })
                .as_ref()
                .map(|a| a.as_slice())
        } else {
            None
        }
    }

    fn assume_unknown_allow_conditions(&self) -> bool {
        self.given.assume_unknown_allow_conditions
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
    arn_parts(entry)
        .filter(|p| p[2] == "iam" && p[5] == "root")
        .map(|p| p[4])
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
            match (*who, self::who(entry)) {
                (
                    Who::Session { account, role },
                    Who::Role {
                        account: a,
                        name: n,
                    },
                ) if account == a && role == n => Some(Grant::Role),
                (
                    Who::FederatedUser { account, name },
                    Who::User {
                        account: a,
                        name: n,
                    },
                ) if account == a && name == n => Some(Grant::Role),
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
    let root_of = |account: &str| {
        principal
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.strip_suffix(":root"))
            == Some(account)
    };
    principals
        .aws
        .iter()
        .any(|e| e == principal || account_of_entry(e).is_some_and(root_of))
        || principals.service.iter().any(|e| e == principal)
        || principals.federated.iter().any(|e| e == principal)
        || principals.canonical_user.iter().any(|e| e == principal)
}

struct Prepared<'a> {
    principal: &'a str,
    who: Who<'a>,
    action: &'a str,
    resource: &'a str,
    /// The resource is a pattern: the question is about some resource it matches.
    resource_is_pattern: bool,
    keys: RequestKeys<'a>,
}

/// Whether `resource` asks about a set of resources rather than names one. `*` is the one
/// resource of an action without resource-level permissions ("you must specify all
/// resources (*)", Service Authorization Reference: Resource types), which only a
/// `Resource: "*"` grants; for an action with resource types it stands for any of them.
fn is_resource_pattern(action: &str, resource: &str) -> bool {
    if !resource.contains(['*', '?']) {
        return false;
    }
    resource != "*"
        || super::catalog::catalog()
            .action(action)
            .is_some_and(|a| !a.resource_types.is_empty())
}

/// Whether a statement covers the action, resource and conditions (not the principal).
fn covers(statement: &Statement, version: Version, r: &Prepared) -> bool {
    if !statement.actions.covers(r.action) {
        return false;
    }
    if let Some(resources) = &statement.resources {
        // Asked of a pattern, an element that may apply to part of it (an Allow's Resource,
        // a Deny's NotResource) counts where it meets the pattern; one that must apply to
        // all of it (a Deny's Resource, an Allow's NotResource) where it covers it.
        let some_of_it = (statement.effect == Effect::Allow) != resources.negated;
        let applies = |p: &str| match (r.resource_is_pattern, some_of_it) {
            (false, _) => resource_matches(p, r.resource),
            (true, true) => resource_patterns_overlap(p, r.resource),
            (true, false) => resource_pattern_covers(p, r.resource),
        };
        let matched = if version == Version::V2012 && resources.has_variables {
            resources
                .patterns
                .iter()
                .any(|p| substitute(p, &r.keys).is_some_and(|p| applies(&p)))
        } else {
            resources.patterns.iter().any(|p| applies(p))
        };
        if matched == resources.negated {
            return false;
        }
    }
    statement.conditions.iter().all(|c| {
        // "Who could" questions: an Allow whose condition names a key the request did not
        // give is a grant under that condition (reported with it), not a refusal.
        (statement.effect == Effect::Allow
            && r.keys.assume_unknown_allow_conditions()
            && r.keys.given.get(&c.key).is_none()
            && !c.key.contains("${"))
            || holds(c, &r.keys, version)
    })
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

/// Requests whose resource policy must always allow: role trust policies and KMS key
/// policies ("they must explicitly allow access for principals"). An alias is the
/// exception among KMS resources: "you cannot specify an alias in a key policy ... to
/// control access to an alias, use an IAM policy" (AWS KMS Developer Guide, Controlling
/// access to aliases). The alias operations (CreateAlias, UpdateAlias, DeleteAlias) are
/// authorized twice, on the alias by IAM policies and on the key by its key policy: each half
/// is its own request, with the alias or the key as its resource.
fn resource_policy_required(action: &str, resource: &str) -> bool {
    if action.starts_with("kms:") {
        return !arn_parts(resource).is_some_and(|p| p[2] == "kms" && p[5].starts_with("alias/"));
    }
    matches!(
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
    if !action.starts_with("iam:") {
        return None;
    }
    let (account, path) = match arn_parts(resource) {
        Some([_, _, "iam", _, account, path]) => (account, path),
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
            matched: vec![Matched::Rule("sts:GetCallerIdentity needs no permission")],
        };
    }
    if let Some(why) = refused_by_aws(&action, &request.resource) {
        return Decision {
            decision: DecisionKind::ExplicitlyDenied,
            blocked_by: vec!["aws"],
            matched: vec![Matched::Rule(why)],
        };
    }
    let who = who(&request.principal);
    let r = Prepared {
        principal: &request.principal,
        who,
        action: &action,
        resource: &request.resource,
        resource_is_pattern: is_resource_pattern(&action, &request.resource),
        keys: RequestKeys::new(&request.context, &request.principal, who),
    };
    let principal_account = who.account();
    let resource_account = request
        .resource_account
        .as_deref()
        .or_else(|| {
            // A pattern's wildcard account (`arn:aws:iam::*:policy/x`) names no account.
            arn_parts(&request.resource)
                .map(|p| p[4])
                .filter(|a| !a.is_empty() && !a.contains(['*', '?']))
        })
        .or(principal_account);
    let cross_account = principal_account.is_some() && resource_account != principal_account;
    let exempt_from_org_policies = who.is_service_linked_role(&request.principal);
    // "SCPs affect only IAM users and roles that are managed by accounts that are part of
    // the organization" (Organizations User Guide, SCPs): an anonymous caller has none.
    // RCPs are about the resource, and apply to anonymous requests too.
    let anonymous = request.principal == "*";
    let scps = policies
        .scps
        .filter(|_| !exempt_from_org_policies && !anonymous);
    let rcps = policies.rcps.filter(|_| !exempt_from_org_policies);

    // Every policy of the request, with whether it names principals.
    let mut sets: Vec<(PolicyRef, &Policy, bool)> = Vec::with_capacity(16);
    for (i, p) in policies.identity.iter().enumerate() {
        sets.push((PolicyRef::new("identity", None, Some(i)), p, false));
    }
    for (i, p) in policies.boundaries.iter().enumerate() {
        sets.push((PolicyRef::new("boundary", None, Some(i)), p, false));
    }
    if let Some(p) = policies.session {
        sets.push((PolicyRef::new("session", None, None), p, false));
    }
    if let Some(p) = policies.resource {
        sets.push((PolicyRef::new("resource", None, None), p, true));
    }
    for (i, p) in policies.vpc_endpoints.iter().enumerate() {
        sets.push((PolicyRef::new("vpc_endpoint", None, Some(i)), p, true));
    }
    for (kind, levels) in [("scp", scps), ("rcp", rcps)] {
        for (level, list) in levels.unwrap_or_default().iter().enumerate() {
            for (i, p) in list.iter().enumerate() {
                sets.push((PolicyRef::new(kind, Some(level), Some(i)), p, false));
            }
        }
    }

    // 1. Explicit denies, everywhere.
    let mut denied_by = Vec::new();
    let mut matched = Vec::new();
    for &(at, policy, aware) in &sets {
        for (s, _) in matching(policy, Effect::Deny, &r, aware) {
            matched.push(Matched::statement(at, s));
            if !denied_by.contains(&at.kind) {
                denied_by.push(at.kind);
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
                let named = Matched::statement(PolicyRef::new("resource", None, None), s);
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

    let mut allows = |at: PolicyRef, policy: &Policy, aware: bool| {
        let mut best = None;
        for (s, g) in matching(policy, Effect::Allow, &r, aware) {
            matched.push(Matched::statement(at, s));
            best = best.max(Some(g));
        }
        best
    };
    let implicit = |blocked_by: Vec<&'static str>, matched: Vec<Matched>| Decision {
        decision: DecisionKind::ImplicitlyDenied,
        blocked_by,
        matched,
    };

    // 2. RCPs and SCPs: an Allow at every level.
    for (kind, levels) in [("rcp", rcps), ("scp", scps)] {
        for (level, list) in levels.unwrap_or_default().iter().enumerate() {
            let mut any = false;
            for (i, p) in list.iter().enumerate() {
                any |= allows(PolicyRef::new(kind, Some(level), Some(i)), p, false).is_some();
            }
            if !any {
                return implicit(vec![kind], matched);
            }
        }
    }
    // 3. VPC endpoint policies.
    for (i, p) in policies.vpc_endpoints.iter().enumerate() {
        if allows(PolicyRef::new("vpc_endpoint", None, Some(i)), p, true).is_none() {
            return implicit(vec!["vpc_endpoint"], matched);
        }
    }

    // 4-5. Identity side and resource policy.
    let root_of_own_account = matches!(who, Who::Root { .. });
    let mut identity = root_of_own_account;
    for (i, p) in policies.identity.iter().enumerate() {
        identity |= allows(PolicyRef::new("identity", None, Some(i)), p, false).is_some();
    }
    let mut boundary = true;
    for (i, p) in policies.boundaries.iter().enumerate() {
        boundary &= allows(PolicyRef::new("boundary", None, Some(i)), p, false).is_some();
    }
    let session = policies
        .session
        .is_none_or(|p| allows(PolicyRef::new("session", None, None), p, false).is_some());
    let resource_grant = policies
        .resource
        .and_then(|p| allows(PolicyRef::new("resource", None, None), p, true));

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
        let required = resource_policy_required(r.action, r.resource);
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
    match *who {
        Who::Session { account, role } => format!("arn:aws:iam::{account}:role/{role}"),
        _ => principal.to_owned(),
    }
}
