//! IAM policy documents in every shape AWS accepts: identity, resource, trust, SCP, RCP,
//! session and VPC endpoint policies. `Statement` may be an object or a list; `Action`,
//! `Resource` and `Principal` values a string or a list; `NotAction`, `NotResource` and
//! `NotPrincipal`; `Principal` `"*"` or a map of `AWS`, `Service`, `Federated` and
//! `CanonicalUser`. Errors name the element, e.g. `Statement[2].Condition.StringLike`.

use std::fmt;

use serde_json::{Map, Value};

/// A parsed policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    pub version: Version,
    pub id: Option<String>,
    /// Shared: a policy applies to many principals and requests, and cloning it must not
    /// copy hundreds of action patterns.
    pub statements: std::sync::Arc<[Statement]>,
}

/// `2012-10-17` substitutes policy variables; `2008-10-17` (and a missing Version, which
/// AWS treats as 2008-10-17) reads `${...}` literally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2008,
    V2012,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
pub struct Statement {
    /// Position in the document's Statement list.
    pub index: usize,
    /// Shared: every decision that names the statement carries it.
    pub sid: Option<std::sync::Arc<str>>,
    pub effect: Effect,
    pub principal: Option<PrincipalBlock>,
    pub actions: Actions,
    /// None: the statement has neither Resource nor NotResource (trust policies).
    pub resources: Option<Resources>,
    pub conditions: Vec<Condition>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct PrincipalBlock {
    pub negated: bool,
    pub principals: Principals,
}

/// The principals a statement names. `"*"` and `{"AWS": "*"}` both set `any`.
#[derive(Debug, Clone, Default)]
pub struct Principals {
    pub any: bool,
    pub aws: Vec<String>,
    pub service: Vec<String>,
    pub federated: Vec<String>,
    pub canonical_user: Vec<String>,
}

/// `Action` or `NotAction`: patterns lowercased, as actions match case-insensitively.
#[derive(Debug, Clone)]
pub struct Actions {
    pub negated: bool,
    pub patterns: Vec<String>,
    /// The name patterns by service prefix, so an action is compared only with its
    /// service's patterns (ReadOnlyAccess alone lists hundreds).
    by_service: crate::fast_hash::FastMap<String, Vec<NamePattern>>,
    /// Patterns whose service part has a wildcard (`*:Get*`), compared whole.
    any_service: Vec<String>,
    /// A pattern is `*`: every action.
    everything: bool,
}

/// The part of an action pattern after the colon, sorted by the comparison it needs once
/// when the policy is parsed rather than on every request.
#[derive(Debug, Clone)]
enum NamePattern {
    Exact(String),
    /// `Get*`: the text before a single trailing `*` (empty for `s3:*`).
    Prefix(String),
    Glob(String),
}

impl NamePattern {
    fn new(name: &str) -> Self {
        match name.strip_suffix('*') {
            Some(prefix) if !prefix.contains(['*', '?']) => NamePattern::Prefix(prefix.to_owned()),
            _ if name.contains(['*', '?']) => NamePattern::Glob(name.to_owned()),
            _ => NamePattern::Exact(name.to_owned()),
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            NamePattern::Exact(p) => p == name,
            NamePattern::Prefix(p) => name.starts_with(p.as_str()),
            NamePattern::Glob(p) => super::pattern::glob(p, name),
        }
    }
}

impl Actions {
    pub fn new(negated: bool, patterns: Vec<String>) -> Self {
        let mut by_service: crate::fast_hash::FastMap<String, Vec<NamePattern>> =
            Default::default();
        let mut any_service = Vec::new();
        let mut everything = false;
        for p in &patterns {
            match p.split_once(':') {
                Some((service, name)) if !service.contains(['*', '?']) => by_service
                    .entry(service.to_owned())
                    .or_default()
                    .push(NamePattern::new(name)),
                _ if p == "*" => everything = true,
                _ => any_service.push(p.clone()),
            }
        }
        Actions {
            negated,
            patterns,
            by_service,
            any_service,
            everything,
        }
    }

    /// Whether a pattern names `action` (lowercased `service:name`); NotAction not applied.
    pub fn names(&self, action: &str) -> bool {
        if self.everything {
            return true;
        }
        let (service, name) = action.split_once(':').unwrap_or((action, ""));
        self.by_service
            .get(service)
            .is_some_and(|names| names.iter().any(|p| p.matches(name)))
            || self
                .any_service
                .iter()
                .any(|p| super::pattern::action_matches(p, action))
    }

