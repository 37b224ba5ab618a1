//! HubSpot's Properties API on the fake: each rule, on every version's paths, and created
//! properties taking effect at once for writes, reads, `idProperty`, upserts and search.

use crate::common::{call, send};

use std::time::Duration;

use hubspot_communications_mock::{Config, MockServer};
use reqwest::Method;
use serde_json::{Value, json};

const VERSIONS: [&str; 3] = [
    "/crm/v3/properties",
    "/crm/properties/2026-03",
    "/crm/properties/2026-09",
];

async fn fake() -> MockServer {
    MockServer::start().await.expect("the fake starts")
}

/// A fake whose search shows every write at once (HubSpot's lags seconds behind).
async fn instant_search() -> MockServer {
    MockServer::start_with(Config::default().search_lag(Duration::ZERO))
        .await
        .expect("the fake starts")
}

/// A create body for a single-line text property of communications' information group.
fn text_property(name: &str) -> Value {
    json!({
        "name": name,
        "label": "External message id",
        "type": "string",
        "fieldType": "text",
        "groupName": "communicationinformation",
    })
}

fn unique_text_property(name: &str) -> Value {
    let mut body = text_property(name);
    body["hasUniqueValue"] = json!(true);
    body
}

/// Checks an error answer has HubSpot's shape: `status`, `message`, `correlationId`,
/// `category`.
fn hubspot_error(body: &Value, category: &str) {
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["correlationId"].as_str().is_some(), "{body}");
}

#[tokio::test]
async fn hubspots_default_properties_are_listed_on_every_versions_paths() {
    let fake = fake().await;
    for base in VERSIONS {
        for (object_type, sample) in [
            ("communications", "hs_communication_body"),
            ("0-18", "hs_timestamp"),
            ("contacts", "email"),
            ("companies", "domain"),
            ("deals", "amount"),
            ("tickets", "subject"),
        ] {
            let (status, body) =
                send(&fake, Method::GET, &format!("{base}/{object_type}"), None).await;
            assert_eq!(status, 200, "{base}/{object_type}: {body}");
            let results = body["results"].as_array().unwrap();
            let found = results
                .iter()
                .find(|p| p["name"] == sample)
                .unwrap_or_else(|| panic!("{sample} is not listed for {object_type}: {body}"));
            assert_eq!(found["hubspotDefined"], true);
            assert_eq!(found["modificationMetadata"]["archivable"], false);
            assert!(results.iter().all(|p| p["groupName"].as_str().is_some()));
        }
    }
    let (_, contacts) = send(
        &fake,
        Method::GET,
        "/crm/v3/properties/contacts/email",
        None,
    )
    .await;
    assert_eq!(
        contacts["hasUniqueValue"], true,
        "contacts' e-mail is unique"
    );
    let (status, body) = send(&fake, Method::GET, "/crm/v3/properties/planets", None).await;
    assert_eq!(status, 400);
    hubspot_error(&body, "VALIDATION_ERROR");
}

