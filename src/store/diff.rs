//! What changed between two snapshots, table by table: rows added, removed and changed,
//! matched by each table's key ([`TableDef::key_columns`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::catalog::Snapshot;
use super::table::TableDef;
use super::StoreError;

/// The changes of one table.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct TableDiff {
    /// Keys of rows only in the later snapshot.
    pub added: Vec<String>,
    /// Keys of rows only in the earlier snapshot.
    pub removed: Vec<String>,
    /// key → column → (from, to)
    pub changed: BTreeMap<String, BTreeMap<String, (Value, Value)>>,
}

impl TableDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A row's key: its key columns' values, space-separated.
fn key_of(row: &Map<String, Value>, columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| match row.get(*c) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of one table, before and after, compared by key.
pub fn diff_rows(
    def: &TableDef,
    before: Vec<Map<String, Value>>,
    after: Vec<Map<String, Value>>,
) -> TableDiff {
    let columns = def.key_columns();
    let index = |rows: Vec<Map<String, Value>>| -> BTreeMap<String, Map<String, Value>> {
        rows.into_iter()
            .map(|r| (key_of(&r, &columns), r))
            .collect()
    };
    let (before, after) = (index(before), index(after));
    let mut diff = TableDiff::default();
    for (key, row) in &after {
        match before.get(key) {
            None => diff.added.push(key.clone()),
            Some(old) => {
                let changes: BTreeMap<String, (Value, Value)> = row
                    .iter()
                    .filter(|(c, v)| old.get(*c) != Some(*v))
                    .map(|(c, v)| {
                        (
                            c.clone(),
                            (old.get(c).cloned().unwrap_or(Value::Null), v.clone()),
                        )
                    })
                    .collect();
                if !changes.is_empty() {
                    diff.changed.insert(key.clone(), changes);
                }
            }
        }
    }
    diff.removed = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    diff
}

/// The tables of `defs` that changed from `from` to `to`, by name. The collection
/// bookkeeping (`collection_*`) differs by nature between runs and is left out.
pub async fn diff_snapshots(
    from: &Snapshot,
    to: &Snapshot,
    defs: &[&'static TableDef],
) -> Result<BTreeMap<&'static str, TableDiff>, StoreError> {
    let mut tables = BTreeMap::new();
    for def in defs {
        if def.name.starts_with("collection_") {
            continue;
        }
        let diff = diff_rows(
            def,
            from.read_rows(def.name).await?,
            to.read_rows(def.name).await?,
        );
        if !diff.is_empty() {
            tables.insert(def.name, diff);
        }
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::table::{col, ColumnType};

    static KEYED: TableDef = TableDef {
        name: "things",
        doc: "",
        key: &["account_id", "name"],
        columns: &[
            col("account_id", ColumnType::Text, ""),
            col("name", ColumnType::Text, ""),
            col("value", ColumnType::Text, ""),
        ],
    };

    fn row(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    #[test]
    fn rows_are_matched_by_key_and_changes_named_by_column() {
        let before = vec![
            row(&[("account_id", "1"), ("name", "a"), ("value", "x")]),
            row(&[("account_id", "1"), ("name", "gone"), ("value", "x")]),
        ];
        let after = vec![
            row(&[("account_id", "1"), ("name", "a"), ("value", "y")]),
            row(&[("account_id", "2"), ("name", "a"), ("value", "x")]),
        ];
        let diff = diff_rows(&KEYED, before, after);
        assert_eq!(diff.added, ["2 a"]);
        assert_eq!(diff.removed, ["1 gone"]);
        assert_eq!(
            diff.changed["1 a"]["value"],
            (Value::String("x".into()), Value::String("y".into()))
        );
        assert!(diff_rows(&KEYED, vec![], vec![]).is_empty());
    }
}
