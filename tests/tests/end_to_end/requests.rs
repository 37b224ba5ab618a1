//! The exact requests the facade sends for the guide's examples.

use chrono::{TimeZone, Utc};
use hubspot_communications::search::{Filter, Search};
use hubspot_communications::{
    ApiVersion, Association, AssociationType, Channel, ListOptions, MessageUpdate, NewMessage,
    ObjectType, ReadOptions, Record,
};
use hubspot_communications_tests::scripted::{body, message, setup, setup_with};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn create_with_associations_sends_the_guides_body() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/communications"))
        .and(header("authorization", "Bearer pat-na1-secret-token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(message("12021896773")))
        .expect(1)
        .mount(&server)
        .await;

    let new = NewMessage::new(
        Channel::Sms,
        "Texted Linda to confirm that we're ready to move forward with the contract.",
    )
    .timestamp(Utc.with_ymd_and_hms(2022, 11, 12, 15, 48, 22).unwrap())
    .owner("1234567")
    .associate(Association::company("9001"))
    .associate(Association::contact("1234"));
    let created = client.create(&new).await.unwrap();

    assert_eq!(created.id, "12021896773");
    assert_eq!(
        created.channel,
        Some(Channel::Sms),
        "HubSpot's \"SMS \" parses"
    );
    let sent = body(&server, 0).await;
    // The guide's example, with ids as the strings HubSpot's spec types them as.
    assert_eq!(
        sent,
        json!({
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
        })
    );
    insta::assert_json_snapshot!("create_with_associations", sent);
}

#[tokio::test]
async fn update_and_clear_send_the_guides_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/communications/12021896773"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("12021896773")))
        .expect(2)
        .mount(&server)
        .await;

    client
        .update(
            "12021896773",
            &MessageUpdate::new().body("Sent a follow-up message to Carla."),
        )
        .await
        .unwrap();
    client
        .update(
            "12021896773",
            &MessageUpdate::new().clear("hubspot_owner_id"),
        )
        .await
        .unwrap();

    let update = body(&server, 0).await;
    assert_eq!(
        update,
        json!({"properties": {"hs_communication_body": "Sent a follow-up message to Carla."}})
    );
    insta::assert_json_snapshot!("update", update);
    let clear = body(&server, 1).await;
    assert_eq!(clear, json!({"properties": {"hubspot_owner_id": ""}}));
    insta::assert_json_snapshot!("clear_a_value", clear);
}

#[tokio::test]
async fn get_sends_the_chosen_properties_history_and_associations() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/communications/7"))
        .and(query_param("archived", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("7")))
        .expect(1)
        .mount(&server)
        .await;
    let options = ReadOptions::new()
        .properties(["hs_communication_body"])
        .properties_with_history(["hs_communication_body"])
        .associations(ObjectType::Contact)
        .archived(true);
    let found = client.get_with("7", &options).await.unwrap();
    assert_eq!(found.owner_id, None, "null decodes to None");
    let query = server.received_requests().await.unwrap()[0]
        .url
        .query()
        .unwrap()
        .to_owned();
    assert_eq!(
        query,
        "archived=true&associations=contacts&properties=hs_communication_body&propertiesWithHistory=hs_communication_body"
    );
}

