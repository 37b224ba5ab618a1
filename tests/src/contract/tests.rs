//! The layer catches drift, on made-up exchanges and through a real fake.

use serde_json::json;

use super::*;

fn bytes(value: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

fn message() -> serde_json::Value {
    json!({
        "id": "12",
        "properties": { "hs_communication_body": "Hello", "hs_timestamp": null },
        "createdAt": "2026-01-02T03:04:05.678Z",
        "updatedAt": "2026-01-02T03:04:05.678Z",
        "archived": false,
    })
}

#[test]
fn requests_map_to_their_operations_in_every_version() {
    let contract = contract();
    let cases = [
        (
            "GET",
            "/crm/v3/objects/communications/12",
            Some("get_object"),
        ),
        ("GET", "/crm/objects/2026-09/0-18/12", Some("get_object")),
        (
            "POST",
            "/crm/objects/2026-03/communications/search",
            Some("search_objects"),
        ),
        (
            "POST",
            "/crm/v3/objects/communications/batch/read",
            Some("batch_read_objects"),
        ),
        (
            "POST",
            "/crm/v4/associations/communications/contacts/batch/read",
            Some("batch_read_associations"),
        ),
        (
            "PUT",
            "/crm/v4/objects/communications/1/associations/contacts/2",
            Some("create_association"),
        ),
        (
            "PUT",
            "/crm/v3/objects/communications/1/associations/contacts/2/194",
            Some("associate_communication"),
        ),
        // The properties family, keyed under its namespace in the document.
        (
            "GET",
            "/crm/v3/properties/communications",
            Some("list_properties"),
        ),
        (
            "POST",
            "/crm/properties/2026-09/communications",
            Some("create_property"),
        ),
        (
            "GET",
            "/crm/properties/2026-03/contacts/email",
            Some("get_property"),
        ),
        (
            "GET",
            "/crm/properties/2026-09/communications/groups",
            Some("list_property_groups"),
        ),
        (
            "POST",
            "/crm/v3/properties/contacts/batch/read",
            Some("batch_read_properties"),
        ),
        (
            "GET",
            "/crm/v3/objects/communications",
            Some("list_objects"),
        ),
        // v4's default association PUT, not the patch-added typed v3 path (which is put
        // under every base of v3, v4's objects base too, and is as literal).
        (
            "PUT",
            "/crm/v4/objects/communications/1/associations/default/deals/2",
            Some("create_default_association"),
        ),
        (
            "PUT",
            "/crm/v3/objects/communications/1/associations/deals/2/85",
            Some("associate_communication"),
        ),
        ("GET", "/oauth/v1/access-tokens/x", None),
        ("GET", "/crm/v3/objects/communications/12/", None),
    ];
    for (method, path, expected) in cases {
        assert_eq!(
            contract.operation(method, path),
            expected,
            "{method} {path}"
        );
    }
}

#[test]
fn a_conforming_exchange_passes() {
    let found = contract().check(
        "GET",
        "/crm/v3/objects/communications/12",
        b"",
        200,
        &bytes(message()),
    );
    assert_eq!(found, []);
}

#[test]
fn a_value_of_the_wrong_type_is_reported_with_its_pointer() {
    let mut answer = message();
    answer["id"] = json!(12);
    let found = contract().check(
        "GET",
        "/crm/objects/2026-09/communications/12",
        b"",
        200,
        &bytes(answer),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].operation, "get_object");
    assert_eq!(found[0].direction, "response 200");
    assert_eq!(found[0].pointer, "/id");
    assert!(found[0].message.contains("string"), "{}", found[0]);
}

#[test]
fn a_missing_required_field_and_a_bad_date_are_reported() {
    let mut answer = message();
    answer.as_object_mut().unwrap().remove("archived");
    answer["createdAt"] = json!("yesterday");
    let found = contract().check(
        "GET",
        "/crm/v3/objects/communications/12",
        b"",
        200,
        &bytes(answer),
    );
    let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers.len(), 2, "{found:?}");
    assert!(
        pointers.contains(&"") && pointers.contains(&"/createdAt"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|v| v.message.contains("archived")),
        "{found:?}"
    );
}

