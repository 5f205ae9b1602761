//! Table definitions and in-memory row buffers that become Arrow record batches.
//!
//! Every snapshot table is declared once, as a [`TableDef`] next to the collector that fills
//! it. The same declaration gives the Arrow schema, the Parquet file and the text of
//! `govscan tables`, so the documentation cannot drift from the data.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;

/// The logical type of a column. Few on purpose: every consumer (DuckDB, Athena, pandas)
/// reads these without surprises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// UTF-8 text holding a JSON document, stored exactly as AWS returned it (URL-decoded).
    Json,
    Int,
    Bool,
    /// A UTC instant, microsecond precision.
    Timestamp,
    /// A list of UTF-8 strings.
    TextList,
}

impl ColumnType {
    pub fn arrow_type(self) -> DataType {
        match self {
            ColumnType::Text | ColumnType::Json => DataType::Utf8,
            ColumnType::Int => DataType::Int64,
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            ColumnType::TextList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
        }
    }

    /// The name shown by `govscan tables`.
    pub fn display_name(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Json => "json text",
            ColumnType::Int => "int64",
            ColumnType::Bool => "bool",
            ColumnType::Timestamp => "timestamp (UTC)",
            ColumnType::TextList => "list<text>",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ColumnDef {
    pub name: &'static str,
    pub ty: ColumnType,
    pub doc: &'static str,
}

/// Shorthand used by the table declarations.
pub const fn col(name: &'static str, ty: ColumnType, doc: &'static str) -> ColumnDef {
    ColumnDef { name, ty, doc }
}

#[derive(Debug)]
pub struct TableDef {
    pub name: &'static str,
    pub doc: &'static str,
    /// The columns that identify a row across snapshots, where neither an ARN nor the whole
    /// row does (see [`TableDef::key_columns`]); empty for those.
    pub key: &'static [&'static str],
    pub columns: &'static [ColumnDef],
}

impl TableDef {
    /// The columns that identify a row across snapshots (what `diff` matches rows on): the
    /// declared key, else its ARN (with the region where it has one: a trail has a row per
    /// region it is visible in), else the whole row (a change then shows as removed +
    /// added).
    pub fn key_columns(&self) -> Vec<&'static str> {
        if !self.key.is_empty() {
            return self.key.to_vec();
        }
        let has = |c: &str| self.columns.iter().any(|col| col.name == c);
        match (has("arn"), has("region")) {
            (true, true) => vec!["arn", "region"],
            (true, false) => vec!["arn"],
            _ => self.columns.iter().map(|c| c.name).collect(),
        }
    }

    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(c.name, c.ty.arrow_type(), true))
            .collect();
        Arc::new(Schema::new(fields))
    }

    fn column_index(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.name == name)
            // A misspelt column is a bug in govscan, never in the input; the unit test of
            // every collector runs each row builder, so this cannot reach a user.
            .unwrap_or_else(|| panic!("table {} has no column {name}", self.name))
    }
}

/// One cell value before it is typed into Arrow.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Timestamp(DateTime<Utc>),
    TextList(Vec<String>),
}

impl Value {
    /// The text of a text cell; None for any other value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Timestamp(v)
    }
}
impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::TextList(v)
    }
}
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::Text(v.to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value> + Clone> From<&Option<T>> for Value {
    fn from(v: &Option<T>) -> Self {
        v.clone().map_or(Value::Null, Into::into)
    }
}

/// Rows of one table, buffered in memory. Governance state is small (thousands of rows per
/// account), so buffering a table before writing it is cheaper than streaming.
#[derive(Debug)]
pub struct TableRows {
    pub def: &'static TableDef,
    rows: Vec<Vec<Value>>,
}

impl TableRows {
    pub fn new(def: &'static TableDef) -> Self {
        Self {
            def,
            rows: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Starts a row; columns not set stay null.
    pub fn row(&mut self) -> RowBuilder<'_> {
        self.rows.push(vec![Value::Null; self.def.columns.len()]);
        let def = self.def;
        RowBuilder {
            def,
            cells: self.rows.last_mut().expect("row just pushed"),
        }
    }

    /// Adds a row from a JSON object keyed by column name (fixtures, bundled demo data).
    /// JSON columns take any JSON value and store its text.
    pub fn push_json(
        &mut self,
        object: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), String> {
        let def = self.def;
        let mut cells = vec![Value::Null; def.columns.len()];
        for (key, v) in object {
            let i = def
                .columns
                .iter()
                .position(|c| c.name == key)
                .ok_or_else(|| format!("{}: no column {key}", def.name))?;
            let column = &def.columns[i];
            let bad = || {
                format!(
                    "{}.{key}: {v} is not {}",
                    def.name,
                    column.ty.display_name()
                )
            };
            cells[i] = match (column.ty, v) {
                (_, serde_json::Value::Null) => Value::Null,
                (ColumnType::Json, serde_json::Value::String(s))
                | (ColumnType::Text, serde_json::Value::String(s)) => Value::Text(s.clone()),
                (ColumnType::Json, other) => Value::Text(other.to_string()),
                (ColumnType::Int, serde_json::Value::Number(n)) => {
                    Value::Int(n.as_i64().ok_or_else(bad)?)
                }
                (ColumnType::Bool, serde_json::Value::Bool(b)) => Value::Bool(*b),
                (ColumnType::Timestamp, serde_json::Value::String(s)) => Value::Timestamp(
                    DateTime::parse_from_rfc3339(s)
                        .map_err(|_| bad())?
                        .with_timezone(&Utc),
                ),
                (ColumnType::TextList, serde_json::Value::Array(items)) => Value::TextList(
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
                        .collect::<Result<_, _>>()?,
                ),
                _ => return Err(bad()),
            };
        }
        self.rows.push(cells);
        Ok(())
    }

    /// The cell of `row` in `column`.
    pub fn get(&self, row: usize, column: &str) -> &Value {
        &self.rows[row][self.def.column_index(column)]
    }

    /// Changes cells of an existing row.
    pub fn edit(&mut self, row: usize) -> RowBuilder<'_> {
        let def = self.def;
        RowBuilder {
            def,
            cells: &mut self.rows[row],
        }
    }

    pub fn append(&mut self, other: TableRows) {
        debug_assert_eq!(self.def.name, other.def.name);
        self.rows.extend(other.rows);
    }

    pub fn rows(&self) -> &[Vec<Value>] {
        &self.rows
    }

    pub fn to_record_batch(&self) -> Result<RecordBatch, ArrowError> {
        let columns: Vec<ArrayRef> = self
            .def
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| build_column(c, self.rows.iter().map(|r| &r[i])))
            .collect::<Result<_, _>>()?;
        RecordBatch::try_new(self.def.schema(), columns)
    }
}

