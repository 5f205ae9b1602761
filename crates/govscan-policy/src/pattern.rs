//! Wildcards as IAM matches them.
//!
//! - Actions: `*` any run of characters, `?` one character, case-insensitive (callers pass
//!   both sides lowercased).
//! - Resources (the `Resource` element): case-sensitive; `*` and `?` stay within one
//!   colon-separated ARN segment, except that a `*` that is the last character of a segment
//!   "can expand to match beyond the colon boundaries" (IAM User Guide, "IAM JSON policy
//!   elements: Resource", Using wildcards in resource ARNs).
//! - `StringLike`: a plain glob, case-sensitive.
//! - `ArnLike`/`ArnEquals`: "each of the six colon-delimited components of the ARN is checked
//!   separately" (IAM User Guide, condition operators, ARN condition operators).

/// A plain glob: `*` matches any run (also empty), `?` exactly one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    if pattern == "*" {
        return true;
    }
    glob_with(pattern, text, Some('?'))
}

/// A glob whose only wildcard is `*`: every other character, `?` included, matches itself
/// (mutelist patterns).
pub fn star_glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == text;
    }
    glob_with(pattern, text, None)
}

fn glob_with(pattern: &str, text: &str, one: Option<char>) -> bool {
    // Bytes when both are ASCII (actions, ARNs: nearly always), so nothing is allocated.
    if pattern.is_ascii() && text.is_ascii() {
        let one = one.map(|c| c as u8);
        return glob_units(pattern.as_bytes(), text.as_bytes(), b'*', one);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_units(&p, &t, '*', one)
}

/// The classic two-pointer match with one backtrack point: correct for a plain glob. A
/// `star` in the pattern is always a wildcard, even against a `*` in the text.
fn glob_units<T: Copy + PartialEq>(p: &[T], t: &[T], star: T, one: Option<T>) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == star {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (Some(p[pi]) == one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = backtrack {
            pi = sp + 1;
            ti = st + 1;
            backtrack = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == star)
}

/// An action pattern (lowercased) against an action (lowercased).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern, action)
}

/// A `Resource` pattern against a resource ARN (or `*`).
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return pattern == resource;
    }
    if pattern.is_ascii() && resource.is_ascii() {
        return resource_units(pattern.as_bytes(), resource.as_bytes(), b'*', b'?', b':');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = resource.chars().collect();
    resource_units(&p, &t, '*', '?', ':')
}

fn resource_units<T: Copy + PartialEq>(p: &[T], t: &[T], star: T, one: T, colon: T) -> bool {
    // A literal prefix (the usual `arn:aws:s3:::bucket/...`) settles most mismatches at once.
    let literal = p.iter().take_while(|&&c| c != star && c != one).count();
    if t.len() < literal || p[..literal] != t[..literal] {
        return false;
    }
    let (p, t) = (&p[literal..], &t[literal..]);
    // `arn:aws:s3:::bucket/*`: a last `*` ends its segment and crosses colons, so it takes
    // whatever follows the literal prefix.
    if p.len() == 1 && p[0] == star {
        return true;
    }
    // A `*` crosses colons only when it ends its segment (next pattern char is ':' or the
    // end). With both kinds of star one backtrack point is not enough: dynamic programming
    // over (pattern position, text position), one row at a time, on the stack for the
    // lengths ARNs have.
    const ON_STACK: usize = 512;
    if t.len() < ON_STACK {
        let (mut row, mut next) = ([false; ON_STACK], [false; ON_STACK]);
        resource_rows(
            p,
            t,
            star,
            one,
            colon,
            &mut row[..=t.len()],
            &mut next[..=t.len()],
        )
    } else {
        let (mut row, mut next) = (vec![false; t.len() + 1], vec![false; t.len() + 1]);
        resource_rows(p, t, star, one, colon, &mut row, &mut next)
    }
}

fn resource_rows<'b, T: Copy + PartialEq>(
    p: &[T],
    t: &[T],
    star: T,
    one: T,
    colon: T,
    mut row: &'b mut [bool],
    mut next: &'b mut [bool],
) -> bool {
    row[0] = true;
    for (i, &pc) in p.iter().enumerate() {
        next.iter_mut().for_each(|b| *b = false);
        if pc == star {
            let crosses = p.get(i + 1).is_none_or(|&c| c == colon);
            // next[j] = row[j] (empty) or next[j-1] extended by one allowed char.
            for j in 0..=t.len() {
                next[j] = row[j] || (j > 0 && next[j - 1] && (crosses || t[j - 1] != colon));
            }
        } else if pc == one {
            for j in 1..=t.len() {
                next[j] = row[j - 1] && t[j - 1] != colon;
            }
        } else {
            for j in 1..=t.len() {
                next[j] = row[j - 1] && t[j - 1] == pc;
            }
        }
        if !next.iter().any(|&b| b) {
            return false;
        }
        std::mem::swap(&mut row, &mut next);
    }
    row[t.len()]
}

