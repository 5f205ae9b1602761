//! The Account Management API, once per account: the primary contact (GetContactInformation)
//! and the alternate contacts (security, billing, operations) AWS writes to about the account
//! (GetAlternateContact), sent as signed REST calls (aws::signed).

use futures::future::BoxFuture;
use serde_json::{json, Value};

use super::{Collector, Scope, Sink, Target};
use crate::aws::signed::{json_text, rest_json_post};
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

pub static ACCOUNT_CONTACT_INFORMATION: TableDef = TableDef {
    name: "account_contact_information",
    key: &["account_id"],
    doc: "The primary contact of each account (GetContactInformation); an account without a row has none.",
    columns: &[
        col("account_id", Text, "Account"),
        col("full_name", Text, "Name of the primary contact"),
        col("company_name", Text, "Company"),
        col("phone_number", Text, "Phone number"),
        col("address_line_1", Text, "First line of the address"),
        col("city", Text, "City"),
        col("state_or_region", Text, "State or region"),
        col("postal_code", Text, "Postal code"),
        col("country_code", Text, "ISO country code"),
        col("website_url", Text, "Website"),
    ],
};

static TABLES: &[&TableDef] = &[&ACCOUNT_CONTACT_INFORMATION, &ACCOUNT_ALTERNATE_CONTACTS];

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
    collect_contact_information(target, sink).await;
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
        let text = |k: &str| json_text(&contact, k);
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

async fn collect_contact_information(target: &Target, sink: &mut Sink) {
    let answer = rest_json_post(
        &target.sdk,
        &target.calls,
        "account",
        "account",
        &target.region,
        "/getContactInformation",
        &json!({}),
    )
    .await;
    let contact = match answer {
        Ok(v) => v.get("ContactInformation").cloned().unwrap_or(Value::Null),
        Err(e) if e.code == "ResourceNotFoundException" => return,
        Err(info) => return sink.record_error("GetContactInformation", None, None, info),
    };
    let text = |k: &str| json_text(&contact, k);
    sink.table(&ACCOUNT_CONTACT_INFORMATION)
        .row()
        .set("account_id", &target.account_id)
        .set("full_name", text("FullName"))
        .set("company_name", text("CompanyName"))
        .set("phone_number", text("PhoneNumber"))
        .set("address_line_1", text("AddressLine1"))
        .set("city", text("City"))
        .set("state_or_region", text("StateOrRegion"))
        .set("postal_code", text("PostalCode"))
        .set("country_code", text("CountryCode"))
        .set("website_url", text("WebsiteUrl"));
}
