//! Appends records straight into Arrow column builders, in the layout of
//! [`crate::schema::event_schema`]: no intermediate row values.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::builder::NullBufferBuilder;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, ListArray, RecordBatch, StringBuilder, StructArray,
    TimestampMicrosecondBuilder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Fields, SchemaRef};
use serde_json::value::RawValue;

use crate::record::{
    extra_json, Attributes, Obj, OnBehalfOf, Record, Resource, SessionContext, SessionIssuer, Text,
    TlsDetails, UserIdentity,
};

fn put(b: &mut StringBuilder, t: &Text) {
    b.append_option(t.as_deref());
}

fn put_raw(b: &mut StringBuilder, raw: Option<&RawValue>) {
    b.append_option(raw.map(RawValue::get));
}

fn finish(b: &mut StringBuilder) -> ArrayRef {
    Arc::new(b.finish())
}

/// The child fields of a struct column (or of a list of structs).
fn struct_fields(data_type: &DataType) -> Fields {
    match data_type {
        DataType::Struct(fields) => fields.clone(),
        DataType::List(item) => struct_fields(item.data_type()),
        other => unreachable!("the schema has a struct here, not {other}"),
    }
}

fn child(fields: &Fields, name: &str) -> DataType {
    fields
        .find(name)
        .unwrap_or_else(|| unreachable!("the schema has {name}"))
        .1
        .data_type()
        .clone()
}

/// Strings of a struct whose children are all text, plus the struct's own validity.
struct TextStruct<const N: usize> {
    valid: NullBufferBuilder,
    children: Vec<StringBuilder>,
}

impl<const N: usize> TextStruct<N> {
    fn new() -> Self {
        Self {
            valid: NullBufferBuilder::new(0),
            children: (0..N).map(|_| StringBuilder::new()).collect(),
        }
    }

    fn push(&mut self, values: Option<[&Text; N]>) {
        match values {
            Some(values) => {
                self.valid.append_non_null();
                for (b, v) in self.children.iter_mut().zip(values) {
                    put(b, v);
                }
            }
            None => {
                self.valid.append_null();
                for b in &mut self.children {
                    b.append_null();
                }
            }
        }
    }

    fn finish(&mut self, fields: Fields) -> StructArray {
        let arrays = self.children.iter_mut().map(finish).collect();
        let nulls = self.valid.finish();
        StructArray::new(fields, arrays, nulls)
    }
}

struct SessionContextColumns {
    valid: NullBufferBuilder,
    issuer: TextStruct<5>,
    attributes_valid: NullBufferBuilder,
    creation_date: StringBuilder,
    mfa_authenticated: BooleanBuilder,
    source_identity: StringBuilder,
    ec2_role_delivery: StringBuilder,
    web_id_federation_data: StringBuilder,
}

impl SessionContextColumns {
    fn new() -> Self {
        Self {
            valid: NullBufferBuilder::new(0),
            issuer: TextStruct::new(),
            attributes_valid: NullBufferBuilder::new(0),
            creation_date: StringBuilder::new(),
            mfa_authenticated: BooleanBuilder::new(),
            source_identity: StringBuilder::new(),
            ec2_role_delivery: StringBuilder::new(),
            web_id_federation_data: StringBuilder::new(),
        }
    }

    fn push(&mut self, sc: Option<&SessionContext>) {
        self.valid.append(sc.is_some());
        let none = SessionContext::default();
        let sc = sc.unwrap_or(&none);
        self.issuer
            .push(sc.session_issuer.0.as_ref().map(|i: &SessionIssuer| {
                [
                    &i.kind,
                    &i.principal_id,
                    &i.arn,
                    &i.account_id,
                    &i.user_name,
                ]
            }));
        let attributes: Option<&Attributes> = sc.attributes.0.as_ref();
        self.attributes_valid.append(attributes.is_some());
        put(
            &mut self.creation_date,
            attributes.map_or(&Text(None), |a| &a.creation_date),
        );
        self.mfa_authenticated
            .append_option(attributes.and_then(|a| a.mfa_authenticated.0));
        put(&mut self.source_identity, &sc.source_identity);
        put(&mut self.ec2_role_delivery, &sc.ec2_role_delivery);
        put_raw(&mut self.web_id_federation_data, sc.web_id_federation_data);
    }

    fn finish(&mut self, fields: Fields) -> StructArray {
        let attributes_fields = struct_fields(&child(&fields, "attributes"));
        let attributes = StructArray::new(
            attributes_fields,
            vec![
                finish(&mut self.creation_date),
                Arc::new(self.mfa_authenticated.finish()),
            ],
            self.attributes_valid.finish(),
        );
        let issuer = self
            .issuer
            .finish(struct_fields(&child(&fields, "session_issuer")));
        StructArray::new(
            fields,
            vec![
                Arc::new(issuer),
                Arc::new(attributes),
                finish(&mut self.source_identity),
                finish(&mut self.ec2_role_delivery),
                finish(&mut self.web_id_federation_data),
            ],
            self.valid.finish(),
        )
    }
}