    /// Whether the element applies to `action` (lowercased), NotAction included.
    pub fn covers(&self, action: &str) -> bool {
        self.names(action) != self.negated
    }
}

/// `Resource` or `NotResource`: patterns as written (resources match case-sensitively).
#[derive(Debug, Clone)]
pub struct Resources {
    pub negated: bool,
    pub patterns: Vec<String>,
    /// Whether a pattern holds a policy variable (`${aws:username}`): decided once here, not
    /// on every request.
    pub has_variables: bool,
}

impl Resources {
    pub fn new(negated: bool, patterns: Vec<String>) -> Self {
        let has_variables = patterns.iter().any(|p| p.contains("${"));
        Resources {
            negated,
            patterns,
            has_variables,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator_text: String,
    pub operator: Operator,
    /// The key as written (`aws:PrincipalTag/Team`); matched case-insensitively.
    pub key: String,
    /// The key lowercased, as the request context stores its keys.
    pub key_lower: String,
    /// Values as text: numbers and booleans as JSON writes them.
    pub values: Vec<String>,
    /// Whether a value holds a policy variable: decided once, not on every request.
    pub values_have_variables: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub base: BaseOperator,
    pub if_exists: bool,
    pub set: Option<SetOperator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOperator {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOperator {
    fn from_name(name: &str) -> Option<Self> {
        use BaseOperator::*;
        Some(match name {
            "StringEquals" => StringEquals,
            "StringNotEquals" => StringNotEquals,
            "StringEqualsIgnoreCase" => StringEqualsIgnoreCase,
            "StringNotEqualsIgnoreCase" => StringNotEqualsIgnoreCase,
            "StringLike" => StringLike,
            "StringNotLike" => StringNotLike,
            "NumericEquals" => NumericEquals,
            "NumericNotEquals" => NumericNotEquals,
            "NumericLessThan" => NumericLessThan,
            "NumericLessThanEquals" => NumericLessThanEquals,
            "NumericGreaterThan" => NumericGreaterThan,
            "NumericGreaterThanEquals" => NumericGreaterThanEquals,
            "DateEquals" => DateEquals,
            "DateNotEquals" => DateNotEquals,
            "DateLessThan" => DateLessThan,
            "DateLessThanEquals" => DateLessThanEquals,
            "DateGreaterThan" => DateGreaterThan,
            "DateGreaterThanEquals" => DateGreaterThanEquals,
            "Bool" => Bool,
            "BinaryEquals" => BinaryEquals,
            "IpAddress" => IpAddress,
            "NotIpAddress" => NotIpAddress,
            "ArnEquals" => ArnEquals,
            "ArnLike" => ArnLike,
            "ArnNotEquals" => ArnNotEquals,
            "ArnNotLike" => ArnNotLike,
            "Null" => Null,
            _ => return None,
        })
    }

    /// The negated operators: true when the key matches none of the values, and true
    /// when the key is missing.
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

impl Operator {
    /// Parses `[ForAllValues:|ForAnyValue:]Name[IfExists]`.
    pub fn parse(text: &str) -> Option<Self> {
        let (set, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (Some(SetOperator::ForAllValues), rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (Some(SetOperator::ForAnyValue), rest)
        } else {
            (None, text)
        };
        if let Some(base) = BaseOperator::from_name(rest) {
            return Some(Operator {
                base,
                if_exists: false,
                set,
            });
        }
        let base = BaseOperator::from_name(rest.strip_suffix("IfExists")?)?;
        // Null has no IfExists form: it is itself the test for existence.
        (base != BaseOperator::Null).then_some(Operator {
            base,
            if_exists: true,
            set,
        })
    }
}

/// A malformed document: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for PolicyError {}

fn error(path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.to_owned(),
        message: message.into(),
    }
}

impl Policy {
    /// Parses a document from JSON text (as IAM stores it, URL-decoded).
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| error("", format!("not JSON: {e}")))?;
        Self::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| error("", "a policy must be a JSON object"))?;
        for key in object.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(error(key, "unknown element"));
            }
        }
        let version = match object.get("Version") {
            None => Version::V2008,
            Some(Value::String(v)) if v == "2012-10-17" => Version::V2012,
            Some(Value::String(v)) if v == "2008-10-17" => Version::V2008,
            Some(other) => {
                return Err(error(
                    "Version",
                    format!("must be \"2012-10-17\" or \"2008-10-17\", not {other}"),
                ))
            }
        };
        let id = match object.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(error("Id", "must be a string")),
        };
        let statements = match object.get("Statement") {
            None => return Err(error("Statement", "missing")),
            Some(Value::Object(s)) => vec![parse_statement(s, 0, "Statement")?],
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let path = format!("Statement[{i}]");
                    let s = s
                        .as_object()
                        .ok_or_else(|| error(&path, "a statement must be an object"))?;
                    parse_statement(s, i, &path)
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(error("Statement", "must be an object or a list")),
        };
        Ok(Policy {
            version,
            id,
            statements: statements.into(),
        })
    }
}

