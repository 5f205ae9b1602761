//! What a principal can do: each action its Allow statements name, on each resource pattern
//! they name for it, decided by the engine with every policy that applies (SCPs,
//! boundaries), so an Allow that an SCP or a boundary cancels is not a permission. The
//! computed table `iam_effective_permissions` asks it for the sensitive actions of every
//! principal, `govscan policy can` for every action of one.
//!
//! A resource pattern is decided as the request resource it names: a Deny on a narrower
//! pattern (`arn:aws:s3:::logs-1/*` against an Allow on `arn:aws:s3:::logs-*`) does not
//! match it, so the permission is reported for the whole pattern.

use serde::Serialize;

use super::catalog::catalog;
use super::document::Effect;
use super::snapshot::{Authorization, Principal};
use super::{Context, Decision};

/// One action on one resource pattern, decided.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    pub action: String,
    /// The catalog's access level (List, Read, Write, Permissions management, Tagging).
    pub access_level: Option<&'static str>,
    /// A resource pattern an Allow statement names for the action (`*` when it names none).
    pub resource: String,
    #[serde(flatten)]
    pub decision: Decision,
    /// True if an Allow for it carries conditions (the decision assumes a plain request).
    pub conditional: bool,
}

impl Authorization {
    /// Every action of the catalog that an Allow statement of `p`'s identity policies names,
    /// as the catalog spells it.
    pub fn actions_named(&self, p: &Principal) -> Vec<String> {
        let catalog = catalog();
        let mut actions: Vec<String> = p
            .identity
            .iter()
            .flat_map(|n| n.policy.statements.iter())
            .filter(|s| s.effect == Effect::Allow)
            .flat_map(|s| {
                if s.actions.negated {
                    // NotAction: everything but what it names.
                    catalog
                        .expand("*")
                        .into_iter()
                        .filter(|a| s.actions.covers(&a.key))
                        .collect::<Vec<_>>()
                } else {
                    s.actions
                        .patterns
                        .iter()
                        .flat_map(|p| catalog.expand(p))
                        .collect()
                }
            })
            .map(|a| format!("{}:{}", a.service, a.name))
            .collect();
        actions.sort_by_key(|a| a.to_ascii_lowercase());
        actions.dedup_by_key(|a| a.to_ascii_lowercase());
        actions
    }

    /// `actions` of principal `p` on the resource patterns its Allow statements name for
    /// each, decided; an action no Allow names gives nothing.
    pub fn permissions(&self, p: &Principal, actions: &[String]) -> Vec<Permission> {
        let catalog = catalog();
        let assembled = self.assemble(p);
        let mut out = Vec::new();
        for action in actions {
            let lower = action.to_ascii_lowercase();
            let mut patterns: Vec<String> = Vec::new();
            let mut conditional = false;
            for s in p
                .identity
                .iter()
                .flat_map(|n| n.policy.statements.iter())
                .filter(|s| s.effect == Effect::Allow && s.actions.covers(&lower))
            {
                conditional |= !s.conditions.is_empty();
                match &s.resources {
                    Some(r) if !r.negated => {
                        for pattern in &r.patterns {
                            if !patterns.contains(pattern) {
                                patterns.push(pattern.clone());
                            }
                        }
                    }
                    _ => {
                        if !patterns.iter().any(|x| x == "*") {
                            patterns.push("*".into());
                        }
                    }
                }
            }
            let level = catalog
                .action(action)
                .and_then(|a| a.levels.first())
                .map(|l| l.as_str());
            for pattern in patterns {
                let context = self.default_context(p, &pattern, &Context::new());
                // `home/${aws:username}/*` is this principal's `home/alice/*`; a variable it
                // has no value for names nothing.
                let Some(pattern) = super::condition::substitute(&pattern, &context) else {
                    continue;
                };
                let decision = self.decide(&assembled, action, &pattern, &context);
                out.push(Permission {
                    action: action.clone(),
                    access_level: level,
                    resource: pattern,
                    decision,
                    conditional,
                });
            }
        }
        out
    }
}

/// The allowed permissions of one service at one access level.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PermissionGroup {
    pub service: String,
    pub access_level: String,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// True if an Allow behind one of them carries conditions.
    pub conditional: bool,
}

/// The allowed permissions grouped by service and access level (in that order), and how
/// many action-resource pairs the policies allow that a guardrail (an SCP, the boundary, a
/// Deny) cancels.
pub fn group_allowed(permissions: &[Permission]) -> (Vec<PermissionGroup>, usize) {
    let mut groups: std::collections::BTreeMap<(String, String), PermissionGroup> =
        Default::default();
    let mut cancelled = 0;
    for permission in permissions {
        if permission.decision.decision != super::DecisionKind::Allowed {
            cancelled += 1;
            continue;
        }
        let service = permission.action.split(':').next().unwrap_or("").to_owned();
        let level = permission.access_level.unwrap_or("Unknown").to_owned();
        let group = groups
            .entry((service.clone(), level.clone()))
            .or_insert_with(|| PermissionGroup {
                service,
                access_level: level,
                ..PermissionGroup::default()
            });
        if !group.actions.contains(&permission.action) {
            group.actions.push(permission.action.clone());
        }
        if !group.resources.contains(&permission.resource) {
            group.resources.push(permission.resource.clone());
        }
        group.conditional |= permission.conditional;
    }
    (groups.into_values().collect(), cancelled)
}