pub struct RowBuilder<'a> {
    def: &'static TableDef,
    cells: &'a mut Vec<Value>,
}

impl RowBuilder<'_> {
    pub fn set(&mut self, column: &str, value: impl Into<Value>) -> &mut Self {
        let i = self.def.column_index(column);
        self.cells[i] = value.into();
        self
    }
}

fn type_error(column: &ColumnDef, value: &Value) -> ArrowError {
    ArrowError::InvalidArgumentError(format!(
        "column {} is {} but got {value:?}",
        column.name,
        column.ty.display_name()
    ))
}

fn build_column<'a>(
    column: &ColumnDef,
    values: impl Iterator<Item = &'a Value>,
) -> Result<ArrayRef, ArrowError> {
    Ok(match column.ty {
        ColumnType::Text | ColumnType::Json => {
            let mut b = StringBuilder::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Text(s) => b.append_value(s),
                    other => return Err(type_error(column, other)),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Int => {
            let mut b = Int64Builder::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Int(i) => b.append_value(*i),
                    other => return Err(type_error(column, other)),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Bool => {
            let mut b = BooleanBuilder::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Bool(x) => b.append_value(*x),
                    other => return Err(type_error(column, other)),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Timestamp => {
            let mut b = TimestampMicrosecondBuilder::new().with_timezone("UTC");
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Timestamp(t) => b.append_value(t.timestamp_micros()),
                    other => return Err(type_error(column, other)),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::TextList => {
            let mut b = ListBuilder::new(StringBuilder::new());
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::TextList(items) => {
                        for item in items {
                            b.values().append_value(item);
                        }
                        b.append(true);
                    }
                    other => return Err(type_error(column, other)),
                }
            }
            Arc::new(b.finish())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::TimestampMicrosecondType;
    use ColumnType::*;

    static T: TableDef = TableDef {
        name: "t",
        key: &[],
        doc: "test",
        columns: &[
            col("a", Text, ""),
            col("n", Int, ""),
            col("b", Bool, ""),
            col("ts", Timestamp, ""),
            col("l", TextList, ""),
        ],
    };

    #[test]
    fn rows_become_typed_arrow_columns_with_nulls_for_unset_cells() {
        let mut rows = TableRows::new(&T);
        let t = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        rows.row()
            .set("a", "x")
            .set("n", 7)
            .set("b", true)
            .set("ts", t)
            .set("l", vec!["p".to_string()]);
        rows.row().set("a", None::<String>);
        let batch = rows.to_record_batch().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.column(0).as_string::<i32>().value(0), "x");
        assert!(batch.column(1).is_null(1));
        let ts = batch.column(3).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.value(0), t.timestamp_micros());
        assert_eq!(
            batch
                .column(4)
                .as_list::<i32>()
                .value(0)
                .as_string::<i32>()
                .value(0),
            "p"
        );
    }

    #[test]
    fn cells_are_read_by_column_name_and_edited_in_place() {
        let mut rows = TableRows::new(&T);
        rows.row().set("a", "x").set("n", 1);
        rows.edit(0).set("n", 2);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows.get(0, "n"), &Value::Int(2));
        assert_eq!(rows.get(0, "a").as_text(), Some("x"));
        assert_eq!(rows.get(0, "b").as_text(), None);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_naming_the_column() {
        let mut rows = TableRows::new(&T);
        rows.row().set("n", "not a number");
        let err = rows.to_record_batch().unwrap_err().to_string();
        assert!(err.contains("column n is int64"), "{err}");
    }

    #[test]
    #[should_panic(expected = "table t has no column nope")]
    fn a_misspelt_column_is_caught() {
        TableRows::new(&T).row().set("nope", 1);
    }
}
