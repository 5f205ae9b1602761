//! The request context and the `Condition` element: every operator, `...IfExists`,
//! `ForAllValues:`/`ForAnyValue:`, policy variables, and what a missing key means.
//!
//! The rules, from the IAM User Guide ("IAM JSON policy elements: Condition operators",
//! "Condition operators for multivalued context keys", "Policy variables"):
//! - Operators in one Condition block, and keys under one operator, are ANDed; the values of
//!   one key are ORed.
//! - A negated operator (`StringNotEquals`, `NotIpAddress`, ...) is true when the key
//!   matches none of the values.
//! - A missing key: false for a positive operator, true for a negated one; `...IfExists`
//!   is true; `ForAllValues` is true (no value fails); `ForAnyValue` is false; `Null: true`
//!   is true.

use chrono::{DateTime, NaiveDate, Utc};

use super::document::{BaseOperator, Condition, Effect, Policy, SetOperator, Version};
use super::pattern::{arn_like, glob};

/// Context keys (lowercased: keys match case-insensitively) and their values.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: crate::fast_hash::FastMap<String, Vec<String>>,
    /// Whether an Allow's condition on a key the context does not hold is taken to hold:
    /// the question "who could, under some request" rather than "who can, with this one".
    /// Deny conditions are judged as always.
    pub assume_unknown_allow_conditions: bool,
}

/// Where conditions and policy variables read a request's context keys: a [`Context`], or
/// the engine's view of one with the keys AWS adds to every request.
pub trait Keys {
    /// The values of `key` (case-insensitive), if the request has it.
    fn get(&self, key: &str) -> Option<&[String]>;
    /// See [`Context::assume_unknown_allow_conditions`].
    fn assume_unknown_allow_conditions(&self) -> bool;
}

impl Keys for Context {
    fn get(&self, key: &str) -> Option<&[String]> {
        Context::get(self, key)
    }

    fn assume_unknown_allow_conditions(&self) -> bool {
        self.assume_unknown_allow_conditions
    }
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to one value.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets `key` to a set of values (a multivalued key such as `aws:TagKeys`).
    pub fn set_many(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// Sets `key` unless the caller already gave it.
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| vec![value.into()]);
    }

    /// Every key (lowercased) and its values, sorted.
    pub fn entries(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn get(&self, key: &str) -> Option<&[String]> {
        // Keys are stored lowercased; lowercase the asked one only when it needs it.
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.values
                .get(&key.to_ascii_lowercase())
                .map(Vec::as_slice)
        } else {
            self.values.get(key).map(Vec::as_slice)
        }
    }
}

