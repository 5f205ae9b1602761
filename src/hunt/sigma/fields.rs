//! Field names that Sigma rules use but CloudTrail does not have, mapped to CloudTrail's.
//!
//! Rules written against another back end's taxonomy name fields CloudTrail records
//! under other names (SigmaHQ's console-login rules say `status` for
//! `responseElements.ConsoleLogin`). The mapping is a pySigma processing pipeline whose
//! transformations are `field_name_mapping`s, so a pipeline written for pySigma's
//! CloudTrail back ends can be given as it is. The built-in one is `cloudtrail.yml` beside
//! this file; `govscan hunt --sigma-pipeline FILE` adds to it (and wins where both map a
//! field).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The pipeline govscan ships.
const BUILTIN: &str = include_str!("cloudtrail.yml");

#[derive(Debug, Deserialize)]
struct Pipeline {
    #[serde(default)]
    transformations: Vec<Transformation>,
    /// The values of `%placeholders%` (`value_placeholders`): a text or a list of texts.
    #[serde(default)]
    vars: BTreeMap<String, serde_norway::Value>,
}

#[derive(Debug, Deserialize)]
struct Transformation {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    mapping: BTreeMap<String, serde_norway::Value>,
    /// Conditions restrict a transformation to some rules or fields; applying it without
    /// them would rename fields it was not meant for, so such a pipeline is refused.
    #[serde(default)]
    rule_conditions: Option<serde_norway::Value>,
    #[serde(default)]
    field_name_conditions: Option<serde_norway::Value>,
    #[serde(default)]
    detection_item_conditions: Option<serde_norway::Value>,
}

/// Sigma field name → CloudTrail field name (as Sigma would write it: `eventName`,
/// `requestParameters.bucketName`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMapping {
    fields: BTreeMap<String, String>,
    /// Placeholder name → its values, once a `value_placeholders` transformation is given.
    placeholders: BTreeMap<String, Vec<String>>,
    /// A placeholder without values matches anything (`wildcard_placeholders`).
    unknown_placeholders_match_anything: bool,
}

impl FieldMapping {
    /// The built-in mapping.
    pub fn builtin() -> Self {
        let mut mapping = Self {
            fields: BTreeMap::new(),
            placeholders: BTreeMap::new(),
            unknown_placeholders_match_anything: false,
        };
        mapping
            .extend_from(BUILTIN)
            .expect("the built-in pipeline is valid");
        mapping
    }

