//! The `cloudtrail_events` table: CloudTrail's record format in snake_case.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

fn structure(name: &str, fields: Vec<Field>) -> Field {
    Field::new(name, DataType::Struct(Fields::from(fields)), true)
}

/// The columns of the lake, in record order. `event_date` is not here: it is the Hive
/// partition (`event_date=YYYY-MM-DD`) taken from `eventTime`.
pub fn event_schema() -> SchemaRef {
    let session_issuer = structure(
        "session_issuer",
        vec![
            text("type"),
            text("principal_id"),
            text("arn"),
            text("account_id"),
            text("user_name"),
        ],
    );
    let attributes = structure(
        "attributes",
        vec![text("creation_date"), boolean("mfa_authenticated")],
    );
    let session_context = structure(
        "session_context",
        vec![
            session_issuer,
            attributes,
            text("source_identity"),
            text("ec2_role_delivery"),
            text("web_id_federation_data"),
        ],
    );
    let on_behalf_of = structure(
        "on_behalf_of",
        vec![text("user_id"), text("identity_store_arn")],
    );
    let user_identity = structure(
        "user_identity",
        vec![
            text("type"),
            text("principal_id"),
            text("arn"),
            text("account_id"),
            text("access_key_id"),
            text("user_name"),
            text("invoked_by"),
            text("identity_provider"),
            text("credential_id"),
            session_context,
            on_behalf_of,
        ],
    );
    let resource = Field::new(
        "item",
        DataType::Struct(Fields::from(vec![
            text("arn"),
            text("account_id"),
            text("type"),
        ])),
        true,
    );
    let tls = structure(
        "tls_details",
        vec![
            text("tls_version"),
            text("cipher_suite"),
            text("client_provided_host_header"),
        ],
    );
    Arc::new(Schema::new(vec![
        text("event_version"),
        user_identity,
        Field::new(
            "event_time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        text("event_source"),
        text("event_name"),
        text("aws_region"),
        text("source_ip_address"),
        text("user_agent"),
        text("error_code"),
        text("error_message"),
        text("request_parameters"),
        text("response_elements"),
        text("additional_event_data"),
        text("request_id"),
        Field::new("event_id", DataType::Utf8, false),
        boolean("read_only"),
        Field::new("resources", DataType::List(Arc::new(resource)), true),
        text("event_type"),
        text("api_version"),
        boolean("management_event"),
        text("recipient_account_id"),
        text("shared_event_id"),
        text("service_event_details"),
        text("vpc_endpoint_id"),
        text("vpc_endpoint_account_id"),
        text("event_category"),
        tls,
        boolean("session_credential_from_console"),
        text("edge_device_details"),
        text("insight_details"),
        text("extra"),
        text("source_file"),
    ]))
}