/// Replaces the policy variables in `text` (`${aws:username}`, `${aws:PrincipalTag/x}`,
/// `${key, 'default'}`, and `${*}`, `${?}`, `${$}` for the literal characters). None when a
/// variable has no single value and no default: AWS then treats the element as not matching.
pub fn substitute(text: &str, context: &impl Keys) -> Option<String> {
    if !text.contains("${") {
        return Some(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // No closing brace: not a variable, keep the text as written.
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let inner = after[..end].trim();
        match inner {
            "*" | "?" | "$" => out.push_str(inner),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => {
                        let d = d.trim();
                        let d = d
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .unwrap_or(d);
                        (k.trim(), Some(d))
                    }
                    None => (inner, None),
                };
                match (context.get(key), default) {
                    (Some([one]), _) => out.push_str(one),
                    (_, Some(d)) => out.push_str(d),
                    _ => return None,
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn positive(base: BaseOperator) -> BaseOperator {
    use BaseOperator::*;
    match base {
        StringNotEquals => StringEquals,
        StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
        StringNotLike => StringLike,
        NumericNotEquals => NumericEquals,
        DateNotEquals => DateEquals,
        NotIpAddress => IpAddress,
        ArnNotEquals => ArnEquals,
        ArnNotLike => ArnLike,
        other => other,
    }
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// ISO 8601 (a date, or a date and time) or epoch seconds.
fn date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(seconds) = t.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S") {
        return Some(d.and_utc());
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// One request value against one policy value, by a positive operator.
fn value_matches(base: BaseOperator, request: &str, policy: &str) -> bool {
    use BaseOperator::*;
    match base {
        StringEquals => request == policy,
        StringEqualsIgnoreCase => request.to_lowercase() == policy.to_lowercase(),
        StringLike => glob(policy, request),
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => match (number(request), number(policy)) {
            (Some(r), Some(p)) => match base {
                NumericEquals => r == p,
                NumericLessThan => r < p,
                NumericLessThanEquals => r <= p,
                NumericGreaterThan => r > p,
                _ => r >= p,
            },
            _ => false,
        },
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => match (date(request), date(policy)) {
            (Some(r), Some(p)) => match base {
                DateEquals => r == p,
                DateLessThan => r < p,
                DateLessThanEquals => r <= p,
                DateGreaterThan => r > p,
                _ => r >= p,
            },
            _ => false,
        },
        Bool => request.eq_ignore_ascii_case(policy),
        BinaryEquals => request.trim() == policy.trim(),
        IpAddress => crate::net::cidr_contains(policy, request).unwrap_or(false),
        ArnEquals | ArnLike => arn_like(policy, request),
        // Negated forms are mapped to their positive one by the caller; Null is separate.
        _ => false,
    }
}

/// Keys that name the calling principal, so that a negated comparison of one of them
/// exempts the principals it names (a role, a user, or principals with a tag).
const PRINCIPAL_KEYS: [&str; 3] = ["aws:principalarn", "aws:userid", "aws:username"];

/// Whether `conditions` only exempt named principals from their statement: each one is a
/// negated string or ARN comparison (`StringNotEquals`, `StringNotLike`, `ArnNotEquals`,
/// `ArnNotLike`, with or without `IfExists`, without a set operator) of a key naming the
/// caller (`aws:PrincipalArn`, `aws:userid`, `aws:username`, `aws:PrincipalTag/...`). A deny
/// with such conditions applies to every other principal, as "deny, except our security
/// role" does; any other condition (a region, a time, a source address) narrows the deny to
/// some requests. No condition at all exempts nobody, and gives false.
pub fn only_exempts_principals(conditions: &[Condition]) -> bool {
    !conditions.is_empty()
        && conditions.iter().all(|c| {
            let key = c.key.to_ascii_lowercase();
            let negated = matches!(
                c.operator.base,
                BaseOperator::StringNotEquals
                    | BaseOperator::StringNotEqualsIgnoreCase
                    | BaseOperator::StringNotLike
                    | BaseOperator::ArnNotEquals
                    | BaseOperator::ArnNotLike
            );
            negated
                && c.operator.set.is_none()
                && (PRINCIPAL_KEYS.contains(&key.as_str()) || key.starts_with("aws:principaltag/"))
        })
}

/// Whether `policy` denies `action` to every principal it governs: a Deny statement whose
/// Action covers the action (or whose NotAction leaves it out), on any resource, for all
/// principals (no Principal, as in SCPs, or `"*"`), unconditional or with conditions that
/// only exempt named principals. This is the reading of an SCP guardrail such as "deny
/// cloudtrail:StopLogging, except our security role".
pub fn denies_every_principal(policy: &Policy, action: &str) -> bool {
    // Actions match case-insensitively; the parsed patterns are compared in lower case.
    let action = action.to_ascii_lowercase();
    policy.statements.iter().any(|s| {
        s.effect == Effect::Deny
            && s.principal
                .as_ref()
                .is_none_or(|p| !p.negated && p.principals.any)
            && s.actions.covers(&action)
            && (s.conditions.is_empty() || only_exempts_principals(&s.conditions))
    })
}

/// Whether `condition` holds in `context`.
pub fn holds(condition: &Condition, context: &impl Keys, version: Version) -> bool {
    let op = condition.operator;
    // Policy variables work in condition values under Version 2012-10-17; a value whose
    // variable has no value matches nothing.
    // Most values hold no variable: compare those as they are, without copying them.
    let substituted: Vec<String>;
    let values: &[String] = if version == Version::V2012 && condition.values_have_variables {
        substituted = condition
            .values
            .iter()
            .filter_map(|v| substitute(v, context))
            .collect();
        &substituted
    } else {
        &condition.values
    };
    let request = context.get(&condition.key_lower);
    if op.base == BaseOperator::Null {
        // "Null": "true" means the key must be absent, "false" that it must be present.
        let absent = request.is_none_or(|v| v.is_empty());
        return values
            .iter()
            .any(|v| v.eq_ignore_ascii_case("true") == absent);
    }
    let negated = op.base.is_negated();
    let base = positive(op.base);
    let any_policy_value = |r: &str| values.iter().any(|p| value_matches(base, r, p));
    let Some(request) = request else {
        return match op.set {
            Some(SetOperator::ForAllValues) => true,
            Some(SetOperator::ForAnyValue) => false,
            None => op.if_exists || negated,
        };
    };
    // One request value "matches" when it matches a policy value (positive operators) or
    // none of them (negated ones).
    let fits = |r: &String| any_policy_value(r) != negated;
    match op.set {
        Some(SetOperator::ForAllValues) => request.iter().all(fits),
        Some(SetOperator::ForAnyValue) => request.iter().any(fits),
        // A single-valued operator: with several request values, a positive operator needs
        // one of them to match and a negated one needs none to.
        None if negated => !request.iter().any(|r| any_policy_value(r)),
        None => request.iter().any(|r| any_policy_value(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Policy;

    /// The first condition of a one-statement policy whose Condition block is `block`.
    fn condition(block: &str) -> Condition {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {block}}}}}"#
        );
        Policy::parse(&text).unwrap().statements[0].conditions[0].clone()
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.set(k, *v);
        }
        c
    }

    fn check(block: &str, context: &Context) -> bool {
        holds(&condition(block), context, Version::V2012)
    }

    #[test]
    fn string_operators() {
        let c = ctx(&[("aws:PrincipalTag/team", "Blue")]);
        assert!(check(
            r#"{"StringEquals": {"aws:PrincipalTag/team": ["Red", "Blue"]}}"#,
            &c
        ));
        // Condition key names are case-insensitive, values case-sensitive.
        assert!(check(
            r#"{"StringEquals": {"AWS:PRINCIPALTAG/TEAM": "Blue"}}"#,
            &c
        ));
        assert!(!check(
            r#"{"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#,
            &c
        ));
        assert!(check(
            r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "blue"}}"#,
            &c
        ));
        assert!(check(
            r#"{"StringLike": {"aws:PrincipalTag/team": "B*e"}}"#,
            &c
        ));
        // Negated: true when the value matches none of the listed values.
        assert!(!check(
            r#"{"StringNotEquals": {"aws:PrincipalTag/team": ["Red", "Blue"]}}"#,
            &c
        ));
        assert!(check(
            r#"{"StringNotEquals": {"aws:PrincipalTag/team": ["Red", "Green"]}}"#,
            &c
        ));
        assert!(check(
            r#"{"StringNotLike": {"aws:PrincipalTag/team": "R*"}}"#,
            &c
        ));
    }

    #[test]
    fn a_missing_key_is_false_for_positive_operators_and_true_for_negated_ones() {
        // "If the key that you specify in a policy condition is not present in the request
        // context, the values do not match and the condition is false. If the policy
        // condition requires that the key is not matched, such as StringNotLike or
        // ArnNotLike, and the right key is not present, the condition is true."
        let empty = Context::new();
        assert!(!check(
            r#"{"StringEquals": {"aws:SourceVpc": "vpc-1"}}"#,
            &empty
        ));
        assert!(check(
            r#"{"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}"#,
            &empty
        ));
        assert!(check(
            r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::x"}}"#,
            &empty
        ));
        assert!(!check(
            r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#,
            &empty
        ));
        // "...IfExists": "If the policy key is present in the context of the request,
        // process the key as specified in the policy. If the key is not present, evaluate
        // the condition element as true."
        assert!(check(
            r#"{"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}"#,
            &empty
        ));
        let c = ctx(&[("ec2:InstanceType", "m5.large")]);
        assert!(!check(
            r#"{"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}"#,
            &c
        ));
    }

    #[test]
    fn null_tests_presence() {
        // "Null": "true" if the key doesn't exist, "false" if it exists.
        let empty = Context::new();
        let c = ctx(&[("aws:TokenIssueTime", "2024-01-01T00:00:00Z")]);
        assert!(check(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &empty));
        assert!(!check(r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, &c));
        assert!(check(r#"{"Null": {"aws:TokenIssueTime": "false"}}"#, &c));
        assert!(check(r#"{"Null": {"aws:TokenIssueTime": false}}"#, &c));
    }

    #[test]
    fn numeric_date_bool_binary_ip_and_arn_operators() {
        let c = ctx(&[
            ("aws:MultiFactorAuthAge", "1200"),
            ("aws:CurrentTime", "2024-06-01T12:00:00Z"),
            ("aws:EpochTime", "1717243200"),
            ("aws:SecureTransport", "false"),
            ("aws:SourceIp", "203.0.113.7"),
            ("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:alerts"),
            ("s3:x-amz-content-sha256", "QmluYXJ5"),
        ]);
        assert!(check(
            r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}"#,
            &c
        ));
        assert!(!check(
            r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}"#,
            &c
        ));
        assert!(check(
            r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "1200"}}"#,
            &c
        ));
        assert!(!check(
            r#"{"NumericEquals": {"aws:MultiFactorAuthAge": "not a number"}}"#,
            &c
        ));
        assert!(check(
            r#"{"DateLessThan": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}"#,
            &c
        ));
        assert!(check(
            r#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2024-06-01"}}"#,
            &c
        ));
        // Dates may be epoch seconds on either side.
        assert!(check(
            r#"{"DateEquals": {"aws:EpochTime": "2024-06-01T12:00:00Z"}}"#,
            &c
        ));
        assert!(check(r#"{"Bool": {"aws:SecureTransport": "False"}}"#, &c));
        assert!(!check(r#"{"Bool": {"aws:SecureTransport": true}}"#, &c));
        assert!(check(
            r#"{"BinaryEquals": {"s3:x-amz-content-sha256": "QmluYXJ5"}}"#,
            &c
        ));
        assert!(check(
            r#"{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}"#,
            &c
        ));
        assert!(!check(
            r#"{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#,
            &c
        ));
        assert!(check(
            r#"{"NotIpAddress": {"aws:SourceIp": "2001:db8::/32"}}"#,
            &c
        ));
        assert!(check(
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}"#,
            &c
        ));
        assert!(check(
            r#"{"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:444455556666:*"}}"#,
            &c
        ));
    }

    #[test]
    fn set_operators_on_multivalued_keys() {
        let mut c = Context::new();
        c.set_many("aws:TagKeys", vec!["env".into(), "team".into()]);
        // ForAllValues: every request value matches one of the policy values.
        assert!(check(
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "cost"]}}"#,
            &c
        ));
        assert!(!check(
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#,
            &c
        ));
        // ForAnyValue: at least one does.
        assert!(check(
            r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}"#,
            &c
        ));
        assert!(!check(
            r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["cost"]}}"#,
            &c
        ));
        // ForAllValues with a negated operator: no request value is in the list.
        assert!(check(
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["cost"]}}"#,
            &c
        ));
        assert!(!check(
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}"#,
            &c
        ));
        assert!(check(
            r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}"#,
            &c
        ));
        // A missing key: "ForAllValues ... returns true if there are no context keys in the
        // request"; ForAnyValue returns false.
        let empty = Context::new();
        assert!(check(
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#,
            &empty
        ));
        assert!(!check(
            r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#,
            &empty
        ));
    }

    #[test]
    fn policy_variables() {
        let mut c = ctx(&[("aws:username", "alice"), ("aws:PrincipalTag/team", "blue")]);
        c.set_many("aws:TagKeys", vec!["a".into(), "b".into()]);
        assert_eq!(
            substitute("home/${aws:username}/*", &c).unwrap(),
            "home/alice/*"
        );
        assert_eq!(
            substitute("${aws:PrincipalTag/team}-${aws:username}", &c).unwrap(),
            "blue-alice"
        );
        // The special characters and a default value.
        assert_eq!(substitute("a${*}b${?}c${$}", &c).unwrap(), "a*b?c$");
        assert_eq!(
            substitute("${aws:PrincipalTag/cost, 'none'}", &c).unwrap(),
            "none"
        );
        // No value (or several) and no default: the element cannot match.
        assert_eq!(substitute("${aws:PrincipalTag/cost}", &c), None);
        assert_eq!(substitute("${aws:TagKeys}", &c), None);
        // In conditions under 2012-10-17 only.
        let cond =
            condition(r#"{"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}}"#);
        assert!(holds(&cond, &c, Version::V2012));
        assert!(!holds(&cond, &c, Version::V2008));
    }

    #[test]
    fn only_principal_exemptions_are_recognised() {
        let exempts = |block: &str| {
            let text = format!(
                r#"{{"Statement": {{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {block}}}}}"#
            );
            only_exempts_principals(&Policy::parse(&text).unwrap().statements[0].conditions)
        };
        assert!(exempts(
            r#"{"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/SecurityAdmin"}}"#
        ));
        assert!(exempts(
            r#"{"StringNotEquals": {"aws:PrincipalTag/team": "security"}}"#
        ));
        assert!(exempts(
            r#"{"StringNotLikeIfExists": {"aws:userid": "AROA*:breakglass"}, "ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"]}}"#
        ));
        // Narrowing the deny to some requests is no exemption of principals.
        assert!(!exempts(
            r#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}"#
        ));
        assert!(!exempts(
            r#"{"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}"#
        ));
        assert!(!exempts(
            r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev*"}}"#
        ));
        assert!(!exempts(
            r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Sec"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}"#
        ));
        assert!(!exempts(
            r#"{"ForAnyValue:StringNotLike": {"aws:PrincipalTag/team": "sec"}}"#
        ));
        assert!(!exempts("{}"));
    }

    #[test]
    fn a_deny_for_every_principal_but_exempted_ones() {
        let denies =
            |doc: &str, action: &str| denies_every_principal(&Policy::parse(doc).unwrap(), action);
        let wildcard =
            r#"{"Statement": {"Effect": "Deny", "Action": "cloudtrail:Stop*", "Resource": "*"}}"#;
        assert!(denies(wildcard, "cloudtrail:StopLogging"));
        assert!(!denies(wildcard, "cloudtrail:DeleteTrail"));
        let not_action = r#"{"Statement": {"Effect": "Deny", "NotAction": ["cloudtrail:Delete*"], "Resource": "*"}}"#;
        assert!(denies(not_action, "cloudtrail:StopLogging"));
        assert!(!denies(not_action, "cloudtrail:DeleteTrail"));
        let exempt = r#"{"Statement": {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Security"}}}}"#;
        assert!(denies(exempt, "CloudTrail:StopLogging"));
        let narrowed = r#"{"Statement": {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}}"#;
        assert!(!denies(narrowed, "cloudtrail:StopLogging"));
        let allow = r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
        assert!(!denies(allow, "cloudtrail:StopLogging"));
        let one_principal = r#"{"Statement": {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Resource": "*"}}"#;
        assert!(!denies(one_principal, "cloudtrail:StopLogging"));
    }
}