#[tokio::test]
async fn associate_and_remove_use_the_guides_v3_path_with_each_type() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path(
            "/crm/v3/objects/communications/1/associations/contacts/2/81",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(
            "/crm/v3/objects/communications/1/associations/contacts/2/36",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(
            "/crm/v3/objects/communications/1/associations/deals/3/85",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let labelled = Association::contact("2").with_type(AssociationType::label(36));
    client.associate("1", &labelled).await.unwrap();
    client
        .remove_association("1", &Association::deal("3"))
        .await
        .unwrap();
}

#[tokio::test]
async fn labelled_and_default_associations_use_v4() {
    // The date versions associate with every type in one labelled PUT.
    let (server, client) = setup_with(ApiVersion::V2026_09).await;
    Mock::given(method("PUT"))
        .and(path("/crm/objects/2026-09/communications/1/associations/contacts/2"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "fromObjectTypeId": "0-18", "fromObjectId": "1", "toObjectTypeId": "0-1", "toObjectId": "2", "labels": ["Sender"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/crm/objects/2026-09/communications/1/associations/default/tickets/4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE", "results": [], "startedAt": "2022-11-29T18:35:00Z", "completedAt": "2022-11-29T18:35:00Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    client
        .associate(
            "1",
            &Association::contact("2").with_type(AssociationType::label(36)),
        )
        .await
        .unwrap();
    assert_eq!(
        body(&server, 0).await,
        json!([
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81},
            {"associationCategory": "USER_DEFINED", "associationTypeId": 36}
        ])
    );
    // No type named: HubSpot's default association.
    client
        .associate("1", &Association::new(Record::ticket("4"), []))
        .await
        .unwrap();
}

#[tokio::test]
async fn nothing_is_sent_for_invalid_input() {
    let (server, client) = setup().await;
    let cases = [
        client.update("1", &MessageUpdate::new()).await.unwrap_err(),
        client
            .create(&NewMessage::new(Channel::Sms, "  "))
            .await
            .unwrap_err(),
        client
            .create(&NewMessage::new(Channel::Sms, "hi").property("hs_communication_body", "other"))
            .await
            .unwrap_err(),
        client.get("").await.unwrap_err(),
        client
            .create(
                &NewMessage::new(Channel::Sms, "x").associate(Association::default_to(
                    Record::new(ObjectType::from("2-99"), "5"),
                )),
            )
            .await
            .unwrap_err(),
    ];
    for error in cases {
        assert!(
            matches!(
                error,
                hubspot_communications::Error::InvalidInput(_)
                    | hubspot_communications::Error::InvalidId(_)
            ),
            "{error}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// Answers like HubSpot, whatever the version: enough for every call of
/// `every_versions_requests` to succeed.
fn hubspot_like(request: &wiremock::Request) -> ResponseTemplate {
    let path = request.url.path();
    let batch = |results: serde_json::Value| {
        json!({"status": "COMPLETE", "results": results,
               "startedAt": "2024-05-01T10:00:00Z", "completedAt": "2024-05-01T10:00:01Z"})
    };
    let types = json!([{"category": "HUBSPOT_DEFINED", "typeId": 85, "label": null}]);
    match request.method.as_str() {
        "POST" if path.ends_with("/batch/create") => {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let results: Vec<_> = body["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|input| {
                    let mut result = message("9");
                    result["objectWriteTraceId"] = input["objectWriteTraceId"].clone();
                    result
                })
                .collect();
            ResponseTemplate::new(201).set_body_json(batch(json!(results)))
        }
        "POST" if path.ends_with("/batch/read") => ResponseTemplate::new(200).set_body_json(
            batch(json!([{"from": {"id": "1"}, "to": [{"toObjectId": "5001", "associationTypes": types}]}])),
        ),
        "POST" if path.ends_with("/search") => ResponseTemplate::new(200)
            .set_body_json(json!({"total": 1, "results": [message("1")]})),
        "POST" => ResponseTemplate::new(201).set_body_json(message("1")),
        "GET" if path.contains("/associations/") => ResponseTemplate::new(200)
            .set_body_json(json!({"results": [{"toObjectId": "5001", "associationTypes": types}]})),
        "GET" if path.ends_with("/communications") => {
            ResponseTemplate::new(200).set_body_json(json!({"results": [message("1")]}))
        }
        "PUT" if path.split('/').count() == 9 && path.starts_with("/crm/v4/")
            || path.split('/').count() == 9 && path.starts_with("/crm/objects/") =>
        {
            ResponseTemplate::new(201).set_body_json(json!({
                "fromObjectTypeId": "0-18", "fromObjectId": "1",
                "toObjectTypeId": "0-3", "toObjectId": "5001", "labels": []
            }))
        }
        "DELETE" => ResponseTemplate::new(204),
        _ => ResponseTemplate::new(200).set_body_json(message("1")),
    }
}

/// Every version's requests for the guide's calls, paths and bodies, in one snapshot each.
#[tokio::test]
async fn every_versions_requests() {
    for version in ApiVersion::ALL {
        let (server, client) = setup_with(version).await;
        Mock::given(wiremock::matchers::any())
            .respond_with(hubspot_like)
            .mount(&server)
            .await;
        let timestamp = Utc.with_ymd_and_hms(2022, 11, 12, 15, 48, 22).unwrap();
        let sms = NewMessage::new(Channel::Sms, "Texted Linda.")
            .timestamp(timestamp)
            .associate(Association::contact("1234"));
        client.create(&sms).await.unwrap();
        client
            .get_with(
                "1",
                &ReadOptions::new().properties(["hs_communication_body"]),
            )
            .await
            .unwrap();
        client
            .update("1", &MessageUpdate::new().body("Sent a follow-up."))
            .await
            .unwrap();
        client.list_page(&ListOptions::new(), None).await.unwrap();
        client
            .associate("1", &Association::deal("5001"))
            .await
            .unwrap();
        client
            .associations_page("1", ObjectType::Deal, None)
            .await
            .unwrap();
        client
            .search_page(
                &Search::new().filter(Filter::eq("hs_communication_body", "x")),
                None,
            )
            .await
            .unwrap();
        assert!(client.create_batch(&[sms.clone(), sms]).await.is_success());
        client.archive("1").await.unwrap();
        let sent: Vec<serde_json::Value> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let body: serde_json::Value =
                    serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
                json!({
                    "request": format!("{} {}{}", r.method, r.url.path(),
                        r.url.query().map(|q| format!("?{q}")).unwrap_or_default()),
                    "body": body,
                })
            })
            .collect();
        insta::assert_json_snapshot!(format!("requests_on_{version}"), sent);
    }
}
