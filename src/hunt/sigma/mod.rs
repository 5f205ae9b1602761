//! Sigma rules for AWS CloudTrail, translated to SQL over `hunt_events`.
//!
//! Supported: `logsource: {product: aws, service: cloudtrail}`; selections that are a map
//! (fields ANDed) or a list of maps (ORed); field modifiers `contains`, `startswith`,
//! `endswith`, `re`, `all`, `cased`, `exists`, `fieldref` (with equality, `contains`,
//! `startswith`, `endswith`), `cidr`, `lt`/`lte`/`gt`/`gte`, `base64` and `base64offset`
//! (`windash` is refused: CloudTrail has no Windows command lines); `*` and `?` wildcards; `null` values; conditions
//! with `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*` and `them`. Matching is
//! case-insensitive as Sigma specifies (except `re` and `cased`). Fields map to the lake's
//! columns: `eventName` to `event_name`, `userIdentity.sessionContext.sessionIssuer.arn` to
//! the struct field, `requestParameters.x.y` (and the other free-form fields) to a JSON path.
//! `expand` replaces `%placeholders%` with the values of the pipeline's `vars`
//! (`value_placeholders`; `wildcard_placeholders` lets unknown ones match anything). Sigma
//! 1's aggregation (`selection | count([field]) [by field] > n`, with `timeframe`) runs as
//! the event_count or value_count correlation it stands for. Anything else (keyword lists,
//! other aggregations, unknown fields) makes the rule unsupported, with the reason:
//! reported, never fatal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_norway::Value;

mod correlation;
mod fields;

pub use fields::FieldMapping;

use super::{Detection, DetectionMeta, Kind, Mitre};
use crate::rules::Severity;

#[derive(Debug, Deserialize)]
struct Rule {
    title: String,
    #[serde(default)]
    id: Option<String>,
    /// What a correlation rule calls it by (or by its id).
    #[serde(default)]
    name: Option<String>,
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
    logsource: BTreeMap<String, String>,
    detection: BTreeMap<String, Value>,
    /// Sigma 1's window of an aggregation (`| count() ... > N`), at the top or in
    /// `detection`.
    #[serde(default)]
    timeframe: Option<String>,
}

/// (file, why it was not run) for a rule that could not be translated.
pub type NotRun = (PathBuf, String);

/// The Sigma rules of a folder (`.yml`/`.yaml`, recursively, several YAML documents to a
/// file allowed): the ones translated, and the others with the reason. Correlation rules
/// (`correlation:`) are translated over the rules they name, which are then not run on
/// their own unless the correlation says `generate: true`.
pub fn load_dir(
    dir: &Path,
    fields: &FieldMapping,
) -> Result<(Vec<Detection>, Vec<NotRun>), crate::rules::RuleError> {
    let mut bases: Vec<(PathBuf, String, Rule)> = Vec::new();
    let mut correlations: Vec<(PathBuf, String, correlation::CorrelationRule)> = Vec::new();
    let mut unsupported = Vec::new();
    for (file, text) in crate::rules::read_files(dir, &["yml", "yaml"])? {
        let docs: Vec<Value> = match documents(&text) {
            Ok(docs) => docs,
            Err(reason) => {
                unsupported.push((file, reason));
                continue;
            }
        };
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let several = docs.len() > 1;
        for (i, doc) in docs.into_iter().enumerate() {
            let label = |title: Option<&str>, name: Option<&str>| {
                if several {
                    format!("{stem}-{}", slug(name.or(title).unwrap_or(&i.to_string())))
                } else {
                    stem.clone()
                }
            };
            if doc.get("correlation").is_some() {
                match serde_norway::from_value::<correlation::CorrelationRule>(doc) {
                    Ok(c) => {
                        let id = label(Some(&c.title), c.name.as_deref());
                        correlations.push((file.clone(), id, c));
                    }
                    Err(e) => unsupported
                        .push((file.clone(), format!("not a Sigma correlation rule: {e}"))),
                }
                continue;
            }
            match serde_norway::from_value::<Rule>(doc) {
                Ok(rule) => {
                    let id = label(Some(&rule.title), rule.name.as_deref());
                    bases.push((file.clone(), id, rule));
                }
                Err(e) => unsupported.push((file.clone(), format!("not a Sigma rule: {e}"))),
            }
        }
    }
    // Each base rule's predicate, by the names a correlation may use: its name and its id.
    let mut predicates: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    for (_, _, rule) in &bases {
        let predicate = rule_predicate(rule, fields);
        for key in [rule.name.as_ref(), rule.id.as_ref()].into_iter().flatten() {
            predicates.insert(key.clone(), predicate.clone());
        }
    }
    let mut referenced = std::collections::BTreeSet::new();
    let mut queries = Vec::new();
    for (file, id, c) in &correlations {
        if !c.correlation.generate {
            referenced.extend(c.correlation.rules.iter().cloned());
        }
        match correlation::translate(file, id, c, &predicates, fields) {
            Ok(q) => queries.push(q),
            Err(reason) => unsupported.push((file.clone(), reason)),
        }
    }
    for (file, id, rule) in &bases {
        let named = [rule.name.as_ref(), rule.id.as_ref()]
            .into_iter()
            .flatten()
            .any(|k| referenced.contains(k));
        if named {
            continue;
        }
        match rule_detection(file, id, rule, fields) {
            Ok(detection) => queries.push(detection),
            Err(reason) => unsupported.push((file.clone(), reason)),
        }
    }
    Ok((queries, unsupported))
}

