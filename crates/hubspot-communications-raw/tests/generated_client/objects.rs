//! CRM records by type and id: what pinning and the quickstart use.

use crate::common;

use common::{message, setup};
use hubspot_communications_raw::types;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn pin_is_a_patch_of_the_record() {
    let (server, client) = setup().await;
    let request = json!({"properties": {"hs_pinned_engagement_id": "12021896773"}});
    Mock::given(method("PATCH"))
        .and(path("/crm/v3/objects/contacts/581751"))
        .and(body_json(&request))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("581751")))
        .expect(1)
        .mount(&server)
        .await;
    let body: types::SimplePublicObjectInput = serde_json::from_value(request).unwrap();
    let record = client
        .objects
        .update_object()
        .object_type("contacts")
        .object_id("581751")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(record.id, "581751");
}

#[tokio::test]
async fn get_create_and_archive_a_record() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/deals/5"))
        .and(query_param("properties", "hs_pinned_engagement_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("5")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts"))
        .and(body_json(
            json!({"properties": {"email": "linda@example.com"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(message("6")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/crm/v3/objects/contacts/6"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let deal = client
        .objects
        .get_object()
        .object_type("deals")
        .object_id("5")
        .properties(vec!["hs_pinned_engagement_id".to_owned()])
        .send()
        .await
        .unwrap();
    assert_eq!(deal.id, "5");
    let body: types::SimplePublicObjectInputForCreate =
        serde_json::from_value(json!({"properties": {"email": "linda@example.com"}})).unwrap();
    let contact = client
        .objects
        .create_object()
        .object_type("contacts")
        .body(body)
        .send()
        .await
        .unwrap();
    client
        .objects
        .archive_object()
        .object_type("contacts")
        .object_id(contact.id.clone())
        .send()
        .await
        .unwrap();
}
