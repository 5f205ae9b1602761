//! The Account Management API, once per account: the alternate contacts (security,
//! billing, operations) AWS writes to about the account (GetAlternateContact), sent as
//! signed REST calls (aws::signed).

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::rest_json_post;
use crate::store::{col, ColumnType::*, TableDef};

pub static ACCOUNT_ALTERNATE_CONTACTS: TableDef = TableDef {
    name: "account_alternate_contacts",
    key: &["account_id", "contact_type"],
    doc: "Alternate contacts of each account (GetAlternateContact); a type without a row has no contact.",
    columns: &[
        col("account_id", Text, "Account"),
        col("contact_type", Text, "SECURITY, BILLING or OPERATIONS"),
        col("name", Text, "Contact name"),
        col("title", Text, "Title"),
        col("email_address", Text, "Email address"),
        col("phone_number", Text, "Phone number"),
    ],
};

static TABLES: &[&TableDef] = &[&ACCOUNT_ALTERNATE_CONTACTS];

pub struct AccountCollector;

impl Collector for AccountCollector {
    fn service(&self) -> &'static str {
        "account"
    }
    fn scope(&self) -> Scope {
        Scope::Global
    }
    fn tables(&self) -> &'static [&'static TableDef] {
        TABLES
    }
    fn collect<'a>(&'a self, target: &'a Target, sink: &'a mut Sink) -> BoxFuture<'a, ()> {
        Box::pin(collect_contacts(target, sink))
    }
}

async fn collect_contacts(target: &Target, sink: &mut Sink) {
    for contact_type in ["SECURITY", "BILLING", "OPERATIONS"] {
        let answer = rest_json_post(
            &target.sdk,
            &target.calls,
            "account",
            "account",
            &target.region,
            "/getAlternateContact",
            &json!({"AlternateContactType": contact_type}),
        )
        .await;
        let contact = match answer {
            Ok(v) => v.get("AlternateContact").cloned().unwrap_or(Value::Null),
            // "No contact of this type": the answer, not a failure.
            Err(e) if e.code == "ResourceNotFoundException" => continue,
            Err(info) => {
                sink.record_error("GetAlternateContact", Some(contact_type), None, info);
                continue;
            }
        };
        let text = |k: &str| contact.get(k).and_then(Value::as_str).map(str::to_owned);
        sink.table(&ACCOUNT_ALTERNATE_CONTACTS)
            .row()
            .set("account_id", &target.account_id)
            .set("contact_type", contact_type)
            .set("name", text("Name"))
            .set("title", text("Title"))
            .set("email_address", text("EmailAddress"))
            .set("phone_number", text("PhoneNumber"));
    }
}