#[test]
fn an_unlisted_status_and_an_error_without_hubspots_shape_are_reported() {
    let contract = contract();
    let path = "/crm/v3/objects/communications";
    let created = contract.check("POST", path, br#"{"properties":{}}"#, 200, b"{}");
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(created[0].message.contains("200"), "{}", created[0]);
    // Errors are checked by their range (`4XX`).
    let error = contract.check("GET", path, b"", 404, &bytes(json!({ "message": 5 })));
    assert_eq!(error.len(), 1, "{error:?}");
    assert_eq!(
        (error[0].direction.as_str(), error[0].pointer.as_str()),
        ("response 404", "/message")
    );
    let not_json = contract.check("GET", path, b"", 502, b"<html>");
    assert!(not_json[0].message.starts_with("not JSON"), "{not_json:?}");
}

#[test]
fn a_request_body_is_checked_too() {
    let found = contract().check(
        "POST",
        "/crm/v3/objects/communications",
        &bytes(json!({ "properties": { "hs_timestamp": 5 } })),
        400,
        &bytes(json!({ "status": "error", "message": "bad", "category": "VALIDATION_ERROR" })),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].direction, "request");
    assert_eq!(found[0].pointer, "/properties/hs_timestamp");
    assert!(found[0].to_string().starts_with("create_object request"));
}

#[test]
fn a_form_encoded_request_body_is_checked_too() {
    let contract = contract();
    for path in [
        "/oauth/v1/token",
        "/oauth/2026-03/token",
        "/oauth/2026-09/token",
    ] {
        assert_eq!(
            contract.operation("POST", path),
            Some("create_token"),
            "{path}"
        );
    }
    let answer = bytes(json!({
        "token_type": "bearer", "access_token": "a", "refresh_token": "r", "expires_in": 1800
    }));
    let good = b"grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r";
    let found = contract.check("POST", "/oauth/v1/token", good, 200, &answer);
    assert!(found.is_empty(), "{found:?}");
    // A grant the merged operation does not take, and a field given twice.
    let bad = b"grant_type=client_credentials&client_id=c&client_id=d";
    let found = contract.check("POST", "/oauth/2026-09/token", bad, 200, &answer);
    let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/client_id", "/grant_type"], "{found:?}");
    assert!(found.iter().all(|v| v.direction == "request"));
    // An answer without its tokens.
    let thin = bytes(json!({"token_type": "bearer"}));
    let found = contract.check("POST", "/oauth/v1/token", good, 200, &thin);
    let messages: Vec<&str> = found.iter().map(|v| v.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "\"access_token\" is a required property",
            "\"expires_in\" is a required property",
            "\"refresh_token\" is a required property"
        ]
    );
    assert!(found.iter().all(|v| v.direction == "response 200"));
    // The client-credentials grant at v1's endpoint is the client_credentials family's
    // operation: its body and its answer (no refresh token) fit that one.
    let app = b"grant_type=client_credentials&client_id=c&client_secret=s&scope=a%20b";
    let token = bytes(json!({"token_type": "bearer", "access_token": "a", "expires_in": 1800}));
    let found = contract.check("POST", "/oauth/v1/token", app, 200, &token);
    assert!(found.is_empty(), "{found:?}");
}

/// Sends a create whose property value is a number, which the spec's `properties` (strings)
/// does not allow, straight to a checked fake.
async fn send_drift(server: &CheckedServer) {
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/crm/v3/objects/communications",
            server.base_url()
        ))
        .bearer_auth("test-token")
        .json(&json!({ "properties": { "hs_communication_body": 5 } }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().as_u16() > 0);
}

#[tokio::test]
async fn the_fake_records_what_departs_from_the_spec() {
    let (server, _) = crate::start(crate::roomy()).await;
    send_drift(&server).await;
    let found = server.take_violations();
    assert!(
        found
            .iter()
            .any(|v| v.direction == "request" && v.pointer == "/properties/hs_communication_body"),
        "{found:?}"
    );
}

#[tokio::test]
#[should_panic(
    expected = "create_object request (POST /crm/v3/objects/communications): at '/properties/hs_communication_body'"
)]
async fn a_test_whose_traffic_departs_from_the_spec_fails() {
    let (server, _) = crate::start(crate::roomy()).await;
    send_drift(&server).await;
}
