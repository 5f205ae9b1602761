//! CloudWatch Logs JSON filter patterns (`{ ($.eventName = ConsoleLogin) && ... }`), read
//! for their meaning: CIS section 5 asks for a metric filter with the benchmark's pattern,
//! and a filter written with other spacing, quoting, order or parentheses, or one that
//! catches more, monitors the same events.
//!
//! A pattern is parsed into terms (`selector operator value`, `selector NOT EXISTS`,
//! `selector IS NULL`, `selector IS TRUE/FALSE`) joined by `&&` and `||` (`&&` binding
//! tighter; parentheses group), then put in disjunctive normal form: a set of clauses, each
//! a set of terms. Values are compared without their quotes. A filter `covers` a benchmark
//! pattern when every clause of the benchmark has a clause of the filter made of some of
//! its terms: whatever event the benchmark matches, that filter clause matches too (the
//! filter is the same or broader, never narrower).

use std::collections::BTreeSet;

/// One comparison of a pattern, normalized: `$.eventName = ConsoleLogin`.
type Term = String;
/// Terms that must all hold.
type Clause = BTreeSet<Term>;

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Term(Term),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// Whether every event `benchmark` matches is matched by `filter`; None when either is not
/// a JSON filter pattern this reads (a space-delimited or plain-text pattern).
pub fn covers(filter: &str, benchmark: &str) -> Option<bool> {
    let filter = dnf(&parse(filter)?);
    let benchmark = dnf(&parse(benchmark)?);
    Some(
        benchmark
            .iter()
            .all(|b| filter.iter().any(|f| f.is_subset(b))),
    )
}

/// The clauses of an expression: OR of ANDs.
fn dnf(e: &Expr) -> Vec<Clause> {
    match e {
        Expr::Term(t) => vec![BTreeSet::from([t.clone()])],
        Expr::Or(a, b) => {
            let mut out = dnf(a);
            out.extend(dnf(b));
            out
        }
        Expr::And(a, b) => {
            let (left, right) = (dnf(a), dnf(b));
            let mut out = Vec::with_capacity(left.len() * right.len());
            for l in &left {
                for r in &right {
                    out.push(l.union(r).cloned().collect());
                }
            }
            out
        }
    }
}

/// Parses `{ ... }`; None for anything else or a syntax it does not know.
fn parse(pattern: &str) -> Option<Expr> {
    let inner = pattern.trim().strip_prefix('{')?.strip_suffix('}')?;
    let tokens = tokenize(inner)?;
    let mut parser = Parser { tokens, at: 0 };
    let e = parser.or()?;
    (parser.at == parser.tokens.len()).then_some(e)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    /// A word: a selector, an operator, a value (quotes removed), NOT, EXISTS, IS, NULL.
    Word(String),
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            _ if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '&' if chars.get(i + 1) == Some(&'&') => {
                out.push(Token::And);
                i += 2;
            }
            '|' if chars.get(i + 1) == Some(&'|') => {
                out.push(Token::Or);
                i += 2;
            }
            '"' => {
                let mut value = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    value.push(chars[i]);
                    i += 1;
                }
                if i == chars.len() {
                    return None;
                }
                i += 1;
                out.push(Token::Word(value));
            }
            '=' | '!' | '<' | '>' => {
                let mut op = c.to_string();
                if chars.get(i + 1) == Some(&'=') {
                    op.push('=');
                    i += 1;
                }
                i += 1;
                out.push(Token::Word(op));
            }
            _ => {
                let start = i;
                let ends_word = |i: usize| {
                    let c = chars[i];
                    let next = chars.get(i + 1);
                    c.is_whitespace()
                        || matches!(c, '(' | ')' | '=' | '!' | '<' | '>' | '"')
                        || (c == '&' && next == Some(&'&'))
                        || (c == '|' && next == Some(&'|'))
                };
                while i < chars.len() && !ends_word(i) {
                    i += 1;
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn or(&mut self) -> Option<Expr> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut left = self.primary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.primary()?));
        }
        Some(left)
    }

    fn primary(&mut self) -> Option<Expr> {
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let e = self.or()?;
            return (self.next()? == Token::Close).then_some(e);
        }
        let Token::Word(selector) = self.next()? else {
            return None;
        };
        if !selector.starts_with('$') {
            return None;
        }
        let Token::Word(op) = self.next()? else {
            return None;
        };
        let term = match op.to_ascii_uppercase().as_str() {
            "NOT" => match self.next()? {
                Token::Word(w) if w.eq_ignore_ascii_case("EXISTS") => {
                    format!("{selector} NOT EXISTS")
                }
                _ => return None,
            },
            "IS" => match self.next()? {
                Token::Word(w) => format!("{selector} IS {}", w.to_ascii_uppercase()),
                _ => return None,
            },
            "=" | "!=" | "<" | ">" | "<=" | ">=" => match self.next()? {
                Token::Word(value) => format!("{selector} {op} {value}"),
                _ => return None,
            },
            _ => return None,
        };
        Some(Expr::Term(term))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNAUTHORIZED: &str = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#;
    const S3_POLICY: &str = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }";

    #[test]
    fn spacing_quotes_and_order_do_not_matter() {
        let root = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }";
        let reordered = "{($.eventType!=AwsServiceEvent)&&($.userIdentity.invokedBy NOT EXISTS)&&($.userIdentity.type=Root)}";
        assert_eq!(covers(reordered, root), Some(true));
        assert_eq!(covers(root, reordered), Some(true));
    }

    #[test]
    fn a_filter_missing_an_event_does_not_cover() {
        let without_replication =
            S3_POLICY.replace(" || ($.eventName = DeleteBucketReplication)", "");
        assert_eq!(covers(&without_replication, S3_POLICY), Some(false));
        // Another event name instead of one asked for does not count either.
        let swapped = S3_POLICY.replace("PutBucketCors", "GetBucketCors");
        assert_eq!(covers(&swapped, S3_POLICY), Some(false));
    }

    #[test]
    fn a_broader_filter_covers() {
        // The event names without the eventSource condition match every event the
        // benchmark's pattern matches, and more.
        let names_only = "{ ($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication) || ($.eventName = PutBucketTagging) }";
        assert_eq!(covers(names_only, S3_POLICY), Some(true));
        assert_eq!(covers(S3_POLICY, names_only), Some(false));
        // The older unauthorized-calls pattern, without the exclusions, covers the newer.
        let old =
            r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#;
        assert_eq!(covers(old, UNAUTHORIZED), Some(true));
    }

    #[test]
    fn a_narrower_filter_does_not_cover() {
        let only_one = r#"{ $.errorCode = "*UnauthorizedOperation" }"#;
        assert_eq!(covers(only_one, UNAUTHORIZED), Some(false));
        let mfa = "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }";
        let successful_iam_users = "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) && ($.userIdentity.type = IAMUser) && ($.responseElements.ConsoleLogin = Success) }";
        assert_eq!(covers(successful_iam_users, mfa), Some(false));
        assert_eq!(covers(mfa, successful_iam_users), Some(true));
    }

    #[test]
    fn what_is_not_a_json_pattern_is_none() {
        assert_eq!(covers("ERROR", "{ $.a = 1 }"), None);
        assert_eq!(covers("{ $.a = ", "{ $.a = 1 }"), None);
        assert_eq!(covers("{ ($.a = 1 }", "{ $.a = 1 }"), None);
        assert_eq!(covers("{ a = 1 }", "{ $.a = 1 }"), None);
        assert_eq!(covers(r#"{ $.a = "unterminated }"#, "{ $.a = 1 }"), None);
    }
}
