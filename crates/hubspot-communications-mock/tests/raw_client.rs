//! The fake answers in the shapes the generated client decodes, endpoint by endpoint.

use hubspot_communications_mock::{
    AssociationLabel, Config, MockServer, ObjectKind, PropertyDefinition, PropertyOwner,
};
use hubspot_communications_raw::{Client, ClientContext, types};
use serde_json::json;

fn client(server: &MockServer) -> Client {
    Client::new_with_client(
        server.base_url(),
        reqwest::Client::new(),
        ClientContext::bearer("t").unwrap(),
    )
}

fn from<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn every_endpoint_decodes() {
    // The upsert below keys on `ext`, a unique property the account defines; label 12 is
    // the account's too.
    let unique_ext = PropertyDefinition::string("ext").unique();
    let config = Config::default()
        .property(PropertyOwner::Communication, unique_ext)
        .association_label(AssociationLabel::user(ObjectKind::Deal, 12, 13, "Decision"));
    let server = MockServer::start_with(config).await.unwrap();
    let raw = client(&server);
    let contact = server.seed_contact("a@example.com");
    let deal = server.seed_deal("d");

    let created = raw
        .create_communication()
        .body(from::<types::SimplePublicObjectInputForCreate>(json!({
            "properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM", "hs_communication_body": "hi"},
            "associations": [{"to": {"id": contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}]
        })))
        .send()
        .await
        .unwrap();
    let id = created.id.clone();
    raw.get_communication()
        .communication_id(&id)
        .associations(vec!["contacts".into()])
        .send()
        .await
        .unwrap();
    raw.list_communications().limit(5).send().await.unwrap();
    raw.update_communication()
        .communication_id(&id)
        .body(from::<types::SimplePublicObjectInput>(
            json!({"properties": {"hs_communication_body": "x"}}),
        ))
        .send()
        .await
        .unwrap();
    raw.search_communications()
        .body(types::PublicObjectSearchRequest::default())
        .send()
        .await
        .unwrap();
    let read = raw
        .batch_read_communications()
        .body(from::<types::BatchReadInputSimplePublicObjectId>(
            json!({"inputs": [{"id": id}, {"id": "1"}]}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            read.status().as_u16(),
            read.results.len(),
            read.errors.len()
        ),
        (207, 1, 1)
    );
    raw.batch_create_communications()
        .body(from::<types::BatchInputSimplePublicObjectBatchInputForCreate>(json!({"inputs": [{"properties": {
            "hs_communication_channel_type": "WHATS_APP", "hs_communication_logged_from": "CRM"}}]})))
        .send()
        .await
        .unwrap();
    raw.batch_update_communications()
        .body(from::<types::BatchInputSimplePublicObjectBatchInput>(
            json!({"inputs": [{"id": id, "properties": {"hs_communication_body": "y"}}]}),
        ))
        .send()
        .await
        .unwrap();
    let upserted = raw
        .batch_upsert_communications()
        .body(from::<types::BatchInputSimplePublicObjectBatchInputUpsert>(
            json!({"inputs": [{"id": "k1", "idProperty": "ext", "properties": {
            "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM"}}]}),
        ))
        .send()
        .await
        .unwrap();
    assert!(upserted.results[0].new);
    raw.associate_communication()
        .communication_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .association_type_id("communication_to_deal")
        .send()
        .await
        .unwrap();
    raw.remove_communication_association()
        .communication_id(&id)
        .to_object_type("deal")
        .to_object_id(&deal)
        .association_type_id("85")
        .send()
        .await
        .unwrap();
    raw.create_association()
        .object_type("communications")
        .object_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .body(vec![from::<types::AssociationSpec>(
            json!({"associationCategory": "USER_DEFINED", "associationTypeId": 12}),
        )])
        .send()
        .await
        .unwrap();
    raw.create_default_association()
        .from_object_type("communications")
        .from_object_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .send()
        .await
        .unwrap();
    let listed = raw
        .list_associations()
        .object_type("communications")
        .object_id(&id)
        .to_object_type("deals")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.results[0].association_types.len(), 2);
    raw.archive_associations()
        .object_type("communications")
        .object_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .send()
        .await
        .unwrap();
    let ticket = raw
        .create_object()
        .object_type("tickets")
        .body(from::<types::SimplePublicObjectInputForCreate>(
            json!({"properties": {"subject": "s"}}),
        ))
        .send()
        .await
        .unwrap();
    raw.get_object()
        .object_type("tickets")
        .object_id(&ticket.id)
        .send()
        .await
        .unwrap();
    raw.update_object()
        .object_type("contacts")
        .object_id(&contact)
        .body(from::<types::SimplePublicObjectInput>(
            json!({"properties": {"hs_pinned_engagement_id": id}}),
        ))
        .send()
        .await
        .unwrap();
    raw.archive_object()
        .object_type("tickets")
        .object_id(&ticket.id)
        .send()
        .await
        .unwrap();
    raw.batch_archive_communications()
        .body(from::<types::BatchInputSimplePublicObjectId>(
            json!({"inputs": [{"id": id}]}),
        ))
        .send()
        .await
        .unwrap();
    raw.archive_communication()
        .communication_id(&id)
        .send()
        .await
        .unwrap();
    let archived = raw
        .list_communications()
        .archived(true)
        .send()
        .await
        .unwrap();
    assert_eq!(archived.results[0].id, id);
}
