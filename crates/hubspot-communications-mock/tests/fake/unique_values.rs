//! A write that would give a unique property a value another live object of the same type
//! holds is refused, as HubSpot refuses it: 409 `CONFLICT` for a single write, a per-item
//! `CONFLICT` error for a batch input. Upserts update the holder; archived objects hold nothing.

use crate::common;

use common::send;

use hubspot_communications_mock::{Config, MockServer, PropertyDefinition, PropertyOwner};
use serde_json::{Value, json};

const MESSAGES: &str = "/crm/v3/objects/communications";
const CONTACTS: &str = "/crm/v3/objects/contacts";

async fn post(server: &MockServer, path: &str, body: Value) -> (u16, Value) {
    send(server, reqwest::Method::POST, path, Some(body)).await
}

async fn patch(server: &MockServer, path: &str, body: Value) -> (u16, Value) {
    send(server, reqwest::Method::PATCH, path, Some(body)).await
}

async fn delete(server: &MockServer, path: &str) -> u16 {
    send(server, reqwest::Method::DELETE, path, None).await.0
}

fn sms(ext: &str) -> Value {
    json!({"properties": {
        "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
        "hs_communication_body": format!("message {ext}"), "ext": ext
    }})
}

async fn server() -> MockServer {
    let config = Config::default().property(
        PropertyOwner::Communication,
        PropertyDefinition::string("ext").unique(),
    );
    MockServer::start_with(config).await.unwrap()
}

async fn created(server: &MockServer, path: &str, body: Value) -> String {
    let (status, body) = post(server, path, body).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn assert_conflict(status: u16, body: &Value, object: &str, existing: &str) {
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["status"], "error");
    assert_eq!(body["category"], "CONFLICT");
    assert_eq!(
        body["message"],
        format!("{object} already exists. Existing ID: {existing}")
    );
    assert!(body["correlationId"].is_string(), "{body}");
}

#[tokio::test]
async fn a_message_cannot_take_a_unique_value_another_holds() {
    let server = server().await;
    let first = created(&server, MESSAGES, sms("a")).await;
    let (status, body) = post(&server, MESSAGES, sms("a")).await;
    assert_conflict(status, &body, "Communication", &first);
    assert_eq!(server.message_count(), 1);
}

#[tokio::test]
async fn a_contact_cannot_take_an_email_another_holds() {
    let server = server().await;
    let seeded = server.seed_contact("linda@example.com");
    let (status, body) = post(
        &server,
        CONTACTS,
        json!({"properties": {"email": "linda@example.com"}}),
    )
    .await;
    assert_conflict(status, &body, "Contact", &seeded);
    let other = created(
        &server,
        CONTACTS,
        json!({"properties": {"email": "maria@example.com"}}),
    )
    .await;
    let (status, body) = patch(
        &server,
        &format!("{CONTACTS}/{other}"),
        json!({"properties": {"email": "linda@example.com"}}),
    )
    .await;
    assert_conflict(status, &body, "Contact", &seeded);
    // Writing its own value again is no conflict.
    let (status, body) = patch(
        &server,
        &format!("{CONTACTS}/{other}"),
        json!({"properties": {"email": "maria@example.com", "firstname": "Maria"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_update_cannot_take_a_unique_value_another_holds() {
    let server = server().await;
    let a = created(&server, MESSAGES, sms("a")).await;
    let b = created(&server, MESSAGES, sms("b")).await;
    let (status, body) = patch(
        &server,
        &format!("{MESSAGES}/{b}"),
        json!({"properties": {"ext": "a"}}),
    )
    .await;
    assert_conflict(status, &body, "Communication", &a);
    let stored = server.message(&b).unwrap();
    assert_eq!(stored["properties"]["ext"], "b");
    // Its own value, and a free one, are fine; the freed value can then be taken.
    for ext in ["b", "c"] {
        let (status, body) = patch(
            &server,
            &format!("{MESSAGES}/{b}"),
            json!({"properties": {"ext": ext}}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    created(&server, MESSAGES, sms("b")).await;
}

#[tokio::test]
async fn a_batch_refuses_only_the_conflicting_input() {
    let server = server().await;
    let a = created(&server, MESSAGES, sms("a")).await;
    // Without trace ids HubSpot refuses the whole batch with the conflict (409).
    let (status, body) = post(
        &server,
        &format!("{MESSAGES}/batch/create"),
        json!({"inputs": [sms("c"), sms("a"), sms("d")]}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["category"], "CONFLICT");
    assert_eq!(server.message_count(), 1);
    let traced: Vec<Value> = [sms("c"), sms("a"), sms("d")]
        .into_iter()
        .enumerate()
        .map(|(trace, mut input)| {
            input["objectWriteTraceId"] = json!(trace.to_string());
            input
        })
        .collect();
    let (status, body) = post(
        &server,
        &format!("{MESSAGES}/batch/create"),
        json!({ "inputs": traced }),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(body["numErrors"], 1);
    let error = &body["errors"][0];
    assert_eq!(error["category"], "CONFLICT");
    assert_eq!(error["context"]["propertyName"], json!(["ext"]));
    assert_eq!(
        error["message"],
        format!("Communication already exists. Existing ID: {a}")
    );
    assert_eq!(server.message_count(), 3);

    let c = body["results"][0]["id"].as_str().unwrap().to_owned();
    let d = body["results"][1]["id"].as_str().unwrap().to_owned();
    let (status, body) = post(
        &server,
        &format!("{MESSAGES}/batch/update"),
        json!({"inputs": [
            {"id": c, "properties": {"ext": "a"}},
            {"id": d, "properties": {"ext": "e"}},
        ]}),
    )
    .await;
    assert_eq!(status, 207, "{body}");
    assert_eq!(body["results"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["errors"][0]["category"], "CONFLICT");
    assert_eq!(body["errors"][0]["context"]["ids"], json!([c]));
    assert_eq!(body["errors"][0]["context"]["propertyName"], json!(["ext"]));
    assert_eq!(server.message(&c).unwrap()["properties"]["ext"], "c");
    assert_eq!(server.message(&d).unwrap()["properties"]["ext"], "e");
}

#[tokio::test]
async fn an_upsert_updates_the_holder_of_the_value() {
    let server = server().await;
    let a = created(&server, MESSAGES, sms("a")).await;
    let (status, body) = post(
        &server,
        &format!("{MESSAGES}/batch/upsert"),
        json!({"inputs": [
            {"id": "a", "idProperty": "ext", "properties": {"hs_communication_body": "again"}},
            {"id": "z", "idProperty": "ext", "properties": {
                "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM"
            }},
        ]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["id"], a.as_str());
    assert_eq!(body["results"][0]["new"], false);
    assert_eq!(body["results"][1]["new"], true);
    assert_eq!(
        server.message(&a).unwrap()["properties"]["hs_communication_body"],
        "again"
    );
    assert_eq!(server.message_count(), 2);
}

#[tokio::test]
async fn archived_objects_hold_no_values() {
    let server = server().await;
    let a = created(&server, MESSAGES, sms("a")).await;
    assert_eq!(delete(&server, &format!("{MESSAGES}/{a}")).await, 204);
    let again = created(&server, MESSAGES, sms("a")).await;
    // The live one holds it now.
    let (status, body) = post(&server, MESSAGES, sms("a")).await;
    assert_conflict(status, &body, "Communication", &again);

    let contact = server.seed_contact("linda@example.com");
    assert_eq!(delete(&server, &format!("{CONTACTS}/{contact}")).await, 204);
    created(
        &server,
        CONTACTS,
        json!({"properties": {"email": "linda@example.com"}}),
    )
    .await;
}