#[tokio::test]
async fn property_groups_are_read() {
    let fake = fake().await;
    for base in VERSIONS {
        let (status, body) = send(
            &fake,
            Method::GET,
            &format!("{base}/communications/groups"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        let names: Vec<&str> = body["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|g| g["name"].as_str())
            .collect();
        assert_eq!(names, ["communicationinformation"]);
        let (status, one) = send(
            &fake,
            Method::GET,
            &format!("{base}/contacts/groups/contactinformation"),
            None,
        )
        .await;
        assert_eq!(
            (status, one["label"].as_str()),
            (200, Some("Contact information"))
        );
    }
    let (status, body) = send(
        &fake,
        Method::GET,
        "/crm/v3/properties/deals/groups/nope",
        None,
    )
    .await;
    assert_eq!(status, 404);
    hubspot_error(&body, "OBJECT_NOT_FOUND");
}

#[tokio::test]
async fn a_created_unique_property_takes_effect_at_once() {
    // Instant search: it searches what it has just written.
    let fake = instant_search().await;
    // Before: unknown, so a message carrying it is refused and it is no idProperty.
    let message = json!({"properties": {
        "hs_communication_channel_type": "SMS",
        "hs_communication_logged_from": "CRM",
        "hs_communication_body": "hello",
        "external_message_id": "SM1",
    }});
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications",
        Some(message.clone()),
    )
    .await;
    assert_eq!(status, 400);

    let (status, created) = send(
        &fake,
        Method::POST,
        "/crm/properties/2026-09/communications",
        Some(unique_text_property("external_message_id")),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["hasUniqueValue"], true);
    assert_eq!(created["hubspotDefined"], false);
    assert_eq!(created["modificationMetadata"]["archivable"], true);
    let (status, read) = send(
        &fake,
        Method::GET,
        "/crm/v3/properties/communications/external_message_id",
        None,
    )
    .await;
    assert_eq!(
        (status, &read["type"], &read["fieldType"]),
        (200, &json!("string"), &json!("text"))
    );

    // A write takes it, a second value is a conflict, and it identifies messages.
    let (status, stored) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications",
        Some(message.clone()),
    )
    .await;
    assert_eq!(status, 201, "{stored}");
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications",
        Some(message),
    )
    .await;
    assert_eq!(status, 409);
    let (status, by_key) = send(
        &fake,
        Method::GET,
        "/crm/v3/objects/communications/SM1?idProperty=external_message_id",
        None,
    )
    .await;
    assert_eq!((status, &by_key["id"]), (200, &stored["id"]));
    let upsert = json!({"inputs": [
        {"id": "SM1", "idProperty": "external_message_id", "properties": {"hs_communication_body": "edited"}},
        {"id": "SM2", "idProperty": "external_message_id", "properties": {
            "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM", "hs_communication_body": "new"}}
    ]});
    let (status, upserted) = send(
        &fake,
        Method::POST,
        "/crm/objects/2026-03/communications/batch/upsert",
        Some(upsert),
    )
    .await;
    assert_eq!(status, 200, "{upserted}");
    let news: Vec<bool> = upserted["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["new"].as_bool())
        .collect();
    assert_eq!(news.iter().filter(|n| **n).count(), 1);
    let search = json!({"filterGroups": [{"filters": [
        {"propertyName": "external_message_id", "operator": "EQ", "value": "SM2"}]}],
        "properties": ["external_message_id"]});
    let (status, found) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications/search",
        Some(search),
    )
    .await;
    assert_eq!((status, &found["total"]), (200, &json!(1)), "{found}");
    assert_eq!(
        found["results"][0]["properties"]["external_message_id"],
        "SM2"
    );
}

#[tokio::test]
async fn names_are_checked_with_hubspots_400() {
    let fake = fake().await;
    for name in ["External_Id", "1st_id", "_id", "with space", "dash-ed", "é"] {
        let (status, body) = send(
            &fake,
            Method::POST,
            "/crm/v3/properties/communications",
            Some(text_property(name)),
        )
        .await;
        assert_eq!(status, 400, "{name}: {body}");
        hubspot_error(&body, "VALIDATION_ERROR");
        assert_eq!(body["errors"][0]["in"], "name", "{body}");
    }
    for missing in ["name", "label", "type", "fieldType", "groupName"] {
        let mut body = text_property("fine_name");
        body.as_object_mut().unwrap().remove(missing);
        let (status, answer) = send(
            &fake,
            Method::POST,
            "/crm/v3/properties/contacts",
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "without {missing}: {answer}");
        assert_eq!(answer["errors"][0]["in"], missing);
    }
}

