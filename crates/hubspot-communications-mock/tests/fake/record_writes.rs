//! CRM records written in batches (update, upsert), contacts' e-mail addresses unique whatever
//! their case, the international searchable phone properties, and HubSpot's limit on a text
//! value's length.

use crate::common::send;

use std::time::Duration;

use hubspot_communications_mock::{Config, MAX_TEXT_PROPERTY_CHARS, MockServer, ObjectType};
use reqwest::Method;
use serde_json::{Value, json};

async fn fake() -> MockServer {
    MockServer::start().await.expect("the fake starts")
}

/// A fake whose search shows every write at once (HubSpot's lags seconds behind).
async fn instant_search() -> MockServer {
    MockServer::start_with(Config::default().search_lag(Duration::ZERO))
        .await
        .expect("the fake starts")
}

fn ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn records_are_updated_in_batches_by_id_or_by_a_unique_property() {
    let fake = fake().await;
    let linda = fake.seed_record(ObjectType::Contact, &[("email", "linda@example.com")]);
    let sam = fake.seed_record(ObjectType::Contact, &[("email", "sam@example.com")]);
    for base in ["/crm/v3/objects/contacts", "/crm/objects/2026-09/contacts"] {
        let body = json!({"inputs": [
            {"id": linda, "properties": {"firstname": "Linda"}},
            {"id": "SAM@Example.com", "idProperty": "email", "properties": {"firstname": "Sam"}},
            {"id": "999999", "properties": {"firstname": "Nobody"}},
        ]});
        let (status, answer) = send(
            &fake,
            Method::POST,
            &format!("{base}/batch/update"),
            Some(body),
        )
        .await;
        assert_eq!(status, 207, "{answer}");
        let mut updated = ids(&answer);
        updated.sort();
        let mut expected = vec![linda.clone(), sam.clone()];
        expected.sort();
        assert_eq!(updated, expected);
        assert_eq!(answer["errors"][0]["category"], "OBJECT_NOT_FOUND");
        assert_eq!(answer["errors"][0]["context"]["ids"], json!(["999999"]));
    }
    let records = fake.records(ObjectType::Contact);
    let firstname = |id: &str| {
        records
            .iter()
            .find(|(i, _)| i == id)
            .and_then(|(_, p)| p.get("firstname").cloned())
    };
    assert_eq!(firstname(&sam).as_deref(), Some("Sam"));

    // A change to another record's e-mail address, in any case, is a conflict; one record
    // named twice is refused whole.
    let taken = json!({"inputs": [{"id": linda, "properties": {"email": "Sam@EXAMPLE.com"}}]});
    let (status, answer) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/contacts/batch/update",
        Some(taken),
    )
    .await;
    assert_eq!(status, 207, "{answer}");
    assert_eq!(answer["errors"][0]["category"], "CONFLICT");
    let twice = json!({"inputs": [
        {"id": "linda@example.com", "idProperty": "email", "properties": {}},
        {"id": "LINDA@example.com", "idProperty": "email", "properties": {}},
    ]});
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/contacts/batch/update",
        Some(twice),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn records_are_upserted_by_a_unique_property() {
    let fake = fake().await;
    let path = "/crm/objects/2026-03/contacts/batch/upsert";
    let first = json!({"inputs": [
        {"id": "Linda@Example.com", "idProperty": "email", "properties": {"firstname": "Linda", "phone": "+1 415 555 0100"}},
    ]});
    let (status, created) = send(&fake, Method::POST, path, Some(first)).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["results"][0]["new"], true);
    assert_eq!(
        created["results"][0]["properties"]["email"], "linda@example.com",
        "kept as HubSpot keeps addresses"
    );
    let again = json!({"inputs": [
        {"id": "LINDA@example.com", "idProperty": "email", "properties": {"lastname": "Lovelace"}},
        {"id": "sam@example.com", "idProperty": "email", "properties": {}},
    ]});
    let (status, answer) = send(&fake, Method::POST, path, Some(again)).await;
    assert_eq!(status, 200, "{answer}");
    let news: Vec<bool> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["new"].as_bool().unwrap())
        .collect();
    assert_eq!(news, [false, true]);
    assert_eq!(answer["results"][0]["id"], created["results"][0]["id"]);
    assert_eq!(fake.records(ObjectType::Contact).len(), 2);

    // Not a unique property: refused whole; by hs_object_id, only records that exist.
    let (status, _) = send(
        &fake,
        Method::POST,
        path,
        Some(json!({"inputs": [{"id": "Linda", "idProperty": "firstname", "properties": {}}]})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, answer) = send(
        &fake,
        Method::POST,
        path,
        Some(json!({"inputs": [{"id": "424242", "properties": {"firstname": "X"}}]})),
    )
    .await;
    assert_eq!(status, 207, "{answer}");
    assert_eq!(answer["errors"][0]["category"], "OBJECT_NOT_FOUND");
}