fn parse_statement(
    s: &Map<String, Value>,
    index: usize,
    path: &str,
) -> Result<Statement, PolicyError> {
    for key in s.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(error(&format!("{path}.{key}"), "unknown element"));
        }
    }
    let sid = match s.get("Sid") {
        None => None,
        Some(Value::String(v)) => Some(std::sync::Arc::from(v.as_str())),
        Some(_) => return Err(error(&format!("{path}.Sid"), "must be a string")),
    };
    let effect = match s.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(error(
                &format!("{path}.Effect"),
                format!("must be \"Allow\" or \"Deny\", not {other}"),
            ))
        }
        None => return Err(error(&format!("{path}.Effect"), "missing")),
    };
    let principal = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(error(path, "has both Principal and NotPrincipal"));
        }
        (Some(p), None) => Some(PrincipalBlock {
            negated: false,
            principals: parse_principals(p, &format!("{path}.Principal"))?,
        }),
        (None, Some(p)) => Some(PrincipalBlock {
            negated: true,
            principals: parse_principals(p, &format!("{path}.NotPrincipal"))?,
        }),
        (None, None) => None,
    };
    let actions = match (s.get("Action"), s.get("NotAction")) {
        (Some(_), Some(_)) => return Err(error(path, "has both Action and NotAction")),
        (None, None) => return Err(error(path, "needs Action or NotAction")),
        (Some(a), None) => Actions::new(false, parse_actions(a, &format!("{path}.Action"))?),
        (None, Some(a)) => Actions::new(true, parse_actions(a, &format!("{path}.NotAction"))?),
    };
    let resources = match (s.get("Resource"), s.get("NotResource")) {
        (Some(_), Some(_)) => return Err(error(path, "has both Resource and NotResource")),
        (None, None) => None,
        (Some(r), None) => Some(Resources::new(
            false,
            strings(r, &format!("{path}.Resource"))?,
        )),
        (None, Some(r)) => Some(Resources::new(
            true,
            strings(r, &format!("{path}.NotResource"))?,
        )),
    };
    let conditions = match s.get("Condition") {
        None => Vec::new(),
        Some(c) => parse_conditions(c, &format!("{path}.Condition"))?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        actions,
        resources,
        conditions,
    })
}

/// A string or a non-empty list of strings.
fn strings(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(list) if !list.is_empty() => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| error(&format!("{path}[{i}]"), "must be a string"))
            })
            .collect(),
        Value::Array(_) => Err(error(path, "must not be an empty list")),
        _ => Err(error(path, "must be a string or a list of strings")),
    }
}

fn parse_actions(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let actions = strings(value, path)?;
    for (i, a) in actions.iter().enumerate() {
        // IAM rejects an action without a service prefix ("Actions/Conditions must be
        // prefaced by a vendor"); one with an empty name or stray whitespace ("s3:",
        // " s3:GetObject") it accepts and matches as written, which is to say never.
        let valid = a == "*"
            || a.split_once(':')
                .is_some_and(|(service, _)| !service.trim().is_empty());
        if !valid {
            let at = if actions.len() == 1 && value.is_string() {
                path.to_owned()
            } else {
                format!("{path}[{i}]")
            };
            return Err(error(
                &at,
                format!("{a:?} is not an action (service:Action, or *)"),
            ));
        }
    }
    Ok(actions
        .into_iter()
        .map(|a| a.to_ascii_lowercase())
        .collect())
}

fn parse_principals(value: &Value, path: &str) -> Result<Principals, PolicyError> {
    let mut p = Principals::default();
    match value {
        Value::String(s) if s == "*" => p.any = true,
        Value::String(s) => {
            return Err(error(
                path,
                format!("a principal string must be \"*\"; use {{\"AWS\": {s:?}}}"),
            ))
        }
        Value::Object(map) => {
            for (kind, v) in map {
                let list = strings(v, &format!("{path}.{kind}"))?;
                match kind.as_str() {
                    "AWS" => {
                        for entry in list {
                            if entry == "*" {
                                p.any = true;
                            } else {
                                p.aws.push(entry);
                            }
                        }
                    }
                    "Service" => p.service.extend(list),
                    "Federated" => p.federated.extend(list),
                    "CanonicalUser" => p.canonical_user.extend(list),
                    _ => {
                        return Err(error(
                            &format!("{path}.{kind}"),
                            "unknown principal type (AWS, Service, Federated, CanonicalUser)",
                        ))
                    }
                }
            }
        }
        _ => return Err(error(path, "must be \"*\" or an object")),
    }
    Ok(p)
}

