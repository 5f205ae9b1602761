//! CloudTrail log files to Arrow columns: the decoding core of `govscan trail ingest`.
//!
//! [`parse::parse_file`] reads a file in any form CloudTrail's records come in (a trail's
//! `{"Records": [...]}`, an export's JSON array, JSON lines) and appends each record straight
//! into the column builders of [`schema::event_schema`]. Pure functions over bytes: govscan's
//! `trail` module finds the files, deduplicates and writes the lake.

mod columns;
pub mod parse;
mod record;
pub mod schema;
