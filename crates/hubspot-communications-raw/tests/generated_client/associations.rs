//! Associations: the guide's v3 form, and v4 labelled, default and listing.

use crate::common;

use common::{message, setup};
use hubspot_communications_raw::{AssociationCategory, types};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn v3_associate_accepts_a_snake_case_type() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path("/crm/v3/objects/communications/12021896773/associations/contact/581751/communication_to_contact"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("12021896773")))
        .expect(1)
        .mount(&server)
        .await;
    let answer = client
        .objects
        .associate_communication()
        .communication_id("12021896773")
        .to_object_type("contact")
        .to_object_id("581751")
        .association_type_id("communication_to_contact")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.id, "12021896773");
}

#[tokio::test]
async fn v3_remove_association_uses_the_same_path_with_delete() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(
            "/crm/v3/objects/communications/1/associations/deal/2/85",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client
        .objects
        .remove_communication_association()
        .communication_id("1")
        .to_object_type("deal")
        .to_object_id("2")
        .association_type_id("85")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn v4_labelled_association_sends_the_spec_array() {
    let (server, client) = setup().await;
    let request = json!([
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81},
        {"associationCategory": "USER_DEFINED", "associationTypeId": 36}
    ]);
    Mock::given(method("PUT"))
        .and(path(
            "/crm/v4/objects/communications/1/associations/contacts/2",
        ))
        .and(body_json(&request))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "fromObjectTypeId": "0-18", "fromObjectId": "1",
            "toObjectTypeId": "0-1", "toObjectId": "2", "labels": ["Sender"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let specs: Vec<types::AssociationSpec> = serde_json::from_value(request).unwrap();
    assert_eq!(
        specs[1].association_category,
        AssociationCategory::UserDefined
    );
    let answer = client
        .record_associations
        .create_association()
        .object_type("communications")
        .object_id("1")
        .to_object_type("contacts")
        .to_object_id("2")
        .body(specs)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.labels, ["Sender"]);
}

#[tokio::test]
async fn v4_default_association_answers_a_batch_body() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path("/crm/v4/objects/communications/1/associations/default/companies/9001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE",
            "results": [{"from": {"id": "1"}, "to": {"id": "9001"},
                         "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 87}}],
            "startedAt": "2022-11-29T18:35:00.100Z", "completedAt": "2022-11-29T18:35:00.484Z"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let answer = client
        .record_associations
        .create_default_association()
        .from_object_type("communications")
        .from_object_id("1")
        .to_object_type("companies")
        .to_object_id("9001")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.results[0].association_spec.association_type_id, 87);
}

#[tokio::test]
async fn v4_list_pages_and_keeps_unknown_categories() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(
            "/crm/v4/objects/communications/1/associations/contacts",
        ))
        .and(query_param("limit", "500"))
        .and(query_param("after", "abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [{"toObjectId": "2", "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 81, "label": null},
                {"category": "SOMETHING_NEW", "typeId": 7, "label": "Sender"}
            ]}],
            "paging": {"next": {"after": "def"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .record_associations
        .list_associations()
        .object_type("communications")
        .object_id("1")
        .to_object_type("contacts")
        .limit(500)
        .after("abc")
        .send()
        .await
        .unwrap();
    let types = &page.results[0].association_types;
    assert_eq!(types[0].category, AssociationCategory::HubspotDefined);
    assert!(
        matches!(&types[1].category, AssociationCategory::Other(v) if v.as_str() == "SOMETHING_NEW")
    );
    assert_eq!(
        serde_json::to_value(&types[1]).unwrap()["category"],
        "SOMETHING_NEW"
    );
}

#[tokio::test]
async fn v4_archive_removes_every_association_between_two_records() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path(
            "/crm/v4/objects/communications/1/associations/contacts/2",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client
        .record_associations
        .archive_associations()
        .object_type("communications")
        .object_id("1")
        .to_object_type("contacts")
        .to_object_id("2")
        .send()
        .await
        .unwrap();
}