fn parse_conditions(value: &Value, path: &str) -> Result<Vec<Condition>, PolicyError> {
    let blocks = value
        .as_object()
        .ok_or_else(|| error(path, "must be an object of operators"))?;
    let mut out = Vec::new();
    for (op_text, keys) in blocks {
        let op_path = format!("{path}.{op_text}");
        let operator = Operator::parse(op_text)
            .ok_or_else(|| error(&op_path, "unknown condition operator"))?;
        let keys = keys
            .as_object()
            .ok_or_else(|| error(&op_path, "must be an object of condition keys"))?;
        for (key, values) in keys {
            let key_path = format!("{op_path}.{key}");
            let scalar = |v: &Value, at: &str| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(error(at, "must be a string, number or boolean")),
            };
            let values = match values {
                Value::Array(list) => list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| scalar(v, &format!("{key_path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
                v => vec![scalar(v, &key_path)?],
            };
            out.push(Condition {
                operator_text: op_text.clone(),
                operator,
                key: key.clone(),
                key_lower: key.to_ascii_lowercase(),
                values_have_variables: values.iter().any(|v| v.contains("${")),
                values,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_aws_accepts_parses() {
        // Statement as an object, Action/Resource as strings, no Version (2008 semantics).
        let p = Policy::parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "S3:GetObject", "Resource": "*"}}"#,
        )
        .unwrap();
        assert_eq!(p.version, Version::V2008);
        assert_eq!(p.statements[0].actions.patterns, ["s3:getobject"]);
        // Lists, NotAction/NotResource, NotPrincipal, every principal type, conditions with
        // numbers and booleans.
        let p = Policy::parse(
            r#"{"Version": "2012-10-17", "Id": "x", "Statement": [
                {"Sid": "A", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": ["arn:aws:s3:::b"],
                 "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "111122223333"]}},
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": "*", "Service": ["ec2.amazonaws.com"], "Federated": "cognito-identity.amazonaws.com",
                               "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
                 "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                               "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                               "Bool": {"aws:SecureTransport": false}}}]}"#,
        )
        .unwrap();
        let deny = &p.statements[0];
        assert!(deny.actions.negated && deny.resources.as_ref().unwrap().negated);
        assert!(deny.principal.as_ref().unwrap().negated);
        let allow = &p.statements[1];
        let principals = &allow.principal.as_ref().unwrap().principals;
        assert!(principals.any && principals.service == ["ec2.amazonaws.com"]);
        assert!(allow.resources.is_none());
        let c: Vec<_> = allow
            .conditions
            .iter()
            .map(|c| (c.key.as_str(), c.values.clone()))
            .collect();
        assert!(c.contains(&("aws:MultiFactorAuthAge", vec!["3600".into()])));
        assert!(c.contains(&("aws:SecureTransport", vec!["false".into()])));
        let set = allow
            .conditions
            .iter()
            .find(|c| c.key == "aws:TagKeys")
            .unwrap();
        assert_eq!(
            set.operator,
            Operator {
                base: BaseOperator::StringLike,
                if_exists: true,
                set: Some(SetOperator::ForAnyValue)
            }
        );
    }

    #[test]
    fn malformed_documents_say_where() {
        let cases = [
            ("[]", "", "a policy must be a JSON object"),
            (r#"{"Version": "2012-10-17"}"#, "Statement", "missing"),
            (
                r#"{"Version": "2013-01-01", "Statement": []}"#,
                "Version",
                "must be",
            ),
            (
                r#"{"Statement": [{"Effect": "allow", "Action": "*"}]}"#,
                "Statement[0].Effect",
                "must be",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow"}]}"#,
                "Statement[0]",
                "needs Action",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", 3]}]}"#,
                "Statement[0].Action[1]",
                "must be a string",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "s3GetObject"}]}"#,
                "Statement[0].Action",
                "is not an action",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": []}]}"#,
                "Statement[0].Resource",
                "empty",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Actions": "*"}]}"#,
                "Statement[0].Actions",
                "unknown element",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "arn:aws:iam::1:root"}]}"#,
                "Statement[0].Principal",
                "must be \"*\"",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"IAM": "x"}}]}"#,
                "Statement[0].Principal.IAM",
                "unknown principal type",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEqualz": {"a": "b"}}}]}"#,
                "Statement[0].Condition.StringEqualz",
                "unknown condition operator",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"NullIfExists": {"a": "true"}}}]}"#,
                "Statement[0].Condition.NullIfExists",
                "unknown condition operator",
            ),
            (
                r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"a": {"b": 1}}}}]}"#,
                "Statement[0].Condition.StringEquals.a",
                "must be a string",
            ),
            ("{\"Statement\": ", "", "not JSON"),
        ];
        for (text, path, says) in cases {
            let e = Policy::parse(text).unwrap_err();
            assert_eq!(e.path, path, "{text}: {e}");
            assert!(e.message.contains(says), "{text}: {e}");
        }
    }
}
