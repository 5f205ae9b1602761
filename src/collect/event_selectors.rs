//! What a trail records, read from its event selectors as `cloudtrail_trails` keeps them
//! (`event_selectors` and `advanced_event_selectors`, JSON in the shape
//! `collect::cloudtrail` writes). The CIS audits ask two questions of them: are all
//! management events recorded (reads and writes), and are S3 object-level writes (or reads)
//! recorded for every bucket. Each selector is judged on its own: a trail may hold several,
//! and only one of them has to answer.

use serde_json::Value as Json;

/// What a check asks a trail to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// Every management event, read and write.
    AllManagementEvents,
    /// S3 object-level write events of every bucket.
    S3ObjectWrites,
    /// S3 object-level read events of every bucket.
    S3ObjectReads,
}

impl Records {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "management" => Some(Records::AllManagementEvents),
            "s3_object_write" => Some(Records::S3ObjectWrites),
            "s3_object_read" => Some(Records::S3ObjectReads),
            _ => None,
        }
    }
}

/// Whether a trail with these selectors (either may be absent) records `what`.
pub fn records(basic: Option<&Json>, advanced: Option<&Json>, what: Records) -> bool {
    let list = |v: Option<&Json>| v.and_then(Json::as_array).cloned().unwrap_or_default();
    list(basic).iter().any(|s| basic_records(s, what))
        || list(advanced).iter().any(|s| advanced_records(s, what))
}

fn text<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

fn strings(v: &Json, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `arn:aws:s3` or `arn:aws:s3:::` (any partition): the value that means every bucket.
fn is_every_bucket(value: &str) -> bool {
    let value = value.trim_end_matches(":::");
    let mut parts = value.split(':');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("arn"), Some(partition), Some("s3"), None) if !partition.is_empty()
    )
}

fn basic_records(selector: &Json, what: Records) -> bool {
    let read_write = text(selector, "read_write_type").unwrap_or("All");
    match what {
        Records::AllManagementEvents => {
            selector
                .get("include_management_events")
                .and_then(Json::as_bool)
                == Some(true)
                && read_write == "All"
        }
        Records::S3ObjectWrites | Records::S3ObjectReads => {
            let direction = if what == Records::S3ObjectWrites {
                "WriteOnly"
            } else {
                "ReadOnly"
            };
            (read_write == "All" || read_write == direction)
                && selector
                    .get("data_resources")
                    .and_then(Json::as_array)
                    .is_some_and(|resources| {
                        resources.iter().any(|r| {
                            text(r, "type") == Some("AWS::S3::Object")
                                && strings(r, "values").iter().any(|v| is_every_bucket(v))
                        })
                    })
        }
    }
}

/// A field selector of an advanced selector: its field and its conditions.
struct Field<'a> {
    name: &'a str,
    selector: &'a Json,
}

impl Field<'_> {
    fn equals(&self) -> Vec<String> {
        strings(self.selector, "equals")
    }

    /// Whether it only has `equals` conditions.
    fn only_equals(&self) -> bool {
        [
            "starts_with",
            "ends_with",
            "not_equals",
            "not_starts_with",
            "not_ends_with",
        ]
        .iter()
        .all(|k| strings(self.selector, k).is_empty())
    }
}