    /// The built-in mapping with a pipeline file's mappings over it.
    pub fn with_pipeline(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::from_pipeline_text(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The built-in mapping with a pipeline's text over it.
    pub fn from_pipeline_text(text: &str) -> Result<Self, String> {
        let mut mapping = Self::builtin();
        mapping.extend_from(text)?;
        Ok(mapping)
    }

    fn extend_from(&mut self, text: &str) -> Result<(), String> {
        let pipeline: Pipeline =
            serde_norway::from_str(text).map_err(|e| format!("not a Sigma pipeline: {e}"))?;
        for (i, t) in pipeline.transformations.iter().enumerate() {
            if ![
                "field_name_mapping",
                "value_placeholders",
                "wildcard_placeholders",
            ]
            .contains(&t.kind.as_str())
            {
                return Err(format!(
                    "transformation {}: type {} is not supported (only field_name_mapping, value_placeholders and wildcard_placeholders)",
                    i + 1,
                    t.kind
                ));
            }
            if t.rule_conditions.is_some()
                || t.field_name_conditions.is_some()
                || t.detection_item_conditions.is_some()
            {
                return Err(format!(
                    "transformation {}: conditions are not supported; the mapping would apply to every rule",
                    i + 1
                ));
            }
            for (from, to) in &t.mapping {
                let to = match to {
                    serde_norway::Value::String(s) => s.clone(),
                    serde_norway::Value::Sequence(items) if items.len() == 1 => items[0]
                        .as_str()
                        .ok_or_else(|| format!("{from}: maps to a field name"))?
                        .to_owned(),
                    _ => {
                        return Err(format!(
                        "{from}: maps to one field name (several alternatives are not supported)"
                    ))
                    }
                };
                if to.is_empty() || to.contains('|') {
                    return Err(format!("{from}: {to:?} is not a field name"));
                }
                self.fields.insert(from.clone(), to);
            }
            match t.kind.as_str() {
                "value_placeholders" => {
                    for (name, value) in &pipeline.vars {
                        let values = match value {
                            serde_norway::Value::Sequence(items) => items
                                .iter()
                                .map(|v| super::value_text(v).ok().flatten())
                                .collect::<Option<Vec<_>>>(),
                            v => super::value_text(v).ok().flatten().map(|v| vec![v]),
                        }
                        .ok_or_else(|| format!("vars: {name} is not a text or a list of texts"))?;
                        self.placeholders.insert(name.clone(), values);
                    }
                }
                "wildcard_placeholders" => self.unknown_placeholders_match_anything = true,
                _ => {}
            }
        }
        Ok(())
    }

    /// The values `text` stands for once its `%name%` placeholders are replaced (every
    /// combination), or which placeholder has no value.
    pub(super) fn expand_placeholders(&self, text: &str) -> Result<Vec<String>, String> {
        let mut out = vec![String::new()];
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            let Some(len) = rest[start + 1..].find('%') else {
                break;
            };
            let name = &rest[start + 1..start + 1 + len];
            let literal = &rest[..start];
            let values: Vec<String> = match self.placeholders.get(name) {
                Some(values) => values.clone(),
                None if self.unknown_placeholders_match_anything => vec!["*".to_owned()],
                None => {
                    return Err(format!(
                        "placeholder %{name}% has no value: give it in the vars of a Sigma pipeline with a value_placeholders transformation (--sigma-pipeline)"
                    ))
                }
            };
            out = out
                .iter()
                .flat_map(|head| values.iter().map(move |v| format!("{head}{literal}{v}")))
                .collect();
            rest = &rest[start + 2 + len..];
        }
        Ok(out.into_iter().map(|head| head + rest).collect())
    }

    /// The CloudTrail name of a rule's field (the field itself when it is not mapped).
    pub fn resolve<'a>(&'a self, field: &'a str) -> &'a str {
        self.fields.get(field).map_or(field, String::as_str)
    }

    /// The mappings, for `--list` and the docs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_pipeline_maps_status_to_the_console_login_result() {
        let m = FieldMapping::builtin();
        assert_eq!(m.resolve("status"), "responseElements.ConsoleLogin");
        assert_eq!(m.resolve("type"), "userIdentity.type");
        assert_eq!(m.resolve("eventName"), "eventName");
    }

    #[test]
    fn a_pipeline_adds_to_the_builtin_one_and_wins() {
        let mut m = FieldMapping::builtin();
        m.extend_from(
            "name: mine\ntransformations:\n  - id: x\n    type: field_name_mapping\n    mapping:\n      status: errorCode\n      src_ip: [sourceIPAddress]\n",
        )
        .unwrap();
        assert_eq!(m.resolve("status"), "errorCode");
        assert_eq!(m.resolve("src_ip"), "sourceIPAddress");
    }

    #[test]
    fn what_a_pipeline_cannot_say_here_is_refused() {
        let err = |text: &str| FieldMapping::builtin().extend_from(text).unwrap_err();
        assert!(
            err("transformations:\n  - type: add_condition\n    conditions: {a: b}\n")
                .contains("only field_name_mapping, value_placeholders")
        );
        assert!(err(
            "transformations:\n  - type: field_name_mapping\n    mapping: {a: b}\n    rule_conditions: [{type: logsource}]\n"
        )
        .contains("conditions are not supported"));
        assert!(
            err("transformations:\n  - type: field_name_mapping\n    mapping: {a: [b, c]}\n")
                .contains("several alternatives")
        );
        assert!(err(
            "transformations:\n  - type: field_name_mapping\n    mapping: {a: 'b|contains'}\n"
        )
        .contains("not a field name"));
        assert!(err("transformations: 3\n").contains("not a Sigma pipeline"));
    }
}