/// The detection of a plain rule: one finding per event, or, with a Sigma 1 aggregation
/// (`| count() by f > N`), the correlation it stands for.
fn rule_detection(
    file: &Path,
    id: &str,
    rule: &Rule,
    fields: &FieldMapping,
) -> Result<Detection, String> {
    match rule_search(rule, fields)? {
        (predicate, None) => Ok(event_detection(file, id, rule, &predicate)),
        (predicate, Some(aggregation)) => {
            let timeframe =
                rule.timeframe
                    .clone()
                    .or_else(|| match rule.detection.get("timeframe") {
                        Some(Value::String(t)) => Some(t.clone()),
                        _ => None,
                    });
            correlation::from_aggregation(
                file,
                id,
                rule,
                predicate,
                &aggregation,
                timeframe.as_deref(),
                fields,
            )
        }
    }
}

/// The YAML documents of a file (`---` between them).
fn documents(text: &str) -> Result<Vec<Value>, String> {
    use serde::Deserialize as _;
    let mut docs = Vec::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| format!("not a Sigma rule: {e}"))?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

/// One rule file to a detection, or why it cannot be.
pub fn translate(path: &Path, text: &str, fields: &FieldMapping) -> Result<Detection, String> {
    let rule: Rule = serde_norway::from_str(text).map_err(|e| format!("not a Sigma rule: {e}"))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    rule_detection(path, &stem, &rule, fields)
}

/// The SQL predicate of a rule a correlation names, or why there is none.
fn rule_predicate(rule: &Rule, fields: &FieldMapping) -> Result<String, String> {
    match rule_search(rule, fields)? {
        (predicate, None) => Ok(predicate),
        (_, Some(_)) => {
            Err("it aggregates (| count() ...): a correlation names plain rules".into())
        }
    }
}

/// Sigma 1's aggregation after a condition's search: `| count([field]) [by group] op n`.
#[derive(Debug, PartialEq)]
struct Aggregation {
    /// Counted distinct values of this field; events when none.
    field: Option<String>,
    group_by: Option<String>,
    /// `gt`, `gte`, `lt`, `lte` or `eq`, as a correlation's condition says it.
    op: &'static str,
    n: u64,
}

/// The search and the aggregation of a condition with `|`.
fn split_aggregation(condition: &str) -> Result<(&str, Option<Aggregation>), String> {
    let Some((search, aggregation)) = condition.split_once('|') else {
        return Ok((condition, None));
    };
    let unsupported = || {
        format!(
            "aggregation {:?}: only count([field]) [by field] <op> number is supported (or write a correlation rule)",
            aggregation.trim()
        )
    };
    let text = aggregation.trim();
    let rest = text
        .strip_prefix("count")
        .ok_or_else(unsupported)?
        .trim_start();
    let rest = rest.strip_prefix('(').ok_or_else(unsupported)?;
    let (field, rest) = rest.split_once(')').ok_or_else(unsupported)?;
    let field = Some(field.trim())
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    let mut rest = rest.trim_start();
    let mut group_by = None;
    if let Some(after) = rest.strip_prefix("by ") {
        let after = after.trim_start();
        let end = after
            .find(|c: char| c.is_whitespace() || "<>=".contains(c))
            .ok_or_else(unsupported)?;
        group_by = Some(after[..end].to_owned());
        rest = after[end..].trim_start();
    }
    let (op, number) = [
        (">=", "gte"),
        ("<=", "lte"),
        (">", "gt"),
        ("<", "lt"),
        ("=", "eq"),
    ]
    .into_iter()
    .find_map(|(symbol, op)| rest.strip_prefix(symbol).map(|n| (op, n.trim())))
    .ok_or_else(unsupported)?;
    let n = number.parse().map_err(|_| unsupported())?;
    Ok((
        search,
        Some(Aggregation {
            field,
            group_by,
            op,
            n,
        }),
    ))
}

