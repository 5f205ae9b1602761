//! Sigma correlation rules over the lake: `event_count`, `value_count`, `temporal` and
//! `temporal_ordered`, grouped by fields (`group-by`) within a `timespan`, over the rules
//! they name (by `name` or `id`).
//!
//! The timespan is cut into fixed windows from the epoch, as the hunt's own thresholds are:
//! events of one group that straddle two windows are counted apart, so a burst can be split
//! in two (the same trade-off as a tumbling window in a SIEM). `temporal_ordered` is decided
//! greedily: the earliest match of the first rule, then the earliest match of the second
//! after it, and so on, which finds an ordered chain whenever one exists in the window.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_norway::Value;

use super::{field_sql, quote, sigma_detection, About};
use crate::hunt::{Detection, Kind};

#[derive(Debug, Deserialize)]
pub(super) struct CorrelationRule {
    pub(super) title: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    falsepositives: Vec<String>,
    pub(super) correlation: Correlation,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Correlation {
    #[serde(rename = "type")]
    kind: String,
    #[serde(deserialize_with = "one_or_many")]
    pub(super) rules: Vec<String>,
    #[serde(default, rename = "group-by", deserialize_with = "one_or_many")]
    group_by: Vec<String>,
    timespan: String,
    #[serde(default)]
    condition: BTreeMap<String, Value>,
    /// Whether the named rules also run on their own.
    #[serde(default)]
    pub(super) generate: bool,
    #[serde(default)]
    aliases: Option<Value>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// `10m`, `1h`, `30s`, `2d` in seconds.
fn seconds(timespan: &str) -> Result<u64, String> {
    let t = timespan.trim();
    let (number, unit) = t.split_at(t.len().saturating_sub(1));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("timespan {timespan:?} is not a number and a unit (s, m, h, d)"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("timespan {timespan:?}: the unit is s, m, h or d")),
    };
    if n == 0 {
        return Err(format!("timespan {timespan:?} is empty"));
    }
    Ok(n * unit)
}

/// The condition's comparison (`gte: 10`) as SQL over `measure`.
fn comparison(condition: &BTreeMap<String, Value>, measure: &str) -> Result<String, String> {
    let mut terms = Vec::new();
    for (op, value) in condition {
        let sql_op = match op.as_str() {
            "gt" => ">",
            "gte" => ">=",
            "lt" => "<",
            "lte" => "<=",
            "eq" => "=",
            "field" => continue,
            other => return Err(format!("condition {other} is not a comparison")),
        };
        let n = value
            .as_u64()
            .ok_or_else(|| format!("condition {op}: {value:?} is not a whole number"))?;
        terms.push(format!("{measure} {sql_op} {n}"));
    }
    if terms.is_empty() {
        return Err("the condition has no comparison (gte, gt, lte, lt, eq)".into());
    }
    Ok(terms.join(" AND "))
}

/// A correlation rule as a detection over the rules it names.
pub(super) fn translate(
    path: &Path,
    label: &str,
    rule: &CorrelationRule,
    predicates: &BTreeMap<String, Result<String, String>>,
    fields: &super::FieldMapping,
) -> Result<Detection, String> {
    let span = seconds(&rule.correlation.timespan)?;
    translate_within(path, label, rule, predicates, fields, Some(span))
}

/// A plain rule with a Sigma 1 aggregation (`selection | count(field) by group > n`, with
/// `timeframe`) as the correlation Sigma 2 replaced it with: `count()` is an event_count,
/// `count(field)` a value_count of the field's distinct values. Without a timeframe the
/// count runs over the whole hunt window, as Sigma 1 specified.
pub(super) fn from_aggregation(
    path: &Path,
    label: &str,
    rule: &super::Rule,
    predicate: String,
    aggregation: &super::Aggregation,
    timeframe: Option<&str>,
    fields: &super::FieldMapping,
) -> Result<Detection, String> {
    const SEARCH: &str = "search";
    let mut condition = BTreeMap::new();
    condition.insert(aggregation.op.to_owned(), Value::from(aggregation.n));
    if let Some(field) = &aggregation.field {
        condition.insert("field".to_owned(), Value::String(field.clone()));
    }
    let correlation = CorrelationRule {
        title: rule.title.clone(),
        id: rule.id.clone(),
        name: None,
        description: rule.description.clone(),
        level: rule.level.clone(),
        tags: rule.tags.clone(),
        references: rule.references.clone(),
        falsepositives: rule.falsepositives.clone(),
        correlation: Correlation {
            kind: if aggregation.field.is_some() {
                "value_count"
            } else {
                "event_count"
            }
            .to_owned(),
            rules: vec![SEARCH.to_owned()],
            group_by: aggregation.group_by.iter().cloned().collect(),
            timespan: timeframe.unwrap_or("the hunt window").to_owned(),
            condition,
            generate: false,
            aliases: None,
        },
    };
    let span = timeframe.map(seconds).transpose()?;
    let predicates = BTreeMap::from([(SEARCH.to_owned(), Ok(predicate))]);
    translate_within(path, label, &correlation, &predicates, fields, span)
}

/// A correlation counted in windows of `span` seconds, or over the whole window with none.
fn translate_within(
    path: &Path,
    label: &str,
    rule: &CorrelationRule,
    predicates: &BTreeMap<String, Result<String, String>>,
    fields: &super::FieldMapping,
    span: Option<u64>,
) -> Result<Detection, String> {
    let c = &rule.correlation;
    if c.aliases.is_some() {
        return Err("correlation aliases are not supported".into());
    }
    if c.rules.is_empty() {
        return Err("the correlation names no rules".into());
    }
    let mut matched = Vec::new();
    for (i, name) in c.rules.iter().enumerate() {
        let predicate = match predicates.get(name) {
            Some(Ok(p)) => p,
            Some(Err(why)) => return Err(format!("rule {name} it names cannot run: {why}")),
            None => return Err(format!("no rule named {name} in the folder")),
        };
        matched.push((i + 1, predicate.clone()));
    }
    let bucket = match span {
        Some(span) => format!("CAST(floor(date_part('epoch', event_time) / {span}) AS BIGINT)"),
        None => "CAST(0 AS BIGINT)".to_owned(),
    };
    let groups: Vec<String> = c
        .group_by
        .iter()
        .map(|f| field_sql(fields, f))
        .collect::<Result<_, _>>()?;
    let group_cols: Vec<String> = (0..groups.len()).map(|i| format!("sigma_g{i}")).collect();
    let mut branches = Vec::new();
    for (index, predicate) in &matched {
        let mut extra = vec![format!("{index} AS sigma_rule")];
        for (expr, col) in groups.iter().zip(&group_cols) {
            extra.push(format!("{expr} AS {col}"));
        }
        branches.push(format!(
            "SELECT *, {}, {bucket} AS sigma_bucket FROM hunt_events WHERE {predicate}",
            extra.join(", ")
        ));
    }
    let matches = format!("WITH m AS (\n  {}\n)", branches.join("\n  UNION ALL\n  "));
    let mut key = group_cols.clone();
    key.push("sigma_bucket".into());
    let title = rule.title.replace('\'', "''");
    let columns = |filter: &str, measure_text: &str| {
        format!(
            "SELECT min(event_time) AS event_time, min(account_id) AS account_id, min(aws_region) AS region, \
             min(principal) AS principal, \
             CASE WHEN count(DISTINCT source_ip_address) = 1 THEN min(source_ip_address) END AS source_ip_address, \
             array_agg(DISTINCT event_id) AS event_ids, \
             'Sigma correlation: {title}: ' || {measure_text} AS reason\nFROM m{filter}"
        )
    };
    let group_by = format!("GROUP BY {}", key.join(", "));
    let (kind, sql) = match c.kind.as_str() {
        "event_count" => {
            let having = comparison(&c.condition, "count(DISTINCT event_id)")?;
            (
                Kind::Threshold,
                format!(
                    "{matches}\n{}\n{group_by}\nHAVING {having}",
                    columns("", "count(DISTINCT event_id) || ' events'")
                ),
            )
        }
        "value_count" => {
            let field = c
                .condition
                .get("field")
                .and_then(Value::as_str)
                .ok_or("a value_count condition names its field")?;
            let value = field_sql(fields, field)?;
            let measure = format!("count(DISTINCT {value})");
            let having = comparison(&c.condition, &measure)?;
            (
                Kind::Threshold,
                format!(
                    "{matches}\n{}\n{group_by}\nHAVING {having}",
                    columns(
                        "",
                        &format!("{measure} || ' distinct {}'", field.replace('\'', "''"))
                    )
                ),
            )
        }
        "temporal" => {
            let n = matched.len();
            let having = if c.condition.is_empty() {
                format!("count(DISTINCT sigma_rule) = {n}")
            } else {
                comparison(&c.condition, "count(DISTINCT sigma_rule)")?
            };
            (
                Kind::Sequence,
                format!(
                    "{matches}\n{}\n{group_by}\nHAVING {having}",
                    columns("", &format!("'{n} rules matched within {}'", c.timespan))
                ),
            )
        }
        "temporal_ordered" => {
            // s1: the first rule's earliest match per group and window; sK: the K-th rule's
            // earliest match at or after s(K-1)'s.
            let same = |a: &str, b: &str| {
                key.iter()
                    .map(|k| format!("({a}.{k} IS NOT DISTINCT FROM {b}.{k})"))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            };
            let mut steps = vec![format!(
                "s1 AS (SELECT {}, min(event_time) AS t FROM m WHERE sigma_rule = 1 {group_by})",
                key.join(", ")
            )];
            for k in 2..=matched.len() {
                let prev = format!("s{}", k - 1);
                let cols: Vec<String> = key.iter().map(|c| format!("{prev}.{c}")).collect();
                steps.push(format!(
                    "s{k} AS (SELECT {}, min(m.event_time) AS t FROM {prev} JOIN m ON m.sigma_rule = {k} AND {} \
                     AND m.event_time >= {prev}.t GROUP BY {})",
                    cols.join(", "),
                    same("m", &prev),
                    cols.join(", ")
                ));
            }
            let last = format!("s{}", matched.len());
            let with = format!("{matches},\n{}", steps.join(",\n"));
            let filter = format!(
                " JOIN {last} ON {} AND m.event_time <= {last}.t",
                same("m", &last)
            );
            let sql = format!(
                "{with}\n{}\nGROUP BY {}",
                columns(
                    &filter,
                    &format!(
                        "'{} rules matched in order within {}'",
                        matched.len(),
                        c.timespan
                    )
                ),
                key.iter()
                    .map(|k| format!("m.{k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            (Kind::Sequence, sql)
        }
        other => return Err(format!("correlation type {other} is not supported")),
    };
    let description = rule.description.clone().unwrap_or_else(|| {
        format!(
            "Sigma correlation {} over {}",
            rule.id.clone().unwrap_or_default(),
            c.rules
                .iter()
                .map(|r| quote(r))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    Ok(sigma_detection(
        path,
        label,
        About {
            title: &rule.title,
            level: rule.level.as_deref(),
            tags: &rule.tags,
            references: &rule.references,
            falsepositives: &rule.falsepositives,
        },
        kind,
        description,
        sql,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_and_conditions_are_read() {
        assert_eq!(seconds("10m"), Ok(600));
        assert_eq!(seconds("1h"), Ok(3600));
        assert_eq!(seconds("2d"), Ok(172_800));
        assert!(seconds("10x").is_err() && seconds("m").is_err() && seconds("0s").is_err());
        let cond: BTreeMap<String, Value> = serde_norway::from_str("{gte: 5, lt: 100}").unwrap();
        assert_eq!(comparison(&cond, "n"), Ok("n >= 5 AND n < 100".to_owned()));
        let bad: BTreeMap<String, Value> = serde_norway::from_str("{about: 5}").unwrap();
        assert!(comparison(&bad, "n").is_err());
    }

    /// A correlation that cannot run says why: a rule it names is missing or unreadable, a
    /// type or field it needs is not there.
    #[test]
    fn correlations_that_cannot_run_say_why() {
        let rule = |body: &str| -> CorrelationRule {
            serde_norway::from_str(&format!("title: T\ncorrelation:\n{body}")).unwrap()
        };
        let fields = super::super::FieldMapping::builtin();
        let mut predicates = BTreeMap::new();
        predicates.insert("ok".to_owned(), Ok("event_name = 'X'".to_owned()));
        predicates.insert("broken".to_owned(), Err("keyword lists".to_owned()));
        let why = |body: &str| {
            translate(Path::new("c.yml"), "c", &rule(body), &predicates, &fields)
                .err()
                .unwrap_or_else(|| panic!("{body} translated"))
        };
        assert!(why(
            "  type: event_count\n  rules: missing\n  timespan: 1h\n  condition: {gte: 2}\n"
        )
        .contains("no rule named missing"));
        assert!(why(
            "  type: event_count\n  rules: broken\n  timespan: 1h\n  condition: {gte: 2}\n"
        )
        .contains("keyword lists"));
        assert!(
            why("  type: value_count\n  rules: ok\n  timespan: 1h\n  condition: {gte: 2}\n")
                .contains("names its field")
        );
        assert!(why("  type: sometimes\n  rules: ok\n  timespan: 1h\n").contains("sometimes"));
        assert!(why("  type: temporal\n  rules: ok\n  timespan: soon\n").contains("timespan"));
        assert!(translate(
            Path::new("c.yml"),
            "c",
            &rule("  type: event_count\n  rules: ok\n  timespan: 1h\n  condition: {gte: 2}\n"),
            &predicates,
            &fields
        )
        .is_ok());
    }
}
