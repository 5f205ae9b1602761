//! DDL for the engines that read the data where it lies: Athena (and Trino or Spark through
//! a Hive metastore) over the trail lake and the snapshots, with partition projection so no
//! crawler or `MSCK REPAIR` is needed.

use datafusion::arrow::datatypes::{DataType, Field, Schema};

#[derive(Debug, thiserror::Error)]
pub enum DdlError {
    #[error("{0:?}: letters, digits and _ only")]
    Database(String),
    #[error("{0}")]
    Type(String),
}

impl From<String> for DdlError {
    fn from(message: String) -> Self {
        DdlError::Type(message)
    }
}

/// The Hive type Athena reads an Arrow column as.
pub fn hive_type(data_type: &DataType) -> Result<String, String> {
    Ok(match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Binary | DataType::LargeBinary => "binary".into(),
        DataType::List(item) | DataType::LargeList(item) => {
            format!("array<{}>", hive_type(item.data_type())?)
        }
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| Ok(format!("{}:{}", f.name(), hive_type(f.data_type())?)))
                .collect::<Result<_, String>>()?;
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                hive_type(kv[0].data_type())?,
                hive_type(kv[1].data_type())?
            ),
            other => return Err(format!("a map of {other}")),
        },
        DataType::Dictionary(_, value) => hive_type(value)?,
        other => return Err(format!("no Hive type for {other}")),
    })
}

fn columns(schema: &Schema) -> Result<String, String> {
    let lines: Vec<String> = schema
        .fields()
        .iter()
        .map(|f: &std::sync::Arc<Field>| {
            Ok(format!("  `{}` {}", f.name(), hive_type(f.data_type())?))
        })
        .collect::<Result<_, String>>()?;
    Ok(lines.join(",\n"))
}

/// Athena's string literals double their quotes.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The statements for the trail lake and every snapshot table under `location` (the data
/// directory's address as Athena sees it, e.g. s3://bucket/govscan).
pub fn athena_ddl(location: &str, database: &str) -> Result<String, DdlError> {
    if database.is_empty()
        || !database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(DdlError::Database(database.to_owned()));
    }
    let location = location.trim_end_matches('/');
    let mut out = format!(
        "-- govscan {}: the trail lake and the snapshot tables under {location}\n\
         -- Snapshot tables are partitioned by snapshot_id (injected projection): every query\n\
         -- names one, e.g. WHERE snapshot_id = '20260101T000000Z-ab12'.\n\n\
         CREATE DATABASE IF NOT EXISTS `{database}`;\n\n",
        env!("CARGO_PKG_VERSION")
    );
    let lake = format!("{location}/{}", crate::store::LAKE);
    out.push_str(&format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`cloudtrail_events` (\n{}\n)\n\
         PARTITIONED BY (`event_date` string)\n\
         STORED AS PARQUET\n\
         LOCATION {}\n\
         TBLPROPERTIES (\n\
         \x20 'projection.enabled' = 'true',\n\
         \x20 'projection.event_date.type' = 'date',\n\
         \x20 'projection.event_date.format' = 'yyyy-MM-dd',\n\
         \x20 'projection.event_date.range' = '2013-11-01,NOW',\n\
         \x20 'projection.event_date.interval' = '1',\n\
         \x20 'projection.event_date.interval.unit' = 'DAYS',\n\
         \x20 'storage.location.template' = {}\n\
         );\n\n",
        columns(&crate::trail::schema::event_schema())?,
        quoted(&format!("{lake}/")),
        quoted(&format!("{lake}/event_date=${{event_date}}/")),
    ));
    for def in crate::collect::all_tables() {
        out.push_str(&format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{name}` (\n{}\n)\n\
             PARTITIONED BY (`snapshot_id` string)\n\
             STORED AS PARQUET\n\
             LOCATION {}\n\
             TBLPROPERTIES (\n\
             \x20 'projection.enabled' = 'true',\n\
             \x20 'projection.snapshot_id.type' = 'injected',\n\
             \x20 'storage.location.template' = {}\n\
             );\n\n",
            columns(&def.schema())?,
            quoted(&format!("{location}/snapshots/")),
            quoted(&format!(
                "{location}/snapshots/${{snapshot_id}}/{}/",
                def.name
            )),
            name = def.name,
        ));
    }
    Ok(out)
}