/// The SQL predicate of a rule's search, and its Sigma 1 aggregation if it has one.
fn rule_search(
    rule: &Rule,
    fields: &FieldMapping,
) -> Result<(String, Option<Aggregation>), String> {
    let product = rule.logsource.get("product").map(String::as_str);
    let service = rule.logsource.get("service").map(String::as_str);
    if product != Some("aws") || service != Some("cloudtrail") {
        return Err(format!(
            "logsource is not aws/cloudtrail (product {product:?}, service {service:?})"
        ));
    }
    let condition = match rule.detection.get("condition") {
        Some(Value::String(c)) => c.clone(),
        Some(Value::Sequence(_)) => return Err("a list of conditions is not supported".into()),
        _ => return Err("detection has no condition".into()),
    };
    let (search, aggregation) = split_aggregation(&condition)?;
    let mut selections = BTreeMap::new();
    for (name, value) in &rule.detection {
        if name == "condition" || name == "timeframe" {
            continue;
        }
        selections.insert(name.clone(), selection_sql(name, value, fields)?);
    }
    let predicate = Condition::new(search.trim(), &selections).parse()?;
    Ok((predicate, aggregation))
}

fn severity_of(level: Option<&str>) -> Severity {
    match level {
        Some("critical") => Severity::Critical,
        Some("high") => Severity::High,
        Some("medium") => Severity::Medium,
        Some("low") => Severity::Low,
        _ => Severity::Info,
    }
}

/// A single-event detection of `rule`, id `sigma-<label>`.
fn event_detection(path: &Path, label: &str, rule: &Rule, predicate: &str) -> Detection {
    let title = rule.title.replace('\'', "''");
    let sql = format!(
        "SELECT event_time, account_id, aws_region AS region, principal, source_ip_address,\n\
         make_array(event_id) AS event_ids,\n\
         'Sigma: {title}: ' || event_source || ':' || event_name AS reason\n\
         FROM hunt_events\nWHERE {predicate}"
    );
    let description = rule
        .description
        .clone()
        .unwrap_or_else(|| format!("Sigma rule {}", rule.id.clone().unwrap_or_default()));
    sigma_detection(
        path,
        label,
        About {
            title: &rule.title,
            level: rule.level.as_deref(),
            tags: &rule.tags,
            references: &rule.references,
            falsepositives: &rule.falsepositives,
        },
        Kind::Event,
        description,
        sql,
    )
}

/// What every Sigma rule, plain or correlation, says about itself.
struct About<'a> {
    title: &'a str,
    level: Option<&'a str>,
    tags: &'a [String],
    references: &'a [String],
    falsepositives: &'a [String],
}

/// The detection `sigma-<label>` of a Sigma rule: its header, kind, description and SQL.
fn sigma_detection(
    path: &Path,
    label: &str,
    about: About<'_>,
    kind: Kind,
    description: String,
    sql: String,
) -> Detection {
    let (tactics, techniques) = attack_tags(about.tags);
    Detection {
        meta: DetectionMeta {
            id: format!("sigma-{}", slug(label)),
            title: about.title.to_owned(),
            severity: severity_of(about.level),
            kind,
            description,
            mitre: Mitre {
                tactics,
                techniques,
            },
            references: about.references.to_vec(),
            false_positives: about.falsepositives.to_vec(),
            // Sigma rules carry no remediation.
            remediation: String::new(),
        },
        source: path.to_path_buf(),
        sql,
        first_line: 1,
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// `attack.t1562.008` → technique T1562.008; `attack.defense_evasion` → tactic TA0005 (the
/// tactics of [`super::TACTICS`], by name in snake case).
fn attack_tags(tags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for tag in tags {
        let Some(rest) = tag
            .to_ascii_lowercase()
            .strip_prefix("attack.")
            .map(str::to_owned)
        else {
            continue;
        };
        if rest.starts_with('t') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
            techniques.push(rest.to_ascii_uppercase());
        } else if let Some((id, _)) = super::TACTICS
            .iter()
            .find(|(_, name)| name.to_ascii_lowercase().replace(' ', "_") == rest.replace('-', "_"))
        {
            tactics.push((*id).to_owned());
        }
    }
    (tactics, techniques)
}

/// camelCase → snake_case (`principalId` → `principal_id`, `sourceIPAddress` is mapped
/// explicitly).
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A Sigma field name (mapped to CloudTrail's name first) as a SQL expression of text.
fn field_sql(fields: &FieldMapping, field: &str) -> Result<String, String> {
    let field = fields.resolve(field);
    let parts: Vec<&str> = field.split('.').collect();
    let top = match parts[0] {
        "eventSource" | "eventName" | "awsRegion" | "userAgent" | "errorCode" | "errorMessage"
        | "eventType" | "eventCategory" | "recipientAccountId" | "eventID" | "requestID"
        | "eventVersion" | "apiVersion" | "vpcEndpointId" | "sharedEventID" => snake(parts[0]),
        "sourceIPAddress" => "source_ip_address".into(),
        "readOnly" | "managementEvent" => format!("CAST({} AS VARCHAR)", snake(parts[0])),
        "requestParameters"
        | "responseElements"
        | "additionalEventData"
        | "serviceEventDetails" => {
            if parts.len() == 1 {
                return Ok(snake(parts[0]));
            }
            let path: Vec<String> = parts[1..].iter().map(|p| quote(p)).collect();
            return Ok(format!(
                "json_as_text({}, {})",
                snake(parts[0]),
                path.join(", ")
            ));
        }
        "userIdentity" | "tlsDetails" => {
            const KNOWN: &[&str] = &[
                "type",
                "principalId",
                "arn",
                "accountId",
                "accessKeyId",
                "userName",
                "invokedBy",
                "identityProvider",
                "credentialId",
                "sessionContext",
                "sessionIssuer",
                "attributes",
                "creationDate",
                "mfaAuthenticated",
                "sourceIdentity",
                "ec2RoleDelivery",
                "webIdFederationData",
                "onBehalfOf",
                "userId",
                "identityStoreArn",
                "tlsVersion",
                "cipherSuite",
                "clientProvidedHostHeader",
            ];
            let mut expr = snake(parts[0]);
            for p in &parts[1..] {
                if !KNOWN.contains(p) {
                    return Err(format!("field {field}: {p} is not a field of {}", parts[0]));
                }
                expr.push_str(&format!("['{}']", snake(p)));
            }
            if parts.len() == 1 {
                return Err(format!("field {field} is a structure, not a value"));
            }
            if parts.last() == Some(&"mfaAuthenticated") {
                expr = format!("CAST({expr} AS VARCHAR)");
            }
            return Ok(expr);
        }
        other => {
            return Err(format!(
                "field {other} is not a CloudTrail field govscan maps"
            ))
        }
    };
    if parts.len() > 1 {
        return Err(format!("field {field}: {} has no sub-fields", parts[0]));
    }
    Ok(top)
}

/// A Sigma value with `*`/`?` wildcards as a LIKE pattern (`\` escapes), whether it has
/// wildcards, and the value with Sigma's escapes removed (for plain equality).
fn like_pattern(value: &str) -> (String, bool, String) {
    let mut out = String::new();
    let mut literal = String::new();
    let mut wild = false;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('*' | '?' | '\\')) => {
                let escaped = chars.next().expect("peeked");
                if escaped == '\\' {
                    out.push('\\');
                }
                out.push(escaped);
                literal.push(escaped);
            }
            '*' => {
                out.push('%');
                literal.push(c);
                wild = true;
            }
            '?' => {
                out.push('_');
                literal.push(c);
                wild = true;
            }
            '%' | '_' => {
                out.push('\\');
                out.push(c);
                literal.push(c);
            }
            _ => {
                out.push(c);
                literal.push(c);
            }
        }
    }
    (out, wild, literal)
}

