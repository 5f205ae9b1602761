//! Reading CloudTrail files in every form they come in, and normalizing each record to the
//! lake's columns.
//!
//! Forms, plain or gzipped (detected by content, not by name): `{"Records": [...]}` as a
//! trail writes them; a JSON array of records (console and CLI exports); JSON lines, one
//! record per line. Digest files are recognised and skipped; Insights events are counted and
//! skipped. Free-form fields (`requestParameters`, ...) are kept as the exact JSON text the
//! record held; unknown fields go to `extra`, never dropped.

use std::fmt;
use std::io::Read;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::columns::{EventColumns, Skip};
use crate::record::Entry;

/// Files larger than this (decompressed) are rejected rather than read into memory; a trail
/// writes files of a few MB.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// A file's records as one batch of `cloudtrail_events` rows, and what was left out.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// The rows (none when the file held no accepted record).
    pub batch: Option<RecordBatch>,
    /// Days since 1970-01-01 of each row's event time: its partition.
    pub days: Vec<i32>,
    /// (index of the record in the file, why it was rejected)
    pub rejected: Vec<(usize, String)>,
    pub insights_skipped: usize,
    pub digest: bool,
}

/// Reads a file's bytes, inflating gzip (by its magic number).
pub fn read_maybe_gzip(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(inflated_size_hint(&bytes));
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip: {e} (truncated or corrupt)"))?;
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// How many bytes a gzip file inflates to, for the buffer: its trailer's ISIZE (the last
/// member's size modulo 2^32, which is the whole file's for the one member a trail writes),
/// or eight times its size where that is not believable. Only a hint: reading stops at
/// [`MAX_FILE_BYTES`] whatever it says, and a wrong one costs a reallocation.
fn inflated_size_hint(gzip: &[u8]) -> usize {
    let guess = gzip.len().saturating_mul(8);
    let Some(trailer) = gzip.last_chunk::<4>() else {
        return guess;
    };
    let declared = u32::from_le_bytes(*trailer) as usize;
    if declared < gzip.len() || declared as u64 > MAX_FILE_BYTES {
        return guess.min(MAX_FILE_BYTES as usize);
    }
    // One byte more: reading to the end then needs no second allocation to see the end.
    declared + 1
}

/// Records being read from one file into columns.
struct Collector {
    columns: EventColumns,
    rejected: Vec<(usize, String)>,
    insights_skipped: usize,
    next_index: usize,
}

impl Collector {
    fn new(schema: &SchemaRef, source: &str) -> Self {
        Self {
            columns: EventColumns::new(schema.clone(), source),
            rejected: Vec::new(),
            insights_skipped: 0,
            next_index: 0,
        }
    }

    fn accept(&mut self, entry: Entry) {
        let index = self.next_index;
        self.next_index += 1;
        match entry {
            Entry::NotAnObject => self
                .rejected
                .push((index, "the record is not a JSON object".into())),
            Entry::Record(record) => match self.columns.push(&record) {
                Ok(()) => {}
                Err(Skip::Insight) => self.insights_skipped += 1,
                Err(Skip::Rejected(reason)) => self.rejected.push((index, reason)),
            },
        }
    }

    fn reject(&mut self, reason: String) {
        self.rejected.push((self.next_index, reason));
        self.next_index += 1;
    }

    fn into_parsed(mut self) -> ParsedFile {
        let (batch, days) = self.columns.finish();
        ParsedFile {
            batch: (batch.num_rows() > 0).then_some(batch),
            days,
            rejected: self.rejected,
            insights_skipped: self.insights_skipped,
            digest: false,
        }
    }
}

/// Streams the elements of a records array into the collector, one at a time.
struct RecordsInto<'c>(&'c mut Collector);

impl<'de> DeserializeSeed<'de> for RecordsInto<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RecordsInto<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Entry>()? {
            self.0.accept(entry);
        }
        Ok(())
    }
}

/// What a top-level JSON object turned out to be.
enum TopLevel {
    TrailFile,
    Digest,
    /// Neither: a record, so the file is JSON lines.
    Other,
}

/// Reads `{"Records": [...]}` into the collector, or recognises a digest file.
struct TrailFileInto<'c>(&'c mut Collector);