#[tokio::test]
async fn e_mail_addresses_are_unique_whatever_their_case() {
    // Instant search: it searches what it has just written.
    let fake = instant_search().await;
    let path = "/crm/v3/objects/contacts";
    let (status, linda) = send(
        &fake,
        Method::POST,
        path,
        Some(json!({"properties": {"email": " Linda@Example.com "}})),
    )
    .await;
    assert_eq!(status, 201, "{linda}");
    let (status, answer) = send(
        &fake,
        Method::POST,
        path,
        Some(json!({"properties": {"email": "linda@EXAMPLE.COM"}})),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains(linda["id"].as_str().unwrap())
    );

    // Within one batch too (with HubSpot's trace ids, which make a batch create answer 207).
    let batch = json!({"inputs": [
        {"objectWriteTraceId": "1", "properties": {"email": "Sam@example.com"}},
        {"objectWriteTraceId": "2", "properties": {"email": "sam@Example.com"}},
    ]});
    let (status, answer) = send(
        &fake,
        Method::POST,
        &format!("{path}/batch/create"),
        Some(batch),
    )
    .await;
    assert_eq!(status, 207, "{answer}");
    assert_eq!(ids(&answer).len(), 1);
    assert_eq!(answer["errors"][0]["category"], "CONFLICT");

    // Found by any case, through a batch read and a search.
    let read = json!({"idProperty": "email", "inputs": [{"id": "LINDA@example.com"}], "properties": ["email"]});
    let (status, answer) = send(
        &fake,
        Method::POST,
        &format!("{path}/batch/read"),
        Some(read),
    )
    .await;
    assert_eq!(
        (status, ids(&answer)),
        (200, vec![linda["id"].as_str().unwrap().to_owned()])
    );
    let search = json!({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "LINDA@example.COM"}]}]});
    let (_, found) = send(&fake, Method::POST, &format!("{path}/search"), Some(search)).await;
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test]
async fn contacts_carry_hubspots_international_searchable_numbers() {
    let fake = fake().await;
    let id = fake.seed_record(
        ObjectType::Contact,
        &[
            ("phone", "+44 7911 123456"),
            ("mobilephone", "(415) 555-0123"),
        ],
    );
    let properties = "hs_searchable_calculated_international_phone_number,hs_searchable_calculated_international_mobile_number,hs_searchable_calculated_phone_number";
    let (status, contact) = send(
        &fake,
        Method::GET,
        &format!("/crm/v3/objects/contacts/{id}?properties={properties}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{contact}");
    let p = &contact["properties"];
    assert_eq!(
        p["hs_searchable_calculated_international_phone_number"],
        "447911123456"
    );
    assert_eq!(
        p["hs_searchable_calculated_international_mobile_number"],
        "14155550123"
    );
    assert_eq!(p["hs_searchable_calculated_phone_number"], "7911123456");

    // Read-only: a write is ignored, and the copy follows the number.
    let (status, _) = send(
        &fake,
        Method::PATCH,
        &format!("/crm/v3/objects/contacts/{id}"),
        Some(json!({"properties": {"phone": "not a number", "hs_searchable_calculated_international_phone_number": "1"}})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, contact) = send(
        &fake,
        Method::GET,
        &format!("/crm/v3/objects/contacts/{id}?properties={properties}"),
        None,
    )
    .await;
    assert_eq!(
        contact["properties"]["hs_searchable_calculated_international_phone_number"],
        Value::Null
    );
    let search = json!({"filterGroups": [{"filters": [{"propertyName": "hs_searchable_calculated_international_mobile_number", "operator": "IN", "values": ["14155550123"]}]}]});
    let (_, found) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/contacts/search",
        Some(search),
    )
    .await;
    assert_eq!(found["total"], 1, "{found}");
}

#[tokio::test]
async fn a_text_value_longer_than_hubspot_stores_is_refused() {
    let fake = fake().await;
    let message = |body: String| {
        json!({"properties": {"hs_communication_channel_type": "SMS",
            "hs_communication_logged_from": "CRM", "hs_communication_body": body}})
    };
    let path = "/crm/v3/objects/communications";
    // Counted in characters: 65,536 two-byte characters fit.
    let (status, _) = send(
        &fake,
        Method::POST,
        path,
        Some(message("é".repeat(MAX_TEXT_PROPERTY_CHARS))),
    )
    .await;
    assert_eq!(status, 201);
    let (status, answer) = send(
        &fake,
        Method::POST,
        path,
        Some(message("x".repeat(MAX_TEXT_PROPERTY_CHARS + 1))),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["errors"][0]["code"], "MAX_CHARACTERS_EXCEEDED");
    assert_eq!(answer["errors"][0]["in"], "hs_communication_body");
    assert!(
        answer["message"].as_str().unwrap().len() < 1_000,
        "the value is not echoed"
    );

    let mut inputs = [message("short".into()), message("y".repeat(200_000))];
    for (trace, input) in inputs.iter_mut().enumerate() {
        input["objectWriteTraceId"] = json!(trace.to_string());
    }
    let batch = json!({ "inputs": inputs });
    let (status, answer) = send(
        &fake,
        Method::POST,
        &format!("{path}/batch/create"),
        Some(batch),
    )
    .await;
    assert_eq!(status, 207, "{}", &answer.to_string()[..200]);
    assert_eq!(ids(&answer).len(), 1);
    assert_eq!(fake.message_count(), 2, "the long one was not stored");

    // Any text property of any object type; numbers and other types are not text.
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/contacts",
        Some(json!({"properties": {"firstname": "z".repeat(MAX_TEXT_PROPERTY_CHARS + 1)}})),
    )
    .await;
    assert_eq!(status, 400);
}