/// Whether some resource ARN matches both `a` and `b`, two `Resource` patterns: the
/// question "may it act on anything under this pattern" asked of an Allow. Compared as plain
/// globs (`*` any run, `?` one character, in either), segment by segment when both have six
/// ARN parts. It may say yes for two patterns that meet only across a colon the resource
/// rules keep a `*` from crossing: it errs toward a possible grant, never hides one.
pub fn resource_patterns_overlap(a: &str, b: &str) -> bool {
    if a == "*" || b == "*" {
        return true;
    }
    // A name meets a pattern when the pattern matches it.
    if !a.contains(['*', '?']) {
        return resource_matches(b, a);
    }
    if !b.contains(['*', '?']) {
        return resource_matches(a, b);
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.splitn(6, ':').collect(), b.splitn(6, ':').collect());
    if pa.len() == 6 && pb.len() == 6 {
        return pa
            .iter()
            .zip(&pb)
            .all(|(x, y)| globs_overlap(x.as_bytes(), y.as_bytes()));
    }
    globs_overlap(a.as_bytes(), b.as_bytes())
}

/// Whether two plain globs have a string in common: dynamic programming over both patterns
/// from their ends (`common[i][j]`: some string matches `a[i..]` and `b[j..]`).
fn globs_overlap(a: &[u8], b: &[u8]) -> bool {
    let width = b.len() + 1;
    let mut common = vec![false; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..=a.len()).rev() {
        for j in (0..=b.len()).rev() {
            common[at(i, j)] = match (a.get(i), b.get(j)) {
                (None, None) => true,
                // A star may stand for nothing, or take one character of the other side.
                (Some(b'*'), _) => common[at(i + 1, j)] || (j < b.len() && common[at(i, j + 1)]),
                (_, Some(b'*')) => common[at(i, j + 1)] || (i < a.len() && common[at(i + 1, j)]),
                (None, _) | (_, None) => false,
                (Some(&x), Some(&y)) => {
                    (x == y || x == b'?' || y == b'?') && common[at(i + 1, j + 1)]
                }
            };
        }
    }
    common[at(0, 0)]
}