fn value_text(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(format!("value {other:?} is not a scalar")),
    }
}

/// One `field|modifiers: value(s)` as SQL.
fn field_match(key: &str, value: &Value, fields: &FieldMapping) -> Result<String, String> {
    let mut parts = key.split('|');
    let field = field_sql(fields, parts.next().unwrap_or_default())?;
    let mut how = "equals";
    let mut all = false;
    let mut cased = false;
    let mut fieldref = false;
    let mut encoding: Option<&str> = None;
    let mut expand = false;
    for modifier in parts {
        match modifier {
            "contains" | "startswith" | "endswith" | "re" | "cidr" | "lt" | "lte" | "gt"
            | "gte" | "exists" => how = modifier,
            "all" => all = true,
            "cased" => cased = true,
            "fieldref" => fieldref = true,
            "expand" => expand = true,
            "base64" | "base64offset" => encoding = Some(modifier),
            "windash" => {
                return Err(
                    "modifier windash (Windows command-line dashes) has no meaning for CloudTrail"
                        .into(),
                )
            }
            other => return Err(format!("modifier {other} is not supported")),
        }
    }
    let listed: Vec<&Value> = match value {
        Value::Sequence(items) => items.iter().collect(),
        v => vec![v],
    };
    // `expand`: each %placeholder% becomes the values the pipeline gives it (one
    // alternative per value).
    let expanded: Vec<Value>;
    let values: Vec<&Value> = if expand {
        let mut out = Vec::new();
        for v in &listed {
            match value_text(v)? {
                Some(text) => out.extend(
                    fields
                        .expand_placeholders(&text)
                        .map_err(|e| format!("{key}: {e}"))?
                        .into_iter()
                        .map(Value::String),
                ),
                None => out.push(Value::Null),
            }
        }
        expanded = out;
        expanded.iter().collect()
    } else {
        listed
    };
    if values.is_empty() {
        return Err(format!("{key}: an empty list matches nothing"));
    }
    if encoding == Some("base64offset") && how != "contains" {
        return Err(format!(
            "{key}: base64offset needs contains (the spec's only use)"
        ));
    }
    let mut terms = Vec::new();
    for v in values {
        if how == "exists" {
            let Value::Bool(present) = v else {
                return Err(format!("{key}: exists takes true or false"));
            };
            terms.push(format!(
                "{field} IS {}NULL",
                if *present { "NOT " } else { "" }
            ));
            continue;
        }
        let Some(text) = value_text(v)? else {
            terms.push(format!("{field} IS NULL"));
            continue;
        };
        if fieldref {
            // The value names another field: compare the two, case-insensitively unless cased.
            let other = field_sql(fields, &text)?;
            let (a, b) = if cased {
                (field.clone(), other)
            } else {
                (format!("lower({field})"), format!("lower({other})"))
            };
            terms.push(match how {
                "equals" => format!("{a} = {b}"),
                "contains" => format!("strpos({a}, {b}) > 0"),
                "startswith" => format!("starts_with({a}, {b})"),
                "endswith" => format!("ends_with({a}, {b})"),
                other => return Err(format!("{key}: fieldref with {other} is not supported")),
            });
            continue;
        }
        match how {
            "re" => {
                terms.push(format!("regexp_like({field}, {})", quote(&text)));
                continue;
            }
            "cidr" => {
                terms.push(format!(
                    "coalesce(cidr_contains({}, {field}), false)",
                    quote(&text)
                ));
                continue;
            }
            "lt" | "lte" | "gt" | "gte" => {
                let number: f64 = text
                    .parse()
                    .map_err(|_| format!("{key}: {text:?} is not a number"))?;
                let op = match how {
                    "lt" => "<",
                    "lte" => "<=",
                    "gt" => ">",
                    _ => ">=",
                };
                terms.push(format!("TRY_CAST({field} AS DOUBLE) {op} {number:?}"));
                continue;
            }
            _ => {}
        }
        // Encoded values are matched as their base64 text, case-sensitively (base64 is).
        let texts: Vec<String> = match encoding {
            Some("base64") => vec![base64(text.as_bytes())],
            Some(_) => base64_offsets(text.as_bytes()),
            None => vec![text],
        };
        let cased = cased || encoding.is_some();
        let mut alternatives = Vec::new();
        for text in texts {
            let (pattern, wild, literal) = like_pattern(&text);
            let pattern = match how {
                "contains" => format!("%{pattern}%"),
                "startswith" => format!("{pattern}%"),
                "endswith" => format!("%{pattern}"),
                _ => pattern,
            };
            let (column, pattern) = if cased {
                (field.clone(), pattern)
            } else {
                (format!("lower({field})"), pattern.to_lowercase())
            };
            alternatives.push(if how == "equals" && !wild {
                // Plain equality: the unescaped text, compared directly.
                let literal = if cased {
                    literal
                } else {
                    literal.to_lowercase()
                };
                format!("{column} = {}", quote(&literal))
            } else {
                format!("{column} LIKE {}", quote(&pattern))
            });
        }
        terms.push(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            format!("({})", alternatives.join(" OR "))
        });
    }
    let joiner = if all { " AND " } else { " OR " };
    Ok(format!("({})", terms.join(joiner)))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three forms `value` takes inside a longer base64 text (Sigma's base64offset, as
/// pySigma computes it): its encoding after 0, 1 or 2 leading bytes, without the characters
/// that depend on the bytes around it.
fn base64_offsets(value: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    (0..3)
        .map(|offset| {
            let mut padded = vec![b' '; offset];
            padded.extend_from_slice(value);
            let encoded = base64(&padded);
            let end = match (value.len() + offset) % 3 {
                0 => encoded.len(),
                1 => encoded.len() - 3,
                _ => encoded.len() - 2,
            };
            encoded[START[offset]..end].to_owned()
        })
        .collect()
}

fn selection_sql(name: &str, value: &Value, fields: &FieldMapping) -> Result<String, String> {
    let map_sql = |map: &serde_norway::Mapping| -> Result<String, String> {
        let mut terms = Vec::new();
        for (k, v) in map {
            let Value::String(key) = k else {
                return Err(format!("selection {name}: field names are strings"));
            };
            terms.push(field_match(key, v, fields)?);
        }
        if terms.is_empty() {
            return Err(format!("selection {name} is empty"));
        }
        Ok(format!("({})", terms.join(" AND ")))
    };
    match value {
        Value::Mapping(map) => map_sql(map),
        Value::Sequence(items) if items.iter().all(|i| matches!(i, Value::Mapping(_))) => {
            let alternatives: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::Mapping(m) => map_sql(m),
                    _ => unreachable!("checked above"),
                })
                .collect::<Result<_, _>>()?;
            Ok(format!("({})", alternatives.join(" OR ")))
        }
        Value::Sequence(_) => Err(format!(
            "selection {name}: keyword lists (free-text search) are not supported"
        )),
        _ => Err(format!(
            "selection {name} is neither a map nor a list of maps"
        )),
    }
}