impl<'de> DeserializeSeed<'de> for TrailFileInto<'_> {
    type Value = TopLevel;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<TopLevel, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TrailFileInto<'_> {
    type Value = TopLevel;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail log file")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut kind = TopLevel::Other;
        while let Some(key) = map.next_key::<std::borrow::Cow<str>>()? {
            match key.as_ref() {
                "Records" => {
                    map.next_value_seed(RecordsInto(&mut *self.0))?;
                    kind = TopLevel::TrailFile;
                }
                "digestStartTime" | "digestPublicKeyFingerprint" => {
                    map.next_value::<IgnoredAny>()?;
                    if !matches!(kind, TopLevel::TrailFile) {
                        kind = TopLevel::Digest;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(kind)
    }
}

/// Parses a decompressed file into a batch of rows.
///
/// The common case is one pass: records stream from the text into the columns. If that
/// pass fails (a record serde cannot read, such as one with a duplicated field), the file
/// is read again record by record so only the bad records are rejected, with their index.
pub fn parse_file(bytes: &[u8], source: &str, schema: &SchemaRef) -> Result<ParsedFile, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.starts_with('[') {
        let mut collector = Collector::new(schema, source);
        let mut de = serde_json::Deserializer::from_str(text);
        if RecordsInto(&mut collector)
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .is_ok()
        {
            return Ok(collector.into_parsed());
        }
        let records: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| format!("JSON array: {e}"))?;
        return Ok(one_by_one(records.iter().map(|r| r.get()), source, schema, "").0);
    }
    if text.starts_with('{') {
        let mut collector = Collector::new(schema, source);
        let mut de = serde_json::Deserializer::from_str(text);
        let first_error = match TrailFileInto(&mut collector).deserialize(&mut de) {
            Ok(TopLevel::TrailFile) if de.end().is_ok() => return Ok(collector.into_parsed()),
            Ok(TopLevel::Digest) if de.end().is_ok() => {
                return Ok(ParsedFile {
                    digest: true,
                    ..ParsedFile::default()
                })
            }
            Ok(_) => None,
            Err(e) => Some(e),
        };
        #[derive(serde::Deserialize)]
        struct RawTrailFile<'a> {
            #[serde(borrow, rename = "Records")]
            records: Vec<&'a RawValue>,
        }
        if let Ok(file) = serde_json::from_str::<RawTrailFile>(text) {
            return Ok(one_by_one(file.records.iter().map(|r| r.get()), source, schema, "").0);
        }
        // Not a trail file: JSON lines, one record per line.
        let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let (parsed, all_unparsable) = one_by_one(lines, source, schema, "JSON line: ");
        if all_unparsable {
            return Err(match first_error {
                Some(e) if !text.contains('\n') => format!("not JSON: {e}"),
                _ => "not JSON: no line parses as a record".into(),
            });
        }
        return Ok(parsed);
    }
    if text.is_empty() {
        return Ok(ParsedFile::default());
    }
    Err("not JSON: expected {\"Records\": [...]}, a JSON array or JSON lines".into())
}

