//! The basic operations on messages: method, path, query and body as HubSpot expects them.

use crate::common;

use std::collections::BTreeMap;

use common::{message, setup};
use hubspot_communications_raw::types;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn list_pages_with_repeated_array_parameters() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/communications"))
        .and(query_param("limit", "10"))
        .and(query_param("after", "NTI1Cg=="))
        .and(query_param("archived", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [message("1"), message("2")],
            "paging": {"next": {"after": "2", "link": "?after=2"}}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = client
        .objects
        .list_objects()
        .object_type("communications")
        .limit(10)
        .after("NTI1Cg==")
        .archived(false)
        .properties(vec![
            "hs_communication_body".to_owned(),
            "hs_timestamp".to_owned(),
        ])
        .associations(vec!["contact".to_owned()])
        .send()
        .await
        .unwrap();

    assert_eq!(page.results.len(), 2);
    assert_eq!(
        page.paging.as_ref().unwrap().next.as_ref().unwrap().after,
        "2"
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.url.query().unwrap(),
        "after=NTI1Cg%3D%3D&archived=false&associations=contact&limit=10\
         &properties=hs_communication_body&properties=hs_timestamp"
    );
}

#[tokio::test]
async fn create_sends_properties_and_associations() {
    let (server, client) = setup().await;
    let expected = json!({
        "properties": {
            "hs_communication_channel_type": "SMS",
            "hs_communication_logged_from": "CRM",
            "hs_communication_body": "Texted Linda to confirm that we're ready to move forward with the contract.",
            "hs_timestamp": "2022-11-12T15:48:22Z",
            "hubspot_owner_id": "1234567"
        },
        "associations": [
            {"to": {"id": "9001"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 87}]},
            {"to": {"id": "1234"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}
        ]
    });
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(message("12021896773")))
        .expect(1)
        .mount(&server)
        .await;

    let body: types::SimplePublicObjectInputForCreate = serde_json::from_value(expected).unwrap();
    let created = client
        .objects
        .create_object()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(created.status(), 201);
    assert_eq!(created.id, "12021896773");
    assert_eq!(
        created.properties["hs_communication_channel_type"].as_deref(),
        Some("SMS ")
    );
}

#[tokio::test]
async fn create_without_associations_omits_them() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications"))
        .and(body_json(
            json!({"properties": {"hs_communication_body": "hi"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(message("1")))
        .expect(1)
        .mount(&server)
        .await;
    let body = types::SimplePublicObjectInputForCreate {
        associations: vec![],
        properties: BTreeMap::from([("hs_communication_body".into(), "hi".into())]),
    };
    client
        .objects
        .create_object()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn get_by_id_with_every_query_parameter() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/communications/12021896773"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "12021896773",
            "properties": {"hs_communication_body": null, "hs_object_id": "12021896773"},
            "propertiesWithHistory": {"hs_communication_body": [
                {"value": "old", "timestamp": "2022-11-29T18:35:00.484Z", "sourceType": "API"}
            ]},
            "associations": {"contacts": {"results": [{"id": "1234", "type": "communication_to_contact"}]}},
            "createdAt": "2022-11-29T18:35:00.484Z",
            "updatedAt": "2022-11-29T18:35:00.484Z",
            "archived": false
        })))
        .expect(1)
        .mount(&server)
        .await;

    let message = client
        .objects
        .get_object()
        .object_type("communications")
        .object_id("12021896773")
        .properties(vec!["hs_communication_body".to_owned()])
        .properties_with_history(vec!["hs_communication_body".to_owned()])
        .associations(vec!["contacts".to_owned()])
        .archived(true)
        .id_property("my_unique_id")
        .send()
        .await
        .unwrap();

    assert_eq!(
        message.properties["hs_communication_body"], None,
        "null decodes to None"
    );
    assert_eq!(message.associations["contacts"].results[0].id, "1234");
    assert_eq!(
        message.properties_with_history["hs_communication_body"][0].value,
        "old"
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.url.query().unwrap(),
        "archived=true&associations=contacts&idProperty=my_unique_id\
         &properties=hs_communication_body&propertiesWithHistory=hs_communication_body"
    );
}

#[tokio::test]
async fn ids_are_percent_encoded_in_the_path() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/communications/a%2Fb%20c"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .expect(1)
        .mount(&server)
        .await;
    client
        .objects
        .get_object()
        .object_type("communications")
        .object_id("a/b c")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn update_sends_the_changed_and_the_cleared_properties() {
    let (server, client) = setup().await;
    let expected = json!({"properties": {
        "hs_communication_body": "Sent a follow-up message to Carla.",
        "hubspot_owner_id": ""
    }});
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/communications/77"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("77")))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::SimplePublicObjectInput = serde_json::from_value(expected).unwrap();
    let updated = client
        .objects
        .update_object()
        .object_type("communications")
        .object_id("77")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.id, "77");
}

#[tokio::test]
async fn archive_is_a_delete_answered_204() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/crm/v3/objects/communications/77"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let answer = client
        .objects
        .archive_object()
        .object_type("communications")
        .object_id("77")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
}

#[tokio::test]
async fn bearer_token_is_sent_and_api_version_header_is_not() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer pat-na1-test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .expect(1)
        .mount(&server)
        .await;
    client
        .objects
        .list_objects()
        .object_type("communications")
        .send()
        .await
        .unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert!(
        request.headers.get("api-version").is_none(),
        "progenitor's api-version header must be removed: {:?}",
        request.headers
    );
}

#[tokio::test]
async fn search_sends_filters_sorts_and_query() {
    let (server, client) = setup().await;
    let expected = json!({
        "filterGroups": [{"filters": [
            {"propertyName": "hs_communication_channel_type", "operator": "EQ", "value": "SMS"},
            {"propertyName": "hs_timestamp", "operator": "BETWEEN", "value": "1", "highValue": "2"}
        ]}],
        "sorts": [{"propertyName": "hs_timestamp", "direction": "DESCENDING"}],
        "query": "contract",
        "properties": ["hs_communication_body"],
        "limit": 200,
        "after": "200"
    });
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/search"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total": 1, "results": [message("5")], "paging": {"next": {"after": "201"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::PublicObjectSearchRequest = serde_json::from_value(expected).unwrap();
    let found = client
        .objects
        .search_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.results[0].id, "5");
}

#[tokio::test]
async fn an_empty_search_is_valid() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications/search"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"total": 0, "results": []})))
        .expect(1)
        .mount(&server)
        .await;
    let body = types::PublicObjectSearchRequest::default();
    client
        .objects
        .search_objects()
        .object_type("communications")
        .body(body)
        .send()
        .await
        .unwrap();
}
