//! HubSpot's Properties API: an object type's property definitions and groups, on each
//! version's paths (`/crm/v3/properties/…`, `/crm/properties/2026-09/…`), decoded as HubSpot
//! answers them.

use crate::common;

use common::{Clients, batch};
use hubspot_communications_raw::{ApiVersionPaths, types};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A definition as HubSpot answers it (HubSpot's own, read-only communications body).
fn definition(name: &str) -> Value {
    json!({
        "updatedAt": "2024-05-02T10:11:12.345Z",
        "createdAt": "2019-08-06T02:43:14.491Z",
        "name": name,
        "label": "Communication body",
        "type": "string",
        "fieldType": "textarea",
        "description": "The body of the message",
        "groupName": "communication",
        "options": [],
        "displayOrder": -1,
        "calculated": false,
        "externalOptions": false,
        "hasUniqueValue": false,
        "hidden": false,
        "hubspotDefined": true,
        "modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": false},
        "formField": false,
        "dataSensitivity": "non_sensitive"
    })
}

async fn clients(version: &str) -> (MockServer, Clients) {
    let server = MockServer::start().await;
    let clients = Clients::new(&server.uri(), version);
    (server, clients)
}

#[tokio::test]
async fn every_version_reads_an_object_types_properties_on_its_own_path() {
    for version in ["v3", "2026-03", "2026-09"] {
        let base = ApiVersionPaths::get(version).unwrap().properties;
        let (server, client) = clients(version).await;
        Mock::given(method("GET"))
            .and(path(format!("{base}/communications")))
            .and(query_param("archived", "false"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"results": [definition("hs_communication_body")]})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let all = client
            .properties
            .list_properties()
            .object_type("communications")
            .archived(false)
            .send()
            .await
            .unwrap();
        let body = &all.results[0];
        assert_eq!(body.name, "hs_communication_body", "{version}");
        assert_eq!(
            (body.type_.as_str(), body.field_type.as_str()),
            ("string", "textarea")
        );
        assert_eq!(body.hubspot_defined, Some(true));
        assert_eq!(
            body.modification_metadata.as_ref().map(|m| m.archivable),
            Some(false)
        );
    }
}

#[tokio::test]
async fn types_hints_and_sensitivities_hubspot_adds_later_still_decode() {
    let (server, client) = clients("2026-09").await;
    let mut odd = definition("hs_future");
    odd["type"] = json!("object_coordinates");
    odd["fieldType"] = json!("geo_pin");
    odd["dataSensitivity"] = json!("extremely_sensitive");
    odd["textDisplayHint"] = json!("hologram");
    odd["numberDisplayHint"] = json!("roman");
    odd["dateDisplayHint"] = json!("lunar");
    Mock::given(method("GET"))
        .and(path("/crm/properties/2026-09/communications/hs_future"))
        .respond_with(ResponseTemplate::new(200).set_body_json(odd))
        .mount(&server)
        .await;
    let read = client
        .properties
        .get_property()
        .object_type("communications")
        .property_name("hs_future")
        .send()
        .await
        .unwrap();
    assert_eq!(read.type_, "object_coordinates");
    assert_eq!(read.field_type, "geo_pin");
    assert_eq!(read.text_display_hint.as_deref(), Some("hologram"));
}

#[tokio::test]
async fn a_unique_key_property_is_created_with_hubspots_names() {
    let (server, client) = clients("v3").await;
    let sent = json!({
        "name": "external_message_id",
        "label": "External message id",
        "type": "string",
        "fieldType": "text",
        "groupName": "communicationinformation",
        "hasUniqueValue": true
    });
    let mut created = definition("external_message_id");
    created["hasUniqueValue"] = json!(true);
    created["hubspotDefined"] = json!(false);
    Mock::given(method("POST"))
        .and(path("/crm/v3/properties/communications"))
        .and(body_json(&sent))
        .respond_with(ResponseTemplate::new(201).set_body_json(created))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::PropertyCreate = serde_json::from_value(sent).unwrap();
    let property = client
        .properties
        .create_property()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(property.has_unique_value, Some(true));
    assert_eq!(property.hubspot_defined, Some(false));
}