/// Reads records given one by one as JSON texts (the elements of a file that could not be
/// read in one pass, JSON lines, LookupEvents' `CloudTrailEvent`s). A text that does not
/// parse is rejected with `prefix` and the parser's message. Also says whether there were
/// texts and none of them parsed: then the input was not JSON at all.
pub fn one_by_one<'t>(
    texts: impl Iterator<Item = &'t str>,
    source: &str,
    schema: &SchemaRef,
    prefix: &str,
) -> (ParsedFile, bool) {
    let mut collector = Collector::new(schema, source);
    let mut any_parsed = false;
    for text in texts {
        match serde_json::from_str::<Entry>(text) {
            Ok(entry) => {
                any_parsed = true;
                collector.accept(entry);
            }
            Err(e) => collector.reject(format!("{prefix}{e}")),
        }
    }
    let all_unparsable = !any_parsed && collector.next_index > 0;
    (collector.into_parsed(), all_unparsable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn schema() -> SchemaRef {
        crate::schema::event_schema()
    }

    fn parse(text: &str) -> Result<ParsedFile, String> {
        parse_file(text.as_bytes(), "f.json", &schema())
    }

    /// The rows of a parsed file as JSON objects (NULL columns left out).
    fn rows(parsed: &ParsedFile) -> Vec<Value> {
        let Some(batch) = &parsed.batch else {
            return Vec::new();
        };
        let mut writer = datafusion::arrow::json::ArrayWriter::new(Vec::new());
        writer.write(batch).unwrap();
        writer.finish().unwrap();
        serde_json::from_slice(&writer.into_inner()).unwrap()
    }

    const RECORD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r"},"attributes":{"creationDate":"2023-07-10T11:42:31Z","mfaAuthenticated":"false"}}},"eventTime":"2023-07-10T23:59:59Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName" : "b","n":1.50},"responseElements":null,"eventID":"e1","readOnly":true,"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"sessionCredentialFromConsole":"true","futureField":{"x":1}}"#;

    #[test]
    fn records_are_normalized_with_free_form_fields_byte_for_byte() {
        let parsed = parse(RECORD).unwrap();
        let row = &rows(&parsed)[0];
        assert_eq!(row["event_id"], "e1");
        assert_eq!(row["event_time"], "2023-07-10T23:59:59Z");
        assert_eq!(row["source_file"], "f.json");
        let date = chrono::NaiveDate::from_ymd_opt(2023, 7, 10).unwrap();
        assert_eq!(
            parsed.days,
            [date
                .signed_duration_since(chrono::NaiveDate::default())
                .num_days() as i32]
        );
        assert_eq!(
            row["request_parameters"],
            r#"{"bucketName" : "b","n":1.50}"#
        );
        assert_eq!(row["response_elements"], Value::Null);
        assert_eq!(
            row["user_identity"]["session_context"]["session_issuer"]["arn"],
            "arn:aws:iam::1:role/r"
        );
        assert_eq!(
            row["user_identity"]["session_context"]["attributes"]["mfa_authenticated"],
            false
        );
        assert_eq!(row["session_credential_from_console"], true);
        assert_eq!(row["resources"][0]["arn"], "arn:aws:s3:::b");
        assert_eq!(
            row["extra"], r#"{"futureField":{"x":1}}"#,
            "unknown fields are kept"
        );
    }

    #[test]
    fn every_file_form_is_read() {
        let trail = format!(r#"{{"Records":[{RECORD}]}}"#);
        let array = format!("[{RECORD}]");
        let lines = format!("{RECORD}\n\n{}\n", RECORD.replace("\"e1\"", "\"e2\""));
        for (form, text, n) in [
            ("trail", trail.as_str(), 1),
            ("array", array.as_str(), 1),
            ("lines", lines.as_str(), 2),
        ] {
            let parsed = parse(text).unwrap();
            assert_eq!(rows(&parsed).len(), n, "{form}");
            assert!(parsed.rejected.is_empty(), "{form}");
        }
        let digest =
            r#"{"awsAccountId":"1","digestStartTime":"2023-07-10T00:00:00Z","logFiles":[]}"#;
        assert!(parse(digest).unwrap().digest);
    }

    #[test]
    fn bad_records_are_rejected_with_their_index_and_the_rest_kept() {
        let text = format!(
            r#"{{"Records":[{RECORD}, 42, {{"eventID":"x","eventTime":"yesterday"}}, {{"eventTime":"2023-07-10T00:00:00Z"}}]}}"#
        );
        let parsed = parse(&text).unwrap();
        assert_eq!(rows(&parsed).len(), 1);
        let rejected: Vec<usize> = parsed.rejected.iter().map(|r| r.0).collect();
        assert_eq!(rejected, [1, 2, 3]);
        assert!(parsed.rejected[0].1.contains("not a JSON object"));
        assert!(parsed.rejected[1].1.contains("eventTime"));
        assert!(parsed.rejected[2].1.contains("eventID"));
    }

    #[test]
    fn insights_events_are_skipped_and_counted() {
        let text = r#"{"Records":[{"eventVersion":"1.07","eventTime":"2023-07-10T00:00:00Z","eventType":"AwsCloudTrailInsight","eventID":"i1"}]}"#;
        let parsed = parse(text).unwrap();
        assert_eq!((rows(&parsed).len(), parsed.insights_skipped), (0, 1));
    }

    #[test]
    fn garbage_and_truncated_gzip_are_errors() {
        assert!(parse("hello").unwrap_err().contains("not JSON"));
        assert!(parse("{\"Records\": [").unwrap_err().contains("EOF"));
        assert!(parse_file(&[0xff, 0xfe, 0x00], "f", &schema()).is_err());
        let bytes = gzip(RECORD.repeat(50).as_bytes());
        let truncated = bytes[..bytes.len() / 2].to_vec();
        assert!(read_maybe_gzip(truncated).unwrap_err().contains("gzip"));
        assert_eq!(
            read_maybe_gzip(bytes).unwrap(),
            RECORD.repeat(50).as_bytes()
        );
    }

    fn gzip(text: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, text).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn the_inflate_buffer_is_sized_by_the_trailer_only_where_it_is_believable() {
        let one = gzip(&RECORD.repeat(50).into_bytes());
        assert_eq!(inflated_size_hint(&one), RECORD.len() * 50 + 1);
        // A trailer claiming more than a file may hold, or less than the gzip's own size.
        let mut claims_4_gib = one.clone();
        let at = claims_4_gib.len() - 4;
        claims_4_gib[at..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(inflated_size_hint(&claims_4_gib), one.len() * 8);
        let mut claims_nothing = one.clone();
        claims_nothing[at..].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(inflated_size_hint(&claims_nothing), one.len() * 8);
        assert_eq!(inflated_size_hint(&[0x1f, 0x8b]), 16);
    }

    #[test]
    fn a_file_of_several_gzip_members_inflates_whole_whatever_its_last_trailer_says() {
        // The last member's trailer names only its own (tiny) size.
        let mut two = gzip(&RECORD.repeat(50).into_bytes());
        two.extend(gzip(b"\n"));
        let mut expected = RECORD.repeat(50).into_bytes();
        expected.push(b'\n');
        assert_eq!(read_maybe_gzip(two).unwrap(), expected);
    }

    #[test]
    fn a_record_serde_cannot_read_is_rejected_alone() {
        // A duplicated field inside userIdentity fails the one-pass read of the file; the
        // record-by-record read then rejects just that record.
        let dup = r#"{"eventTime":"2023-07-10T00:00:00Z","eventID":"d","userIdentity":{"arn":"a","arn":"b"}}"#;
        let text = format!(
            r#"{{"Records":[{RECORD},{dup},{}]}}"#,
            RECORD.replace("\"e1\"", "\"e3\"")
        );
        let parsed = parse(&text).unwrap();
        let ids: Vec<Value> = rows(&parsed)
            .iter()
            .map(|r| r["event_id"].clone())
            .collect();
        assert_eq!(ids, ["e1", "e3"]);
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].0, 1);
        assert!(
            parsed.rejected[0].1.contains("duplicate field"),
            "{:?}",
            parsed.rejected
        );
    }

    #[test]
    fn fields_of_unexpected_types_become_null_or_text() {
        let text = r#"{"eventTime":"2023-07-10T00:00:00Z","eventID":"x","userIdentity":"root","resources":{"ARN":"a"},"tlsDetails":[1],"readOnly":"maybe","eventName":42,"errorMessage":"tab\there \u00e9","awsRegion":{"a":[1,true]}}"#;
        let parsed = parse(text).unwrap();
        let row = &rows(&parsed)[0];
        assert_eq!(row.get("user_identity"), None);
        assert_eq!(row.get("resources"), None);
        assert_eq!(row.get("tls_details"), None);
        assert_eq!(row.get("read_only"), None);
        assert_eq!(row["event_name"], "42");
        assert_eq!(row["error_message"], "tab\there \u{e9}");
        assert_eq!(row["aws_region"], r#"{"a":[1,true]}"#);
    }

    #[test]
    fn events_given_one_by_one_are_rejected_by_position() {
        let texts = [RECORD, "{not json", "7"];
        let (parsed, all_unparsable) = one_by_one(texts.into_iter(), "lookup", &schema(), "bad: ");
        assert!(!all_unparsable);
        assert_eq!(rows(&parsed).len(), 1);
        let rejected: Vec<usize> = parsed.rejected.iter().map(|r| r.0).collect();
        assert_eq!(rejected, [1, 2]);
        assert!(parsed.rejected[0].1.starts_with("bad: "));
        let (_, all_unparsable) = one_by_one(["{", "]"].into_iter(), "lookup", &schema(), "");
        assert!(all_unparsable);
    }
}
