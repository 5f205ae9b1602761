//! One CloudTrail record as serde reads it: borrowed from the file's text, so a field that
//! holds no escapes costs no allocation, and lenient, so a field of an unexpected JSON type
//! becomes NULL (or its JSON text) instead of failing the record.
//!
//! Free-form fields (`requestParameters`, ...) and unknown top-level fields are kept as the
//! exact bytes the record held (`&RawValue`).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A string field. Other scalars become their text; an object or array its JSON text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl Text<'_> {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

// `'de: 'a` rather than one lifetime: derived structs holding a `Text<'a>` ask for that.
impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let value = serde_json::Value::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Text(Some(Cow::Owned(value.to_string()))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let value = serde_json::Value::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(Text(Some(Cow::Owned(value.to_string()))))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A boolean field: `true`/`false` or their strings (CloudTrail writes both); anything else
/// is NULL.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Flag(pub Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(Some(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Flag, E> {
                Ok(Flag(if v.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if v.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                }))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_unit<E>(self) -> Result<Flag, E> {
                Ok(Flag(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Flag, A::Error> {
                IgnoredAny::deserialize(MapAccessDeserializer::new(map))?;
                Ok(Flag(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Flag, A::Error> {
                IgnoredAny::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(Flag(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An object field: `None` when the value is null or not an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

/// A list field: `None` when the value is null or not an array.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

/// Visits any JSON value; `on_map`/`on_seq` say what a map or a sequence becomes, every
/// other value becomes `None`.
struct Lenient<T, const MAP: bool>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const MAP: bool> Visitor<'de> for Lenient<T, MAP> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if MAP { "an object" } else { "an array" })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let d = MapAccessDeserializer::new(map);
        if MAP {
            T::deserialize(d).map(Some)
        } else {
            IgnoredAny::deserialize(d).map(|_| None)
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let d = SeqAccessDeserializer::new(seq);
        if MAP {
            IgnoredAny::deserialize(d).map(|_| None)
        } else {
            T::deserialize(d).map(Some)
        }
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Lenient::<T, true>(PhantomData)).map(Obj)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Lenient::<Vec<T>, false>(PhantomData))
            .map(List)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub user_name: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Attributes<'a> {
    #[serde(borrow)]
    pub creation_date: Text<'a>,
    pub mfa_authenticated: Flag,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Obj<SessionIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Obj<Attributes<'a>>,
    #[serde(borrow)]
    pub source_identity: Text<'a>,
    #[serde(borrow)]
    pub ec2_role_delivery: Text<'a>,
    #[serde(borrow)]
    pub web_id_federation_data: Option<&'a RawValue>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OnBehalfOf<'a> {
    #[serde(borrow)]
    pub user_id: Text<'a>,
    #[serde(borrow)]
    pub identity_store_arn: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub access_key_id: Text<'a>,
    #[serde(borrow)]
    pub user_name: Text<'a>,
    #[serde(borrow)]
    pub invoked_by: Text<'a>,
    #[serde(borrow)]
    pub identity_provider: Text<'a>,
    #[serde(borrow)]
    pub credential_id: Text<'a>,
    #[serde(borrow)]
    pub session_context: Obj<SessionContext<'a>>,
    #[serde(borrow)]
    pub on_behalf_of: Obj<OnBehalfOf<'a>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Resource<'a> {
    #[serde(borrow, rename = "ARN")]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TlsDetails<'a> {
    #[serde(borrow)]
    pub tls_version: Text<'a>,
    #[serde(borrow)]
    pub cipher_suite: Text<'a>,
    #[serde(borrow)]
    pub client_provided_host_header: Text<'a>,
}

/// A top-level record. Its deserializer is written by hand so unknown fields can be kept.
#[derive(Debug, Default)]
pub struct Record<'a> {
    pub event_version: Text<'a>,
    pub user_identity: Obj<UserIdentity<'a>>,
    pub event_time: Text<'a>,
    pub event_source: Text<'a>,
    pub event_name: Text<'a>,
    pub aws_region: Text<'a>,
    pub source_ip_address: Text<'a>,
    pub user_agent: Text<'a>,
    pub error_code: Text<'a>,
    pub error_message: Text<'a>,
    pub request_parameters: Option<&'a RawValue>,
    pub response_elements: Option<&'a RawValue>,
    pub additional_event_data: Option<&'a RawValue>,
    pub request_id: Text<'a>,
    pub event_id: Text<'a>,
    pub read_only: Flag,
    pub resources: List<Obj<Resource<'a>>>,
    pub event_type: Text<'a>,
    pub api_version: Text<'a>,
    pub management_event: Flag,
    pub recipient_account_id: Text<'a>,
    pub shared_event_id: Text<'a>,
    pub service_event_details: Option<&'a RawValue>,
    pub vpc_endpoint_id: Text<'a>,
    pub vpc_endpoint_account_id: Text<'a>,
    pub event_category: Text<'a>,
    pub tls_details: Obj<TlsDetails<'a>>,
    pub session_credential_from_console: Flag,
    pub edge_device_details: Option<&'a RawValue>,
    pub insight_details: Option<&'a RawValue>,
    /// Fields this version does not know, in record order, as (name, exact JSON text).
    pub extra: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// One element of a records array: a record, or something that is not a JSON object.
#[derive(Debug)]
pub enum Entry<'a> {
    Record(Box<Record<'a>>),
    NotAnObject,
}

/// A field name, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// JSON `null` in a free-form field is a SQL NULL, as an absent field is.
fn raw_or_null(raw: &RawValue) -> Option<&RawValue> {
    (raw.get() != "null").then_some(raw)
}

impl<'de> Deserialize<'de> for Entry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a CloudTrail record")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry<'de>, A::Error> {
                let mut r = Record::default();
                while let Some(Key(key)) = map.next_key()? {
                    match key.as_ref() {
                        "eventVersion" => r.event_version = map.next_value()?,
                        "userIdentity" => r.user_identity = map.next_value()?,
                        "eventTime" => r.event_time = map.next_value()?,
                        "eventSource" => r.event_source = map.next_value()?,
                        "eventName" => r.event_name = map.next_value()?,
                        "awsRegion" => r.aws_region = map.next_value()?,
                        "sourceIPAddress" => r.source_ip_address = map.next_value()?,
                        "userAgent" => r.user_agent = map.next_value()?,
                        "errorCode" => r.error_code = map.next_value()?,
                        "errorMessage" => r.error_message = map.next_value()?,
                        "requestParameters" => {
                            r.request_parameters = raw_or_null(map.next_value()?)
                        }
                        "responseElements" => r.response_elements = raw_or_null(map.next_value()?),
                        "additionalEventData" => {
                            r.additional_event_data = raw_or_null(map.next_value()?)
                        }
                        "requestID" => r.request_id = map.next_value()?,
                        "eventID" => r.event_id = map.next_value()?,
                        "readOnly" => r.read_only = map.next_value()?,
                        "resources" => r.resources = map.next_value()?,
                        "eventType" => r.event_type = map.next_value()?,
                        "apiVersion" => r.api_version = map.next_value()?,
                        "managementEvent" => r.management_event = map.next_value()?,
                        "recipientAccountId" => r.recipient_account_id = map.next_value()?,
                        "sharedEventID" => r.shared_event_id = map.next_value()?,
                        "serviceEventDetails" => {
                            r.service_event_details = raw_or_null(map.next_value()?)
                        }
                        "vpcEndpointId" => r.vpc_endpoint_id = map.next_value()?,
                        "vpcEndpointAccountId" => r.vpc_endpoint_account_id = map.next_value()?,
                        "eventCategory" => r.event_category = map.next_value()?,
                        "tlsDetails" => r.tls_details = map.next_value()?,
                        "sessionCredentialFromConsole" => {
                            r.session_credential_from_console = map.next_value()?
                        }
                        "edgeDeviceDetails" => {
                            r.edge_device_details = raw_or_null(map.next_value()?)
                        }
                        "insightDetails" => r.insight_details = raw_or_null(map.next_value()?),
                        _ => {
                            let value = map.next_value()?;
                            r.extra.push((key, value));
                        }
                    }
                }
                Ok(Entry::Record(Box::new(r)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Entry<'de>, A::Error> {
                IgnoredAny::deserialize(SeqAccessDeserializer::new(seq))?;
                Ok(Entry::NotAnObject)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
            fn visit_unit<E>(self) -> Result<Entry<'de>, E> {
                Ok(Entry::NotAnObject)
            }
        }
        d.deserialize_any(V)
    }
}

/// The JSON text of the unknown fields, as one object; `None` when there are none.
pub fn extra_json(extra: &[(Cow<'_, str>, &RawValue)]) -> Option<String> {
    if extra.is_empty() {
        return None;
    }
    let mut out = String::from("{");
    for (i, (key, value)) in extra.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key.as_ref()).expect("a string serializes"));
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    Some(out)
}