struct UserIdentityColumns {
    valid: NullBufferBuilder,
    /// type, principal_id, arn, account_id, access_key_id, user_name, invoked_by,
    /// identity_provider, credential_id
    texts: TextStruct<9>,
    session_context: SessionContextColumns,
    on_behalf_of: TextStruct<2>,
}

impl UserIdentityColumns {
    fn push(&mut self, u: Option<&UserIdentity>) {
        self.valid.append(u.is_some());
        let none = UserIdentity::default();
        let u = u.unwrap_or(&none);
        // The struct's own validity is `valid`; TextStruct's is unused for these leaves.
        self.texts.push(Some([
            &u.kind,
            &u.principal_id,
            &u.arn,
            &u.account_id,
            &u.access_key_id,
            &u.user_name,
            &u.invoked_by,
            &u.identity_provider,
            &u.credential_id,
        ]));
        self.session_context.push(u.session_context.0.as_ref());
        self.on_behalf_of.push(
            u.on_behalf_of
                .0
                .as_ref()
                .map(|o: &OnBehalfOf| [&o.user_id, &o.identity_store_arn]),
        );
    }

    fn finish(&mut self, fields: Fields) -> StructArray {
        let mut arrays: Vec<ArrayRef> = self.texts.children.iter_mut().map(finish).collect();
        self.texts.valid.finish();
        let sc = self
            .session_context
            .finish(struct_fields(&child(&fields, "session_context")));
        let obo = self
            .on_behalf_of
            .finish(struct_fields(&child(&fields, "on_behalf_of")));
        arrays.push(Arc::new(sc));
        arrays.push(Arc::new(obo));
        StructArray::new(fields, arrays, self.valid.finish())
    }
}

struct ResourceColumns {
    valid: NullBufferBuilder,
    offsets: Vec<i32>,
    items: TextStruct<3>,
}

impl ResourceColumns {
    fn push(&mut self, list: Option<&Vec<Obj<Resource>>>) {
        self.valid.append(list.is_some());
        for item in list.into_iter().flatten() {
            self.items.push(
                item.0
                    .as_ref()
                    .map(|r: &Resource| [&r.arn, &r.account_id, &r.kind]),
            );
        }
        let end = self.offsets.last().copied().unwrap_or(0) + list.map_or(0, |l| l.len() as i32);
        self.offsets.push(end);
    }

    fn finish(&mut self, data_type: &DataType) -> ListArray {
        let DataType::List(item) = data_type else {
            unreachable!("resources is a list")
        };
        let items = self.items.finish(struct_fields(data_type));
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        ListArray::new(
            item.clone(),
            OffsetBuffer::new(offsets.into()),
            Arc::new(items),
            self.valid.finish(),
        )
    }
}

/// Why a record does not go into the table.
pub enum Skip {
    /// An Insights event: it has no place in this table.
    Insight,
    Rejected(String),
}

/// Builds one batch of `cloudtrail_events` rows, and the event date of each row.
pub struct EventColumns {
    schema: SchemaRef,
    source_file: String,
    /// Days since 1970-01-01 of each row's `eventTime` (UTC): its partition.
    pub days: Vec<i32>,
    event_version: StringBuilder,
    user_identity: UserIdentityColumns,
    event_time: TimestampMicrosecondBuilder,
    /// event_source, event_name, aws_region, source_ip_address, user_agent, error_code,
    /// error_message, request_parameters, response_elements, additional_event_data,
    /// request_id, event_id
    middle: [StringBuilder; 12],
    read_only: BooleanBuilder,
    resources: ResourceColumns,
    /// event_type, api_version
    types: [StringBuilder; 2],
    management_event: BooleanBuilder,
    /// recipient_account_id, shared_event_id, service_event_details, vpc_endpoint_id,
    /// vpc_endpoint_account_id, event_category
    later: [StringBuilder; 6],
    tls_details: TextStruct<3>,
    session_credential_from_console: BooleanBuilder,
    /// edge_device_details, insight_details, extra, source_file
    tail: [StringBuilder; 4],
}

impl EventColumns {
    pub fn new(schema: SchemaRef, source_file: &str) -> Self {
        Self {
            schema,
            source_file: source_file.to_owned(),
            days: Vec::new(),
            event_version: StringBuilder::new(),
            user_identity: UserIdentityColumns {
                valid: NullBufferBuilder::new(0),
                texts: TextStruct::new(),
                session_context: SessionContextColumns::new(),
                on_behalf_of: TextStruct::new(),
            },
            event_time: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            middle: std::array::from_fn(|_| StringBuilder::new()),
            read_only: BooleanBuilder::new(),
            resources: ResourceColumns {
                valid: NullBufferBuilder::new(0),
                offsets: vec![0],
                items: TextStruct::new(),
            },
            types: std::array::from_fn(|_| StringBuilder::new()),
            management_event: BooleanBuilder::new(),
            later: std::array::from_fn(|_| StringBuilder::new()),
            tls_details: TextStruct::new(),
            session_credential_from_console: BooleanBuilder::new(),
            tail: std::array::from_fn(|_| StringBuilder::new()),
        }
    }

