//! The bodies of the fuzz targets of govscan's parsers of outside input (fuzz/, nightly,
//! `scripts/fuzz TARGET SECONDS`), here so the stable test tests/it/fuzz_corpus.rs runs the
//! same checks over the seed corpus, the regressions and mutations of them. Each takes any
//! bytes; a panic, or a broken invariant (asserted), is a finding.
//!
//! CloudTrail text is partly chosen by whoever calls AWS, and rules, mutelists and configs
//! come from files users share: none of them may crash a run or turn into SQL.

use std::path::Path;

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// A trail log file, as the lake reads it: gzip sniffed by its magic number, then a trail
/// file, a JSON array, JSON lines, an Insights file or a digest. Invariants: a row's
/// partition day for every row, and the same answer twice.
pub fn trail_file(data: &[u8]) {
    let schema = crate::trail::schema::event_schema();
    let Ok(bytes) = crate::trail::parse::read_maybe_gzip(data.to_vec()) else {
        return;
    };
    let first = crate::trail::parse::parse_file(&bytes, "fuzz", &schema);
    let second = crate::trail::parse::parse_file(&bytes, "fuzz", &schema);
    match (first, second) {
        (Ok(a), Ok(b)) => {
            let rows = a.batch.as_ref().map_or(0, |b| b.num_rows());
            assert_eq!(rows, a.days.len(), "a partition day for every row");
            assert_eq!(rows, b.batch.as_ref().map_or(0, |b| b.num_rows()));
            assert_eq!(a.rejected, b.rejected);
            if let Some(batch) = &a.batch {
                assert_eq!(batch.schema(), schema, "the lake's schema");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("the same bytes parsed once and failed once"),
    }
}

/// A Sigma rule. Invariant: what it translates to is one SQL query, whatever its values
/// hold (quotes, semicolons, comments), so a rule's values stay literals.
pub fn sigma_rule(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fields = crate::hunt::sigma::FieldMapping::builtin();
    if let Ok(detection) = crate::hunt::sigma::translate(Path::new("fuzz.yml"), text, &fields) {
        let statements = Parser::parse_sql(&GenericDialect {}, &detection.sql)
            .unwrap_or_else(|e| panic!("the translation is not SQL ({e}): {}", detection.sql));
        assert_eq!(statements.len(), 1, "one statement: {}", detection.sql);
        assert!(
            matches!(
                statements[0],
                datafusion::sql::sqlparser::ast::Statement::Query(_)
            ),
            "a query: {}",
            detection.sql
        );
    }
}

/// A check's or a detection's file: the YAML header split from the SQL and parsed.
pub fn rule_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.sql");
    if let Ok(rule) = crate::hunt::Detection::parse(path, text) {
        assert!(!rule.meta.id.is_empty());
    }
    let _ = crate::checks::Check::parse(path, text);
}

/// The YAML files users write: a mutelist, an audit configuration (`govscan.yaml`), hunt
/// parameters.
pub fn yaml_configs(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::report::mutelist::Mutelist::parse(text);
    let _ = crate::audit::config::AuditConfig::parse(text);
    if let Ok(config) = serde_norway::from_str::<crate::hunt::HuntConfig>(text) {
        let _ = config.validate();
    }
}