#[tokio::test]
async fn a_name_already_used_is_a_409() {
    let fake = fake().await;
    let path = "/crm/v3/properties/communications";
    // HubSpot's own, the account's own, and an archived one (its name stays taken).
    let (status, body) = send(
        &fake,
        Method::POST,
        path,
        Some(text_property("hs_communication_body")),
    )
    .await;
    assert_eq!(status, 409);
    hubspot_error(&body, "OBJECT_ALREADY_EXISTS");
    assert_eq!(
        send(&fake, Method::POST, path, Some(text_property("twice")))
            .await
            .0,
        201
    );
    assert_eq!(
        send(&fake, Method::POST, path, Some(text_property("twice")))
            .await
            .0,
        409
    );
    let (status, _) = send(&fake, Method::DELETE, &format!("{path}/twice"), None).await;
    assert_eq!(status, 204);
    let (status, body) = send(&fake, Method::POST, path, Some(text_property("twice"))).await;
    assert_eq!(status, 409, "{body}");
    // The same name on another object type is another property.
    let mut contact = text_property("twice");
    contact["groupName"] = json!("contactinformation");
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/properties/contacts",
        Some(contact),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn type_and_field_type_must_be_a_pair_hubspot_takes() {
    let fake = fake().await;
    let path = "/crm/v3/properties/deals";
    let body = |name: &str, kind: &str, field: &str| {
        json!({"name": name, "label": name, "type": kind, "fieldType": field,
            "groupName": "dealinformation",
            "options": [{"label": "A", "value": "a", "displayOrder": 0, "hidden": false}]})
    };
    for (kind, field) in [
        ("string", "text"),
        ("string", "textarea"),
        ("number", "number"),
        ("bool", "booleancheckbox"),
        ("enumeration", "select"),
        ("enumeration", "checkbox"),
        ("date", "date"),
        ("datetime", "date"),
        ("phone_number", "phonenumber"),
    ] {
        let name = format!("ok_{kind}_{field}");
        let (status, answer) =
            send(&fake, Method::POST, path, Some(body(&name, kind, field))).await;
        assert_eq!(status, 201, "{kind}/{field}: {answer}");
    }
    for (kind, field) in [
        ("string", "select"),
        ("number", "text"),
        ("bool", "radio"),
        ("datetime", "text"),
        ("enumeration", "textarea"),
        ("text", "text"),
    ] {
        let (status, answer) = send(
            &fake,
            Method::POST,
            path,
            Some(body("bad_pair", kind, field)),
        )
        .await;
        assert_eq!(status, 400, "{kind}/{field}: {answer}");
        hubspot_error(&answer, "VALIDATION_ERROR");
    }
    // A property of a group the object type does not have.
    let mut elsewhere = body("elsewhere", "string", "text");
    elsewhere["groupName"] = json!("contactinformation");
    assert_eq!(
        send(&fake, Method::POST, path, Some(elsewhere)).await.0,
        400
    );
}

#[tokio::test]
async fn an_object_type_takes_ten_unique_properties_of_the_accounts_own() {
    let fake = fake().await;
    let path = "/crm/v3/properties/communications";
    for i in 0..10 {
        let (status, body) = send(
            &fake,
            Method::POST,
            path,
            Some(unique_text_property(&format!("key_{i}"))),
        )
        .await;
        assert_eq!(status, 201, "{i}: {body}");
    }
    let (status, body) = send(
        &fake,
        Method::POST,
        path,
        Some(unique_text_property("key_10")),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    hubspot_error(&body, "VALIDATION_ERROR");
    assert!(body["message"].as_str().unwrap().contains("10"));
    // Not unique: still fine. Archiving one frees its place.
    assert_eq!(
        send(&fake, Method::POST, path, Some(text_property("plain")))
            .await
            .0,
        201
    );
    assert_eq!(
        send(&fake, Method::DELETE, &format!("{path}/key_3"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        send(
            &fake,
            Method::POST,
            path,
            Some(unique_text_property("key_10"))
        )
        .await
        .0,
        201
    );
    // Other object types count their own.
    let mut contact = unique_text_property("key_0");
    contact["groupName"] = json!("contactinformation");
    assert_eq!(
        send(
            &fake,
            Method::POST,
            "/crm/v3/properties/contacts",
            Some(contact)
        )
        .await
        .0,
        201
    );
    // Only text and numbers can be unique.
    let mut date = unique_text_property("unique_day");
    date["type"] = json!("date");
    date["fieldType"] = json!("date");
    assert_eq!(
        send(
            &fake,
            Method::POST,
            "/crm/v3/properties/contacts",
            Some(date)
        )
        .await
        .0,
        400
    );
}

#[tokio::test]
async fn an_archived_property_is_refused_in_writes_and_read_only_as_archived() {
    let fake = fake().await;
    let path = "/crm/v3/properties/communications";
    assert_eq!(
        send(
            &fake,
            Method::POST,
            path,
            Some(unique_text_property("old_key"))
        )
        .await
        .0,
        201
    );
    assert_eq!(
        send(&fake, Method::DELETE, &format!("{path}/old_key"), None)
            .await
            .0,
        204
    );
    let (status, _) = send(&fake, Method::GET, &format!("{path}/old_key"), None).await;
    assert_eq!(status, 404);
    let (status, archived) = send(
        &fake,
        Method::GET,
        &format!("{path}/old_key?archived=true"),
        None,
    )
    .await;
    assert_eq!((status, &archived["archived"]), (200, &json!(true)));
    assert!(archived["archivedAt"].as_str().is_some());
    let (_, live) = send(&fake, Method::GET, path, None).await;
    assert!(
        !live["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "old_key")
    );
    let (_, gone) = send(&fake, Method::GET, &format!("{path}?archived=true"), None).await;
    assert_eq!(gone["results"].as_array().unwrap().len(), 1);

    let message = json!({"properties": {
        "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
        "old_key": "k1"}});
    let (status, body) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications",
        Some(message),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
    let upsert = json!({"inputs": [{"id": "k1", "idProperty": "old_key", "properties": {}}]});
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/objects/communications/batch/upsert",
        Some(upsert),
    )
    .await;
    assert_eq!(status, 400, "an archived property identifies nothing");
}

#[tokio::test]
async fn hubspots_own_properties_are_not_archived_or_changed() {
    let fake = fake().await;
    let path = "/crm/v3/properties/communications/hs_communication_body";
    let (status, body) = send(&fake, Method::DELETE, path, None).await;
    assert_eq!(status, 400);
    hubspot_error(&body, "VALIDATION_ERROR");
    let (status, _) = send(&fake, Method::PATCH, path, Some(json!({"type": "number"}))).await;
    assert_eq!(status, 400);
    let (_, still) = send(&fake, Method::GET, path, None).await;
    assert_eq!(still["type"], "string");
    assert_eq!(
        send(
            &fake,
            Method::DELETE,
            "/crm/v3/properties/contacts/nothing_here",
            None
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn the_accounts_own_properties_are_updated_within_hubspots_rules() {
    let fake = fake().await;
    let base = "/crm/properties/2026-09/tickets";
    let mut body = text_property("ticket_ref");
    body["groupName"] = json!("ticketinformation");
    assert_eq!(send(&fake, Method::POST, base, Some(body)).await.0, 201);
    let (status, updated) = send(
        &fake,
        Method::PATCH,
        &format!("{base}/ticket_ref"),
        Some(json!({"label": "Ticket reference", "fieldType": "textarea"})),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (&updated["label"], &updated["fieldType"]),
        (&json!("Ticket reference"), &json!("textarea"))
    );
    let (status, _) = send(
        &fake,
        Method::PATCH,
        &format!("{base}/ticket_ref"),
        Some(json!({"fieldType": "select"})),
    )
    .await;
    assert_eq!(status, 400, "a field type its type does not take");
    let (_, read) = send(
        &fake,
        Method::GET,
        "/crm/v3/properties/tickets/ticket_ref",
        None,
    )
    .await;
    assert_eq!(
        read["fieldType"], "textarea",
        "a refused change changes nothing"
    );
}

#[tokio::test]
async fn a_batch_read_answers_the_names_it_finds_and_lists_the_others() {
    let fake = fake().await;
    let body = json!({"archived": false, "inputs": [{"name": "email"}, {"name": "nope"}, {"name": "phone"}]});
    for base in VERSIONS {
        let (status, answer) = send(
            &fake,
            Method::POST,
            &format!("{base}/contacts/batch/read"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 207, "{answer}");
        assert_eq!(answer["results"].as_array().unwrap().len(), 2);
        assert_eq!(
            answer["errors"][0]["context"]["properties"],
            json!(["nope"])
        );
    }
    let (status, _) = send(
        &fake,
        Method::POST,
        "/crm/v3/properties/contacts/batch/read",
        Some(json!({"archived": false, "inputs": [{"name": "email"}]})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_token_without_the_schema_scope_gets_hubspots_403_naming_it() {
    let config = Config::default()
        .scoped_token("reader", ["crm.objects.contacts.read"])
        .scoped_token("admin", ["crm.schemas.contacts.write"]);
    let fake = MockServer::start_with(config).await.unwrap();
    let create = |token: &'static str| {
        let url = format!("{}/crm/v3/properties/communications", fake.base_url());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&unique_text_property("external_message_id"))
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = create("reader").await;
    assert_eq!(status, 403);
    hubspot_error(&body, "MISSING_SCOPES");
    assert_eq!(
        body["errors"][0]["context"]["requiredGranularScopes"],
        json!(["crm.schemas.contacts.write"])
    );
    // Reading needs no schema scope; the scoped admin token creates.
    let read = reqwest::Client::new()
        .get(format!(
            "{}/crm/v3/properties/communications",
            fake.base_url()
        ))
        .bearer_auth("reader")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(create("admin").await.0, 201);
    // An unscoped token is refused by the gate as before.
    let (status, _, _) = call(
        &fake,
        Method::GET,
        "/crm/v3/properties/communications",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

/// Every scope the fake asks for is one HubSpot's Properties spec lists for the write (the
/// patched spec in the repository keeps HubSpot's `security`): no scope of the fake's own
/// invention (there is no `crm.schemas.communications.write` anywhere in HubSpot's specs).
#[tokio::test]
async fn the_scopes_the_fake_names_are_ones_hubspots_spec_lists() {
    let spec: Value = serde_json::from_str(include_str!(
        "../../../hubspot-communications-raw/src/openapi.json"
    ))
    .unwrap();
    let listed = |path: &str, method: &str| -> Vec<String> {
        spec["paths"][path][method]["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} lists its scopes"))
            .iter()
            .flat_map(|requirement| requirement.as_object().unwrap().values())
            .flat_map(|scopes| scopes.as_array().unwrap())
            .map(|scope| scope.as_str().unwrap().to_owned())
            .collect()
    };
    let create_scopes = listed("/properties/{objectType}", "post");
    assert!(!create_scopes.iter().any(|s| s.contains("communications")));
    let config = Config::default().scoped_token("none", Vec::<String>::new());
    let fake = MockServer::start_with(config).await.unwrap();
    for object_type in [
        "communications",
        "contacts",
        "companies",
        "deals",
        "tickets",
    ] {
        let answer = reqwest::Client::new()
            .post(format!(
                "{}/crm/v3/properties/{object_type}",
                fake.base_url()
            ))
            .bearer_auth("none")
            .json(&unique_text_property("external_message_id"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 403, "{object_type}");
        let body: Value = answer.json().await.unwrap();
        let named = body["errors"][0]["context"]["requiredGranularScopes"]
            .as_array()
            .unwrap()
            .clone();
        assert!(!named.is_empty(), "{object_type}: {body}");
        for scope in named {
            let scope = scope.as_str().unwrap();
            assert!(
                create_scopes.iter().any(|s| s == scope),
                "{object_type}: {scope} is not a scope HubSpot's spec lists for the write"
            );
        }
    }
}
