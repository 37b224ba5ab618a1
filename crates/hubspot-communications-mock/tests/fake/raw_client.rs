//! The fake answers in the shapes the generated client decodes, endpoint by endpoint.

use hubspot_communications_mock::{
    AssociationLabel, Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
};
use hubspot_communications_raw::{ApiVersionPaths, Client, ClientContext, types};
use serde_json::json;

/// The raw clients of v3, one per family of operations, as the facade builds them.
struct Clients {
    objects: Client,
    record_associations: Client,
}

fn client(server: &MockServer) -> Clients {
    let version = ApiVersionPaths::get("v3").unwrap();
    let client = |base: &str| {
        Client::new_with_client(
            &format!("{}{base}", server.base_url()),
            reqwest::Client::new(),
            ClientContext::bearer("t").unwrap(),
        )
    };
    Clients {
        objects: client(version.objects),
        record_associations: client(version.record_associations),
    }
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
        .association_label(AssociationLabel::user(ObjectType::Deal, 12, 13, "Decision"));
    let server = MockServer::start_with(config).await.unwrap();
    let raw = client(&server);
    let contact = server.seed_contact("a@example.com");
    let deal = server.seed_deal("d");

    let created = raw
        .objects.create_object().object_type("communications")
        .body(from::<types::SimplePublicObjectInputForCreate>(json!({
            "properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM", "hs_communication_body": "hi"},
            "associations": [{"to": {"id": contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}]
        })))
        .send()
        .await
        .unwrap();
    let id = created.id.clone();
    raw.objects
        .get_object()
        .object_type("communications")
        .object_id(&id)
        .associations(vec!["contacts".into()])
        .send()
        .await
        .unwrap();
    raw.objects
        .list_objects()
        .object_type("communications")
        .limit(5)
        .send()
        .await
        .unwrap();
    raw.objects
        .update_object()
        .object_type("communications")
        .object_id(&id)
        .body(from::<types::SimplePublicObjectInput>(
            json!({"properties": {"hs_communication_body": "x"}}),
        ))
        .send()
        .await
        .unwrap();
    raw.objects
        .search_objects()
        .object_type("communications")
        .body(types::PublicObjectSearchRequest::default())
        .send()
        .await
        .unwrap();
    let read = raw
        .objects
        .batch_read_objects()
        .object_type("communications")
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
    raw.objects.batch_create_objects().object_type("communications")
        .body(from::<types::BatchInputSimplePublicObjectBatchInputForCreate>(json!({"inputs": [{"properties": {
            "hs_communication_channel_type": "WHATS_APP", "hs_communication_logged_from": "CRM"}}]})))
        .send()
        .await
        .unwrap();
    raw.objects
        .batch_update_objects()
        .object_type("communications")
        .body(from::<types::BatchInputSimplePublicObjectBatchInput>(
            json!({"inputs": [{"id": id, "properties": {"hs_communication_body": "y"}}]}),
        ))
        .send()
        .await
        .unwrap();
    let upserted = raw
        .objects
        .batch_upsert_objects()
        .object_type("communications")
        .body(from::<types::BatchInputSimplePublicObjectBatchInputUpsert>(
            json!({"inputs": [{"id": "k1", "idProperty": "ext", "properties": {
            "hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM"}}]}),
        ))
        .send()
        .await
        .unwrap();
    assert!(upserted.results[0].new);
    raw.objects
        .associate_communication()
        .communication_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .association_type_id("communication_to_deal")
        .send()
        .await
        .unwrap();
    raw.objects
        .remove_communication_association()
        .communication_id(&id)
        .to_object_type("deal")
        .to_object_id(&deal)
        .association_type_id("85")
        .send()
        .await
        .unwrap();
    raw.record_associations
        .create_association()
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
    raw.record_associations
        .create_default_association()
        .from_object_type("communications")
        .from_object_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .send()
        .await
        .unwrap();
    let listed = raw
        .record_associations
        .list_associations()
        .object_type("communications")
        .object_id(&id)
        .to_object_type("deals")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.results[0].association_types.len(), 2);
    raw.record_associations
        .archive_associations()
        .object_type("communications")
        .object_id(&id)
        .to_object_type("deals")
        .to_object_id(&deal)
        .send()
        .await
        .unwrap();
    let ticket = raw
        .objects
        .create_object()
        .object_type("tickets")
        .body(from::<types::SimplePublicObjectInputForCreate>(
            json!({"properties": {"subject": "s"}}),
        ))
        .send()
        .await
        .unwrap();
    raw.objects
        .get_object()
        .object_type("tickets")
        .object_id(&ticket.id)
        .send()
        .await
        .unwrap();
    raw.objects
        .update_object()
        .object_type("contacts")
        .object_id(&contact)
        .body(from::<types::SimplePublicObjectInput>(
            json!({"properties": {"hs_pinned_engagement_id": id}}),
        ))
        .send()
        .await
        .unwrap();
    raw.objects
        .archive_object()
        .object_type("tickets")
        .object_id(&ticket.id)
        .send()
        .await
        .unwrap();
    raw.objects
        .batch_archive_objects()
        .object_type("communications")
        .body(from::<types::BatchInputSimplePublicObjectId>(
            json!({"inputs": [{"id": id}]}),
        ))
        .send()
        .await
        .unwrap();
    raw.objects
        .archive_object()
        .object_type("communications")
        .object_id(&id)
        .send()
        .await
        .unwrap();
    let archived = raw
        .objects
        .list_objects()
        .object_type("communications")
        .archived(true)
        .send()
        .await
        .unwrap();
    assert_eq!(archived.results[0].id, id);
}