fn advanced_records(selector: &Json, what: Records) -> bool {
    let fields: Vec<Field> = selector
        .get("field_selectors")
        .and_then(Json::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| {
                    Some(Field {
                        name: text(f, "field")?,
                        selector: f,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let field = |name: &str| fields.iter().find(|f| f.name == name);
    let category = field("eventCategory")
        .map(|f| f.equals())
        .unwrap_or_default();
    match what {
        // CIS 4.1: a Management selector with no readOnly field (a readOnly field means
        // reads or writes only).
        Records::AllManagementEvents => category == ["Management"] && field("readOnly").is_none(),
        // CIS 4.8 / 4.9, "Log all events" for S3: data events of AWS::S3::Object, readOnly
        // absent or the wanted direction, and nothing that narrows them to some buckets
        // or some events (a resources.ARN other than every bucket, an eventName, ...).
        Records::S3ObjectWrites | Records::S3ObjectReads => {
            let wanted_read_only = if what == Records::S3ObjectReads {
                "true"
            } else {
                "false"
            };
            let type_is_objects = field("resources.type")
                .is_some_and(|f| f.only_equals() && f.equals() == ["AWS::S3::Object"]);
            let direction = match field("readOnly") {
                None => true,
                Some(f) => f.only_equals() && f.equals() == [wanted_read_only],
            };
            let every_bucket = match field("resources.ARN") {
                None => true,
                Some(f) => {
                    let starts = strings(f.selector, "starts_with");
                    f.equals().is_empty()
                        && [
                            "ends_with",
                            "not_equals",
                            "not_starts_with",
                            "not_ends_with",
                        ]
                        .iter()
                        .all(|k| strings(f.selector, k).is_empty())
                        && starts.iter().any(|s| is_every_bucket(s))
                }
            };
            let nothing_else = fields.iter().all(|f| {
                matches!(
                    f.name,
                    "eventCategory" | "resources.type" | "readOnly" | "resources.ARN"
                )
            });
            category == ["Data"] && type_is_objects && direction && every_bucket && nothing_else
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn basic(selectors: Json, what: Records) -> bool {
        records(Some(&selectors), None, what)
    }

    fn advanced(selectors: Json, what: Records) -> bool {
        records(None, Some(&selectors), what)
    }

    #[test]
    fn management_events_from_any_basic_selector_not_just_the_first() {
        let selectors = json!([
            {"read_write_type": "WriteOnly", "include_management_events": true, "data_resources": []},
            {"read_write_type": "All", "include_management_events": true, "data_resources": []},
        ]);
        assert!(basic(selectors, Records::AllManagementEvents));
        let writes_only =
            json!([{"read_write_type": "WriteOnly", "include_management_events": true}]);
        assert!(!basic(writes_only, Records::AllManagementEvents));
        let excluded = json!([{"read_write_type": "All", "include_management_events": false}]);
        assert!(!basic(excluded, Records::AllManagementEvents));
    }

    #[test]
    fn management_events_from_an_advanced_selector_without_read_only() {
        let all = json!([{"name": "m", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]}]);
        assert!(advanced(all, Records::AllManagementEvents));
        let reads = json!([{"name": "m", "field_selectors": [
            {"field": "eventCategory", "equals": ["Management"]},
            {"field": "readOnly", "equals": ["true"]},
        ]}]);
        assert!(!advanced(reads, Records::AllManagementEvents));
        let data = json!([{"name": "d", "field_selectors": [{"field": "eventCategory", "equals": ["Data"]}]}]);
        assert!(!advanced(data, Records::AllManagementEvents));
    }

    #[test]
    fn s3_objects_are_judged_per_selector_on_its_own_direction_and_buckets() {
        // One selector logs writes of one bucket, another reads of all: neither logs the
        // writes of every bucket, though together their words would.
        let split = json!([
            {"read_write_type": "WriteOnly", "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::one-bucket/"]}]},
            {"read_write_type": "ReadOnly", "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]},
        ]);
        assert!(!basic(split.clone(), Records::S3ObjectWrites));
        assert!(basic(split, Records::S3ObjectReads));
        let all = json!([{"read_write_type": "All", "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::"]}]}]);
        assert!(basic(all.clone(), Records::S3ObjectWrites) && basic(all, Records::S3ObjectReads));
        let lambda = json!([{"read_write_type": "All", "data_resources": [{"type": "AWS::Lambda::Function", "values": ["arn:aws:lambda"]}]}]);
        assert!(!basic(lambda, Records::S3ObjectWrites));
    }

    #[test]
    fn advanced_s3_selectors_honour_read_only_and_narrowing_fields() {
        let selector = |extra: Json| {
            let mut fields = vec![
                json!({"field": "eventCategory", "equals": ["Data"]}),
                json!({"field": "resources.type", "equals": ["AWS::S3::Object"]}),
            ];
            if !extra.is_null() {
                fields.push(extra);
            }
            json!([{"name": "s3", "field_selectors": fields}])
        };
        let all = selector(Json::Null);
        assert!(
            advanced(all.clone(), Records::S3ObjectWrites) && advanced(all, Records::S3ObjectReads)
        );
        let reads = selector(json!({"field": "readOnly", "equals": ["true"]}));
        assert!(advanced(reads.clone(), Records::S3ObjectReads));
        assert!(!advanced(reads, Records::S3ObjectWrites));
        let one_bucket = selector(
            json!({"field": "resources.ARN", "starts_with": ["arn:aws:s3:::one-bucket/"]}),
        );
        assert!(!advanced(one_bucket, Records::S3ObjectWrites));
        let every_bucket =
            selector(json!({"field": "resources.ARN", "starts_with": ["arn:aws:s3:::"]}));
        assert!(advanced(every_bucket, Records::S3ObjectWrites));
        let some_events = selector(json!({"field": "eventName", "equals": ["PutObject"]}));
        assert!(!advanced(some_events, Records::S3ObjectWrites));
    }

    #[test]
    fn every_bucket_in_any_partition() {
        assert!(is_every_bucket("arn:aws:s3"));
        assert!(is_every_bucket("arn:aws:s3:::"));
        assert!(is_every_bucket("arn:aws-us-gov:s3"));
        assert!(!is_every_bucket("arn:aws:s3:::bucket/"));
        assert!(!is_every_bucket("arn:aws:s3:::bucket"));
    }
}