    /// Appends a record, or says why it is not appended.
    pub fn push(&mut self, r: &Record) -> Result<(), Skip> {
        if r.event_type.as_deref() == Some("AwsCloudTrailInsight") {
            return Err(Skip::Insight);
        }
        let event_time = r
            .event_time
            .as_deref()
            .and_then(parse_event_time)
            .ok_or_else(|| Skip::Rejected("eventTime is missing or not an RFC 3339 time".into()))?;
        if r.event_id.as_deref().is_none_or(str::is_empty) {
            return Err(Skip::Rejected("eventID is missing".into()));
        }
        self.days
            .push(event_time.timestamp().div_euclid(86_400) as i32);
        put(&mut self.event_version, &r.event_version);
        self.user_identity.push(r.user_identity.0.as_ref());
        self.event_time.append_value(event_time.timestamp_micros());
        let [event_source, event_name, aws_region, source_ip, user_agent, error_code, error_message, request_parameters, response_elements, additional_event_data, request_id, event_id] =
            &mut self.middle;
        put(event_source, &r.event_source);
        put(event_name, &r.event_name);
        put(aws_region, &r.aws_region);
        put(source_ip, &r.source_ip_address);
        put(user_agent, &r.user_agent);
        put(error_code, &r.error_code);
        put(error_message, &r.error_message);
        put_raw(request_parameters, r.request_parameters);
        put_raw(response_elements, r.response_elements);
        put_raw(additional_event_data, r.additional_event_data);
        put(request_id, &r.request_id);
        put(event_id, &r.event_id);
        self.read_only.append_option(r.read_only.0);
        self.resources.push(r.resources.0.as_ref());
        put(&mut self.types[0], &r.event_type);
        put(&mut self.types[1], &r.api_version);
        self.management_event.append_option(r.management_event.0);
        let [recipient, shared, service_details, vpce, vpce_account, category] = &mut self.later;
        put(recipient, &r.recipient_account_id);
        put(shared, &r.shared_event_id);
        put_raw(service_details, r.service_event_details);
        put(vpce, &r.vpc_endpoint_id);
        put(vpce_account, &r.vpc_endpoint_account_id);
        put(category, &r.event_category);
        self.tls_details
            .push(r.tls_details.0.as_ref().map(|t: &TlsDetails| {
                [
                    &t.tls_version,
                    &t.cipher_suite,
                    &t.client_provided_host_header,
                ]
            }));
        self.session_credential_from_console
            .append_option(r.session_credential_from_console.0);
        let [edge, insight, extra, source] = &mut self.tail;
        put_raw(edge, r.edge_device_details);
        put_raw(insight, r.insight_details);
        extra.append_option(extra_json(&r.extra));
        source.append_value(&self.source_file);
        Ok(())
    }

    /// The rows appended so far as a batch, and their days; the builder is left empty.
    pub fn finish(&mut self) -> (RecordBatch, Vec<i32>) {
        let schema = self.schema.clone();
        let ty = |name: &str| {
            schema
                .field_with_name(name)
                .expect("the schema has it")
                .data_type()
                .clone()
        };
        let mut columns: Vec<ArrayRef> = vec![
            finish(&mut self.event_version),
            Arc::new(
                self.user_identity
                    .finish(struct_fields(&ty("user_identity"))),
            ),
            Arc::new(self.event_time.finish()),
        ];
        columns.extend(self.middle.iter_mut().map(finish));
        columns.push(Arc::new(self.read_only.finish()));
        columns.push(Arc::new(self.resources.finish(&ty("resources"))));
        columns.extend(self.types.iter_mut().map(finish));
        columns.push(Arc::new(self.management_event.finish()));
        columns.extend(self.later.iter_mut().map(finish));
        columns.push(Arc::new(
            self.tls_details.finish(struct_fields(&ty("tls_details"))),
        ));
        columns.push(Arc::new(self.session_credential_from_console.finish()));
        columns.extend(self.tail.iter_mut().map(finish));
        let batch = RecordBatch::try_new(schema, columns)
            .expect("columns are built in the schema's order and types");
        (batch, std::mem::take(&mut self.days))
    }
}

/// `eventTime` as UTC. CloudTrail writes `YYYY-MM-DDTHH:MM:SSZ`; any RFC 3339 time is taken.
fn parse_event_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
