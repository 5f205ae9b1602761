//! `govscan tables`: the table reference, from the same declarations that write the data.

use std::fmt::Write;

use crate::cli::{TablesArgs, TablesFormat};
use govscan::collect::all_tables;
use govscan::store::{DataDir, DataStore, Snapshot, TableDef};

use super::{stdout_write, CommandError};

pub async fn run(data_dir: &DataDir, args: &TablesArgs) -> Result<(), CommandError> {
    let counts = match &args.snapshot {
        Some(wanted) => {
            let store = DataStore::open(data_dir).await?;
            Some(Snapshot::resolve(&store, Some(wanted)).await?.1.tables)
        }
        None => None,
    };
    let rows = |def: &TableDef| {
        counts
            .as_ref()
            .map(|c| c.get(def.name).map_or(0, |e| e.rows))
    };
    let defs = reference_defs();
    let text = match args.format {
        TablesFormat::Text => render_text(&defs, rows),
        TablesFormat::Markdown => render_markdown(&defs),
        TablesFormat::Json => {
            let tables: Vec<serde_json::Value> = defs
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "name": d.name,
                        "description": d.doc,
                        "rows": rows(d),
                        "columns": d.columns.iter().map(|c| serde_json::json!({
                            "name": c.name, "type": c.ty.display_name(), "description": c.doc,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&tables).expect("json") + "\n"
        }
    };
    stdout_write(&text)
}

/// The snapshot's tables, then the views over them.
pub fn reference_defs() -> Vec<&'static TableDef> {
    let views = govscan::engine::views::all_views()
        .into_iter()
        .map(|v| &v.def);
    all_tables()
        .into_iter()
        .chain(views)
        .chain(govscan::policy::tables::all_defs())
        .chain(govscan::policy::tables::function_defs())
        .collect()
}

fn render_text(defs: &[&'static TableDef], rows: impl Fn(&TableDef) -> Option<u64>) -> String {
    let mut out = String::new();
    for def in defs {
        match rows(def) {
            Some(n) => writeln!(out, "{} ({n} rows)\n  {}", def.name, def.doc),
            None => writeln!(out, "{}\n  {}", def.name, def.doc),
        }
        .expect("write to string");
        let width = def.columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let type_width = def
            .columns
            .iter()
            .map(|c| c.ty.display_name().len())
            .max()
            .unwrap_or(0);
        for c in def.columns {
            writeln!(
                out,
                "    {:width$}  {:type_width$}  {}",
                c.name,
                c.ty.display_name(),
                c.doc
            )
            .expect("write to string");
        }
        out.push('\n');
    }
    out
}

/// The table reference (`tables --format markdown`, docs/tables.md).
pub fn render_markdown(defs: &[&'static TableDef]) -> String {
    let mut out = String::new();
    for def in defs {
        writeln!(
            out,
            "#### `{}`\n\n{}\n\n| column | type | meaning |\n| --- | --- | --- |",
            def.name, def.doc
        )
        .expect("write");
        for c in def.columns {
            writeln!(
                out,
                "| `{}` | {} | {} |",
                c.name,
                c.ty.display_name(),
                c.doc.replace('|', "\\|")
            )
            .expect("write");
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reference_lists_every_column_with_its_type() {
        let text = render_text(&all_tables(), |_| Some(3));
        assert!(text.contains("iam_users (3 rows)"));
        assert!(text
            .lines()
            .any(|l| l.contains("create_date") && l.contains("timestamp (UTC)")));
    }
}