/// A recursive-descent parser of Sigma conditions over the translated selections.
struct Condition<'a> {
    tokens: Vec<String>,
    pos: usize,
    selections: &'a BTreeMap<String, String>,
}

impl<'a> Condition<'a> {
    fn new(text: &str, selections: &'a BTreeMap<String, String>) -> Self {
        let spaced = text.replace('(', " ( ").replace(')', " ) ");
        Self {
            tokens: spaced.split_whitespace().map(str::to_owned).collect(),
            pos: 0,
            selections,
        }
    }

    fn parse(mut self) -> Result<String, String> {
        let sql = self.or()?;
        match self.tokens.get(self.pos) {
            None => Ok(sql),
            Some(t) => Err(format!("condition: unexpected {t:?}")),
        }
    }

    fn peek(&self) -> Option<String> {
        self.tokens.get(self.pos).map(|t| t.to_lowercase())
    }

    fn or(&mut self) -> Result<String, String> {
        let mut left = self.and()?;
        while self.peek().as_deref() == Some("or") {
            self.pos += 1;
            left = format!("({left} OR {})", self.and()?);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<String, String> {
        let mut left = self.not()?;
        while self.peek().as_deref() == Some("and") {
            self.pos += 1;
            left = format!("({left} AND {})", self.not()?);
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<String, String> {
        if self.peek().as_deref() == Some("not") {
            self.pos += 1;
            // NULL fields make a match unknown; NOT of unknown must still select the event.
            return Ok(format!("NOT coalesce({}, false)", self.not()?));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<String, String> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or("condition ends too early")?;
        self.pos += 1;
        match token.to_lowercase().as_str() {
            "(" => {
                let inner = self.or()?;
                if self.tokens.get(self.pos).map(String::as_str) != Some(")") {
                    return Err("condition: a ( is not closed".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            "1" | "all" => {
                let quantifier = if token == "1" { " OR " } else { " AND " };
                if self.peek().as_deref() != Some("of") {
                    return Err(format!("condition: {token} must be followed by of"));
                }
                self.pos += 1;
                let target = self
                    .tokens
                    .get(self.pos)
                    .cloned()
                    .ok_or("condition: of what?")?;
                self.pos += 1;
                let chosen: Vec<&String> = self
                    .selections
                    .iter()
                    .filter(|(name, _)| {
                        target == "them"
                            || match target.strip_suffix('*') {
                                Some(prefix) => name.starts_with(prefix),
                                None => **name == target,
                            }
                    })
                    .map(|(_, sql)| sql)
                    .collect();
                if chosen.is_empty() {
                    return Err(format!("condition: no selection matches {target}"));
                }
                let joined: Vec<&str> = chosen.iter().map(|s| s.as_str()).collect();
                Ok(format!("({})", joined.join(quantifier)))
            }
            _ => self
                .selections
                .get(&token)
                .cloned()
                .ok_or_else(|| format!("condition: no selection named {token}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(detection: &str) -> Result<String, String> {
        let text = format!(
            "title: T\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
        );
        translate(Path::new("rule.yml"), &text, &FieldMapping::builtin()).map(|q| q.sql)
    }

    #[test]
    fn a_pipeline_names_the_cloudtrail_field_of_a_field_cloudtrail_lacks() {
        let rule = "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s:\n    src_ip|cidr: 10.0.0.0/8\n  condition: s\n";
        let unmapped = translate(Path::new("r.yml"), rule, &FieldMapping::builtin()).unwrap_err();
        assert!(
            unmapped.contains("src_ip is not a CloudTrail field"),
            "{unmapped}"
        );
        let dir = tempfile::tempdir().unwrap();
        let pipeline = dir.path().join("p.yml");
        std::fs::write(
            &pipeline,
            "transformations:\n  - type: field_name_mapping\n    mapping:\n      src_ip: sourceIPAddress\n",
        )
        .unwrap();
        let fields = FieldMapping::with_pipeline(&pipeline).unwrap();
        let sql = translate(Path::new("r.yml"), rule, &fields).unwrap().sql;
        assert!(
            sql.contains("cidr_contains('10.0.0.0/8', source_ip_address)"),
            "{sql}"
        );
        // The built-in mappings stay.
        assert_eq!(fields.resolve("status"), "responseElements.ConsoleLogin");
        assert!(FieldMapping::with_pipeline(&dir.path().join("missing.yml")).is_err());
    }

    /// A rule's values are literals: hostile text (quotes, escapes, statement ends, SQL
    /// comments, LIKE's own wildcards) matches exactly the events that hold it, as
    /// equality, contains, startswith and endswith, and never changes the query's shape.
    #[tokio::test]
    async fn hostile_values_match_as_literals() {
        use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
        use datafusion::prelude::SessionContext;
        let hostile = [
            "'",
            "''",
            "\\",
            "\\\\",
            "'; DROP TABLE hunt_events; --",
            "a' OR '1'='1",
            "%",
            "_",
            "100%_done",
            "x/*y*/z",
            "$$",
            "\"",
            "\n",
            "' || '",
            "ünï'cødé",
            "--",
            "\\'",
        ];
        let mut names: Vec<String> = Vec::new();
        for h in hostile {
            names.push(h.to_owned());
            names.push(format!("pre{h}post"));
            names.push(format!("{h}{h}"));
        }
        names.push("plain".to_owned());
        let column: ArrayRef = std::sync::Arc::new(StringArray::from(names.clone()));
        let ctx = SessionContext::new();
        ctx.register_batch(
            "t",
            RecordBatch::try_from_iter([("event_name", column)]).unwrap(),
        )
        .unwrap();
        let count = |predicate: String| {
            let ctx = ctx.clone();
            async move {
                let sql = format!("SELECT count(*) FROM t WHERE {predicate}");
                let batches = ctx
                    .sql(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
                    .collect()
                    .await
                    .unwrap();
                use datafusion::arrow::array::AsArray;
                batches[0]
                    .column(0)
                    .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
                    .value(0) as usize
            }
        };
        let fields = FieldMapping::builtin();
        for h in hostile {
            // Sigma escapes its own wildcards and backslashes with a backslash.
            let sigma_value = h
                .replace('\\', "\\\\")
                .replace('*', "\\*")
                .replace('?', "\\?");
            let value = Value::String(sigma_value);
            let lower = h.to_lowercase();
            for (modifier, expected) in [
                (
                    "",
                    names.iter().filter(|n| n.to_lowercase() == lower).count(),
                ),
                (
                    "|contains",
                    names
                        .iter()
                        .filter(|n| n.to_lowercase().contains(&lower))
                        .count(),
                ),
                (
                    "|startswith",
                    names
                        .iter()
                        .filter(|n| n.to_lowercase().starts_with(&lower))
                        .count(),
                ),
                (
                    "|endswith",
                    names
                        .iter()
                        .filter(|n| n.to_lowercase().ends_with(&lower))
                        .count(),
                ),
            ] {
                let predicate =
                    field_match(&format!("eventName{modifier}"), &value, &fields).unwrap();
                assert_eq!(
                    count(predicate.clone()).await,
                    expected,
                    "{h:?}{modifier}: {predicate}"
                );
            }
        }
    }

    #[test]
    fn selections_and_conditions_become_sql() {
        let sql = sql_of(
            "  a:\n    eventName|startswith: [Stop, Delete]\n    userIdentity.type: Root\n  b:\n    requestParameters.bucketName|endswith: '-logs'\n  condition: a and not b\n",
        )
        .unwrap();
        assert!(
            sql.contains("(lower(event_name) LIKE 'stop%' OR lower(event_name) LIKE 'delete%')"),
            "{sql}"
        );
        assert!(
            sql.contains("lower(user_identity['type']) = 'root'"),
            "{sql}"
        );
        assert!(sql.contains("NOT coalesce(((lower(json_as_text(request_parameters, 'bucketName')) LIKE '%-logs')), false)"), "{sql}");
    }

    #[test]
    fn unsupported_rules_say_why() {
        assert!(sql_of("  a: [foo, bar]\n  condition: a\n")
            .unwrap_err()
            .contains("keyword"));
        assert!(sql_of("  a: {eventName: X}\n  condition: a | max(x) > 5\n")
            .unwrap_err()
            .contains("aggregation"));
        assert!(sql_of("  a: {resources.ARN: X}\n  condition: a\n")
            .unwrap_err()
            .contains("resources"));
        assert!(sql_of("  a: {eventName|windash: X}\n  condition: a\n")
            .unwrap_err()
            .contains("windash"));
        assert!(sql_of("  a: {eventName: X}\n  condition: b\n")
            .unwrap_err()
            .contains("no selection named b"));
        let other =
            "title: T\nlogsource: {product: windows}\ndetection: {a: {x: 1}, condition: a}\n";
        assert!(
            translate(Path::new("w.yml"), other, &FieldMapping::builtin())
                .unwrap_err()
                .contains("logsource")
        );
    }

    #[test]
    fn attack_tags_name_tactics_and_techniques() {
        let tags: Vec<String> = [
            "attack.defense_evasion",
            "attack.command-and-control",
            "attack.reconnaissance",
            "attack.t1562.008",
            "attack.g0016",
            "cve.2024.1",
        ]
        .map(String::from)
        .to_vec();
        let (tactics, techniques) = attack_tags(&tags);
        assert_eq!(tactics, ["TA0005", "TA0011", "TA0043"]);
        assert_eq!(techniques, ["T1562.008"]);
    }

    #[test]
    fn base64_and_its_offsets_follow_the_spec() {
        assert_eq!(base64(b"/bin/sh"), "L2Jpbi9zaA==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        // The Sigma specification's example of base64offset.
        assert_eq!(
            base64_offsets(b"/bin/sh"),
            ["L2Jpbi9za", "9iaW4vc2", "vYmluL3No"]
        );
    }

    #[test]
    fn the_other_modifiers_become_sql() {
        let sql = |key: &str, value: &str| {
            field_match(
                key,
                &serde_norway::from_str(value).unwrap(),
                &FieldMapping::builtin(),
            )
            .unwrap()
        };
        assert_eq!(sql("errorCode|exists", "true"), "(error_code IS NOT NULL)");
        assert_eq!(sql("errorCode|exists", "false"), "(error_code IS NULL)");
        assert_eq!(
            sql("recipientAccountId|fieldref", "userIdentity.accountId"),
            "(lower(recipient_account_id) = lower(user_identity['account_id']))"
        );
        assert_eq!(
            sql("userAgent|fieldref|contains", "eventSource"),
            "(strpos(lower(user_agent), lower(event_source)) > 0)"
        );
        assert_eq!(
            sql("sourceIPAddress|cidr", "['10.0.0.0/8', '192.168.0.0/16']"),
            "(coalesce(cidr_contains('10.0.0.0/8', source_ip_address), false) OR coalesce(cidr_contains('192.168.0.0/16', source_ip_address), false))"
        );
        assert_eq!(
            sql("requestParameters.maxResults|gte", "100"),
            "(TRY_CAST(json_as_text(request_parameters, 'maxResults') AS DOUBLE) >= 100.0)"
        );
        assert_eq!(
            sql("requestParameters.userData|base64offset|contains", "'/bin/sh'"),
            "((json_as_text(request_parameters, 'userData') LIKE '%L2Jpbi9za%' OR json_as_text(request_parameters, 'userData') LIKE '%9iaW4vc2%' OR json_as_text(request_parameters, 'userData') LIKE '%vYmluL3No%'))"
        );
        let err = |key: &str, value: &str| {
            field_match(
                key,
                &serde_norway::from_str(value).unwrap(),
                &FieldMapping::builtin(),
            )
            .unwrap_err()
        };
        assert!(err("userAgent|windash", "x").contains("windash"));
        assert!(err("userAgent|base64offset", "x").contains("contains"));
        assert!(err("userAgent|gt", "'many'").contains("not a number"));
        assert!(err("errorCode|exists", "'yes'").contains("true or false"));
        assert!(err("userAgent|fieldref", "noSuchField").contains("not a CloudTrail field"));
    }

    #[test]
    fn wildcards_escape_sql_pattern_characters() {
        assert_eq!(
            like_pattern("a*b?c%d_e\\*"),
            ("a%b_c\\%d\\_e*".to_owned(), true, "a*b?c%d_e*".to_owned())
        );
        assert_eq!(
            like_pattern("x\\*y"),
            ("x*y".to_owned(), false, "x*y".to_owned())
        );
        assert_eq!(
            attack_tags(&[
                "attack.defense_evasion".into(),
                "attack.t1562.008".into(),
                "cve.2020".into()
            ]),
            (vec!["TA0005".to_owned()], vec!["T1562.008".to_owned()])
        );
    }

    #[test]
    fn sigma_1_aggregations_are_read_and_the_others_refused() {
        let (search, agg) =
            split_aggregation("selection | count(eventName) by userIdentity.arn > 6").unwrap();
        assert_eq!(search.trim(), "selection");
        assert_eq!(
            agg,
            Some(Aggregation {
                field: Some("eventName".into()),
                group_by: Some("userIdentity.arn".into()),
                op: "gt",
                n: 6
            })
        );
        let (_, agg) = split_aggregation("a and not b | count() >= 20").unwrap();
        assert_eq!(
            agg,
            Some(Aggregation {
                field: None,
                group_by: None,
                op: "gte",
                n: 20
            })
        );
        assert_eq!(split_aggregation("a or b").unwrap(), ("a or b", None));
        for bad in [
            "a | sum(x) by y > 3",
            "a | count() by y",
            "a | count() > many",
            "a | near b",
        ] {
            assert!(
                split_aggregation(bad).unwrap_err().contains("only count("),
                "{bad}"
            );
        }
    }

    #[test]
    fn placeholders_take_the_pipelines_values_or_say_which_has_none() {
        let mut fields = FieldMapping::builtin();
        let err = field_match(
            "sourceIPAddress|expand",
            &Value::String("%office%".into()),
            &fields,
        )
        .unwrap_err();
        assert!(err.contains("placeholder %office% has no value"), "{err}");
        fields = FieldMapping::from_pipeline_text(
            "vars:\n  office: ['192.0.2.1', '198.51.100.*']\ntransformations:\n  - type: value_placeholders\n",
        )
        .unwrap();
        assert_eq!(
            field_match(
                "sourceIPAddress|expand",
                &Value::String("%office%".into()),
                &fields
            )
            .unwrap(),
            "(lower(source_ip_address) = '192.0.2.1' OR lower(source_ip_address) LIKE '198.51.100.%')"
        );
        assert_eq!(
            fields.expand_placeholders("a-%office%-b").unwrap(),
            ["a-192.0.2.1-b", "a-198.51.100.*-b"]
        );
        let anything =
            FieldMapping::from_pipeline_text("transformations:\n  - type: wildcard_placeholders\n")
                .unwrap();
        assert_eq!(anything.expand_placeholders("%x%").unwrap(), ["*"]);
    }
}