/// Whether every resource ARN that `specific` matches also matches `general`: the question
/// "does this Deny cover all of the pattern". Sound rather than complete: a `*` or `?` of
/// `specific` is covered only by a `*` of `general` (and a `*` that stays within its
/// segment covers no colon and no `*`), so it says no whenever it cannot be sure, and a
/// deny is taken to cover a pattern only when it does.
pub fn resource_pattern_covers(general: &str, specific: &str) -> bool {
    let (g, s) = (general.as_bytes(), specific.as_bytes());
    if general == "*" {
        return true;
    }
    if !specific.contains(['*', '?']) {
        return resource_matches(general, specific);
    }
    // `arn:aws:s3:::logs-*`: a literal prefix and a last `*`, which crosses colons.
    if let Some(prefix) = general.strip_suffix('*') {
        if !prefix.contains(['*', '?']) {
            return specific.starts_with(prefix);
        }
    }
    // covered[i][j]: g[i..] covers s[j..].
    let width = s.len() + 1;
    let mut covered = vec![false; (g.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..=g.len()).rev() {
        for j in (0..=s.len()).rev() {
            covered[at(i, j)] = match (g.get(i), s.get(j)) {
                (None, None) => true,
                (Some(b'*'), next) => {
                    // The star that ends its segment crosses colons (resource_matches).
                    let crosses = g.get(i + 1).is_none_or(|&c| c == b':');
                    let takes = next.is_some_and(|&c| crosses || (c != b':' && c != b'*'));
                    covered[at(i + 1, j)] || (takes && covered[at(i, j + 1)])
                }
                (None, _) | (_, None) => false,
                (Some(b'?'), Some(&c)) => c != b':' && c != b'*' && covered[at(i + 1, j + 1)],
                (Some(&x), Some(&y)) => {
                    x == y && y != b'*' && y != b'?' && covered[at(i + 1, j + 1)]
                }
            };
        }
    }
    covered[at(0, 0)]
}

/// `ArnLike`/`ArnEquals`: the six components compared one by one, each a glob.
pub fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| glob(p, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_patterns_meet_and_cover() {
        // Two bucket patterns that share buckets, and two that cannot.
        assert!(resource_patterns_overlap(
            "arn:aws:s3:::logs-2024/AWSLogs/*",
            "arn:aws:s3:::logs-*/AWSLogs/*"
        ));
        assert!(resource_patterns_overlap(
            "arn:aws:s3:::logs-a*",
            "arn:aws:s3:::*-prod"
        ));
        assert!(!resource_patterns_overlap(
            "arn:aws:s3:::logs-*",
            "arn:aws:s3:::data-*"
        ));
        // Accounts are compared as a segment: another account's roles never meet.
        assert!(!resource_patterns_overlap(
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:iam::444455556666:role/*"
        ));
        assert!(resource_patterns_overlap("*", "arn:aws:iam::1:role/x"));
        // Covering: the general pattern takes every resource of the specific one.
        assert!(resource_pattern_covers(
            "arn:aws:s3:::logs-*",
            "arn:aws:s3:::logs-a*/x"
        ));
        assert!(resource_pattern_covers("*", "arn:aws:s3:::x"));
        assert!(!resource_pattern_covers(
            "arn:aws:s3:::logs-secret/*",
            "arn:aws:s3:::logs-*/*"
        ));
        // A `?` of the general side covers one character, not whatever a `*` stands for.
        assert!(!resource_pattern_covers(
            "arn:aws:s3:::a?",
            "arn:aws:s3:::a*"
        ));
        assert!(resource_pattern_covers(
            "arn:aws:s3:::a?",
            "arn:aws:s3:::a?"
        ));
        // A `*` inside a segment does not reach across a colon of the specific pattern.
        assert!(!resource_pattern_covers(
            "arn:aws:logs:*x:1:log-group:g",
            "arn:aws:logs:us:east-1x:1:log-group:g"
        ));
    }

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("a*c", "abbbc") && glob("a*c", "ac") && !glob("a*c", "ab"));
        assert!(glob("a?c", "abc") && !glob("a?c", "ac"));
        assert!(glob("*b*b*", "abab") && !glob("*b*b*", "ab"));
        // StringLike is case-sensitive.
        assert!(!glob("Team*", "team-a"));
        // A `*` of the pattern stays a wildcard where the text holds a `*` too (a pattern
        // asked about a pattern): it once matched the text's `*` literally and gave up.
        assert!(glob("*a", "*ba") && glob("s3:*", "s3:*") && glob("*", "*"));
        assert!(glob("arn:*:x", "arn:*:*:x"));
    }

    #[test]
    fn a_star_only_glob_takes_question_marks_literally() {
        assert!(star_glob("arn:aws:s3:::logs-*", "arn:aws:s3:::logs-2024"));
        assert!(star_glob("a?c", "a?c") && !star_glob("a?c", "abc"));
        assert!(star_glob("*", "") && star_glob("*b*", "abc") && !star_glob("b*", "abc"));
        assert!(star_glob("*a", "*ba"));
    }

    #[test]
    fn actions_match_case_insensitively_once_lowercased() {
        // "Action and NotAction values are case-insensitive" (IAM User Guide, Action).
        let lower = |s: &str| s.to_ascii_lowercase();
        assert!(action_matches(&lower("s3:Get*"), &lower("s3:GetObject")));
        assert!(action_matches(
            &lower("S3:GETOBJECT"),
            &lower("s3:getobject")
        ));
        assert!(action_matches("iam:*accesskey*", "iam:createaccesskey"));
        assert!(!action_matches("s3:get*", "s3:putobject"));
        assert!(action_matches("*", "anything:at-all"));
        assert!(action_matches(
            "ec2:describe?nstances",
            "ec2:describeinstances"
        ));
    }

    #[test]
    fn resource_wildcards_follow_the_arn_segment_rules() {
        // "You can use wildcard characters (* and ?) within the individual segments of an
        // ARN": * and ? do not reach across a colon inside the pattern...
        assert!(resource_matches(
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::111122223333:role/x"
        ));
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c.txt"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::b:cket"
        ));
        assert!(!resource_matches(
            "arn:aws:logs:*x:1:log-group:g",
            "arn:aws:logs:us:east-1x:1:log-group:g"
        ));
        // ...but "if the * wildcard is the last character of a resource ARN segment, it can
        // expand to match beyond the colon boundaries".
        assert!(resource_matches("arn:aws:s3:*", "arn:aws:s3:::bucket/key"));
        assert!(resource_matches(
            "arn:aws:logs:us-east-1:111122223333:log-group:app:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1"
        ));
        // The * "can expand to replace everything within a segment, including characters
        // like a forward slash (/)".
        assert!(resource_matches(
            "arn:aws:iam::111122223333:user/*",
            "arn:aws:iam::111122223333:user/division/team/bob"
        ));
        // Case-sensitive: "the IAM user name is case sensitive" in the Resource element.
        assert!(!resource_matches(
            "arn:aws:iam::111122223333:user/Bob",
            "arn:aws:iam::111122223333:user/bob"
        ));
        assert!(!resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        assert!(resource_matches("*", "*") && !resource_matches("arn:*", "*"));
    }

    #[test]
    fn arn_like_compares_component_by_component() {
        assert!(arn_like(
            "arn:aws:iam::*:role/admin-*",
            "arn:aws:iam::111122223333:role/admin-ops"
        ));
        assert!(arn_like(
            "arn:aws:sns:*:111122223333:*",
            "arn:aws:sns:us-east-1:111122223333:topic"
        ));
        // A * in one component does not eat the next one.
        assert!(!arn_like("arn:aws:*", "arn:aws:iam::111122223333:root"));
        assert!(!arn_like("arn:aws:iam::1:role/x", "not-an-arn"));
    }
}
