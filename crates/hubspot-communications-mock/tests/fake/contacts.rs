//! Contacts as lookups need them: HubSpot's calculated searchable phone properties kept
//! current by every write, `IN` search over them, batch read by `email` (any case), batch
//! create with trace ids.

use crate::common;

use common::send;

use hubspot_communications_mock::{Config, MockServer, ObjectType, RateLimit};
use serde_json::{Value, json};

const CONTACTS: &str = "/crm/v3/objects/contacts";
const SEARCHABLE: &str = "hs_searchable_calculated_phone_number";
const SEARCHABLE_MOBILE: &str = "hs_searchable_calculated_mobile_number";

async fn post(server: &MockServer, path: &str, body: Value) -> (u16, Value) {
    send(server, reqwest::Method::POST, path, Some(body)).await
}

/// The ids a contact search for these national numbers finds, ascending.
async fn search_phones(server: &MockServer, path: &str, numbers: &[&str]) -> Vec<String> {
    let body = json!({
        "filterGroups": [
            {"filters": [{"propertyName": SEARCHABLE, "operator": "IN", "values": numbers}]},
            {"filters": [{"propertyName": SEARCHABLE_MOBILE, "operator": "IN", "values": numbers}]},
        ],
        "properties": ["phone", "mobilephone"],
        "limit": 200,
    });
    let (status, answer) = post(server, &format!("{path}/search"), body).await;
    assert_eq!(status, 200, "{answer}");
    let mut ids: Vec<String> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn every_write_keeps_the_searchable_phone_properties_current() {
    let server = MockServer::start().await.unwrap();
    let id = server.seed_record(ObjectType::Contact, &[("phone", "+44 7911 123456")]);
    let stored = server.record(ObjectType::Contact, &id).unwrap();
    assert_eq!(stored[SEARCHABLE], "7911123456");

    // An update of the source recalculates; a write of the calculated one is ignored.
    let (status, body) = send(
        &server,
        reqwest::Method::PATCH,
        &format!("{CONTACTS}/{id}"),
        Some(json!({"properties": {"phone": "(415) 555-0123", "mobilephone": "call me at 5-55", SEARCHABLE: "1"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stored = server.record(ObjectType::Contact, &id).unwrap();
    assert_eq!(stored[SEARCHABLE], "4155550123");
    // Not a number: the fake keeps the digits.
    assert_eq!(stored[SEARCHABLE_MOBILE], "555");

    // Clearing the source clears the copy.
    send(
        &server,
        reqwest::Method::PATCH,
        &format!("{CONTACTS}/{id}"),
        Some(json!({"properties": {"phone": ""}})),
    )
    .await;
    let stored = server.record(ObjectType::Contact, &id).unwrap();
    assert!(!stored.contains_key(SEARCHABLE), "{stored:?}");

    // A batch create calculates too.
    let (status, body) = post(
        &server,
        &format!("{CONTACTS}/batch/create"),
        json!({"inputs": [{"properties": {"mobilephone": "001 415 555 0199"}, "objectWriteTraceId": "7"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["results"][0]["objectWriteTraceId"], "7");
    let created = body["results"][0]["id"].as_str().unwrap();
    let stored = server.record(ObjectType::Contact, created).unwrap();
    assert_eq!(stored[SEARCHABLE_MOBILE], "4155550199");
}

#[tokio::test]
async fn national_numbers_are_read_in_the_accounts_region() {
    let server = MockServer::start_with(Config::default().phone_region("GB"))
        .await
        .unwrap();
    let id = server.seed_record(ObjectType::Contact, &[("phone", "07911 123456")]);
    let stored = server.record(ObjectType::Contact, &id).unwrap();
    assert_eq!(stored[SEARCHABLE], "7911123456");
}

#[tokio::test]
async fn in_searches_the_calculated_properties_on_every_path_family() {
    // More searches than HubSpot's 5 a second.
    let config =
        Config::default().search_rate_limit(RateLimit::new(100, std::time::Duration::from_secs(1)));
    let server = MockServer::start_with(config).await.unwrap();
    let uk = server.seed_record(ObjectType::Contact, &[("phone", "+44 7911 123456")]);
    let us = server.seed_record(ObjectType::Contact, &[("mobilephone", "(415) 555-0123")]);
    let _other = server.seed_record(ObjectType::Contact, &[("phone", "+1 212 555 0100")]);
    server.seed_messages(3);
    let mut both = vec![uk.clone(), us.clone()];
    both.sort();
    for path in [
        CONTACTS,
        "/crm/objects/2026-09/contacts",
        "/crm/objects/2026-03/0-1",
    ] {
        assert_eq!(
            search_phones(&server, path, &["7911123456", "4155550123", "999"]).await,
            both,
            "{path}"
        );
    }
    assert_eq!(
        search_phones(&server, CONTACTS, &["7911123456"]).await,
        std::slice::from_ref(&uk)
    );
    // Values sent as JSON numbers compare as the text they are.
    let (status, body) = post(
        &server,
        &format!("{CONTACTS}/search"),
        json!({"filterGroups": [{"filters": [
            {"propertyName": SEARCHABLE, "operator": "IN", "values": [7911123456_u64, 1]}
        ]}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["id"], uk.as_str(), "{body}");
    assert_eq!(body["total"], 1);
    // Messages are searched apart: no contact among them, and the contact route finds no message.
    let (status, body) = post(
        &server,
        "/crm/v3/objects/communications/search",
        json!({"filterGroups": [{"filters": [{"propertyName": SEARCHABLE, "operator": "HAS_PROPERTY"}]}]}),
    )
    .await;
    assert_eq!((status, body["total"].as_u64()), (200, Some(0)), "{body}");
}

#[tokio::test]
async fn batch_read_by_email_ignores_case_and_names_the_missing() {
    let server = MockServer::start().await.unwrap();
    let linda = server.seed_contact("Linda@Example.com");
    assert_eq!(
        server.record(ObjectType::Contact, &linda).unwrap()["email"],
        "linda@example.com"
    );
    let (status, body) = post(
        &server,
        &format!("{CONTACTS}/batch/read"),
        json!({"idProperty": "email", "properties": ["email"],
               "inputs": [{"id": "LINDA@example.COM"}, {"id": "nobody@example.com"}]}),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"][0]["id"], linda.as_str());
    assert_eq!(
        body["results"][0]["properties"]["email"],
        "linda@example.com"
    );
    assert_eq!(body["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert_eq!(
        body["errors"][0]["context"]["ids"],
        json!(["nobody@example.com"])
    );

    // Only unique properties identify contacts.
    let (status, body) = post(
        &server,
        &format!("{CONTACTS}/batch/read"),
        json!({"idProperty": "phone", "inputs": [{"id": "1"}]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn batch_create_refuses_a_taken_email_per_item() {
    let server = MockServer::start().await.unwrap();
    let linda = server.seed_contact("linda@example.com");
    let (status, body) = post(
        &server,
        &format!("{CONTACTS}/batch/create"),
        json!({"inputs": [
            {"properties": {"email": "LINDA@example.com"}, "objectWriteTraceId": "0"},
            {"properties": {"phone": "+14155550123"}, "objectWriteTraceId": "1"},
            {"properties": {"nope": "x"}, "objectWriteTraceId": "2"},
        ]}),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["results"][0]["objectWriteTraceId"], "1");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors[0]["category"], "CONFLICT");
    assert_eq!(
        errors[0]["message"],
        format!("Contact already exists. Existing ID: {linda}")
    );
    assert_eq!(errors[0]["context"]["objectWriteTraceId"], json!(["0"]));
    assert_eq!(errors[1]["context"]["objectWriteTraceId"], json!(["2"]));
}