#[tokio::test]
async fn a_name_already_used_is_hubspots_409() {
    let (server, client) = clients("2026-03").await;
    Mock::given(method("POST"))
        .and(path("/crm/properties/2026-03/communications"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "status": "error",
            "message": "A property named 'external_message_id' already exists.",
            "correlationId": "5f2c0c7e-1b3a-4f1e-9c3e-1c2f7a2b9d10",
            "category": "OBJECT_ALREADY_EXISTS"
        })))
        .mount(&server)
        .await;
    let body = types::PropertyCreate::builder()
        .name("external_message_id")
        .label("x")
        .type_("string")
        .field_type("text")
        .group_name("communicationinformation");
    let error = client
        .properties
        .create_property()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    let hubspot_communications_raw::Error::ErrorResponse(answer) = error else {
        panic!("not HubSpot's error body: {error:?}");
    };
    assert_eq!(answer.category.as_deref(), Some("OBJECT_ALREADY_EXISTS"));
}

#[tokio::test]
async fn update_archive_and_batch_read() {
    let (server, client) = clients("2026-09").await;
    let base = "/crm/properties/2026-09/contacts";
    Mock::given(method("PATCH"))
        .and(path(format!("{base}/favourite_colour")))
        .and(body_json(json!({"label": "Favourite colour"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(definition("favourite_colour")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("{base}/favourite_colour")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let not_found = json!({"status": "error", "category": "OBJECT_NOT_FOUND",
        "message": "Unable to find property", "context": {"properties": ["nope"]}});
    Mock::given(method("POST"))
        .and(path(format!("{base}/batch/read")))
        .and(body_json(
            json!({"archived": false, "inputs": [{"name": "email"}, {"name": "nope"}]}),
        ))
        .respond_with(
            ResponseTemplate::new(207)
                .set_body_json(batch(vec![definition("email")], Some(vec![not_found]))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let update = types::PropertyUpdate::builder().label("Favourite colour".to_owned());
    client
        .properties
        .update_property()
        .object_type("contacts")
        .property_name("favourite_colour")
        .body(update)
        .send()
        .await
        .unwrap();
    client
        .properties
        .archive_property()
        .object_type("contacts")
        .property_name("favourite_colour")
        .send()
        .await
        .unwrap();
    let read = client
        .properties
        .batch_read_properties()
        .object_type("contacts")
        .body(types::BatchReadInputPropertyName {
            archived: false,
            data_sensitivity: None,
            inputs: ["email", "nope"]
                .map(|name| types::PropertyName { name: name.into() })
                .into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 207);
    assert_eq!(read.results.len(), 1);
    assert_eq!(
        read.errors.len(),
        1,
        "the names not found are kept beside the results"
    );
}

#[tokio::test]
async fn property_groups_are_read() {
    let (server, client) = clients("v3").await;
    let group = json!({"name": "communicationinformation", "label": "Communication information",
        "displayOrder": -1, "archived": false});
    Mock::given(method("GET"))
        .and(path("/crm/v3/properties/communications/groups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [group.clone()]})))
        .expect(1)
        .mount(&server)
        .await;
    // The date versions may leave `displayOrder` out.
    Mock::given(method("GET"))
        .and(path("/crm/v3/properties/communications/groups/communicationinformation"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"name": "communicationinformation", "label": "Communication information", "archived": false}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let groups = client
        .properties
        .list_property_groups()
        .object_type("communications")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.results[0].name, "communicationinformation");
    let one = client
        .properties
        .get_property_group()
        .object_type("communications")
        .group_name("communicationinformation")
        .send()
        .await
        .unwrap();
    assert_eq!(one.display_order, None);
}
