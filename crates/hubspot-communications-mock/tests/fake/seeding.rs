//! Seeding the store directly: messages with their associations, as the HTTP API would have
//! stored them.

use crate::common;

use common::send;

use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
};

#[tokio::test]
async fn a_seeded_message_reads_back_with_its_properties_and_associations() {
    let config = Config::default().property(
        PropertyOwner::Communication,
        PropertyDefinition::string("ext").unique(),
    );
    let server = MockServer::start_with(config).await.unwrap();
    let contact = server.seed_contact("linda@example.com");
    let company = server.seed_company("Acme");
    let id = server.seed_message(
        &[
            ("hs_communication_channel_type", "WHATS_APP"),
            ("hs_communication_body", "Seeded"),
            ("hs_timestamp", "2026-11-02T09:00:00Z"),
            ("ext", "k1"),
            ("no_such_property", "dropped"),
        ],
        &[
            (ObjectType::Contact, contact.as_str()),
            (ObjectType::Company, company.as_str()),
            (ObjectType::Deal, "999999"),
        ],
    );

    let stored = server.message(&id).unwrap();
    assert_eq!(stored["properties"]["hs_communication_body"], "Seeded");
    assert!(stored["properties"].get("no_such_property").is_none());
    assert_eq!(
        server.associated_records(&id, ObjectType::Contact),
        [contact]
    );
    assert_eq!(
        server.associated_records(&id, ObjectType::Company),
        [company]
    );
    assert!(server.associated_records(&id, ObjectType::Deal).is_empty());
    // Its unique value is indexed: a read by it finds the message.
    let (status, body) = send(
        &server,
        reqwest::Method::GET,
        "/crm/v3/objects/communications/k1?idProperty=ext&associations=contacts",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(
        body["associations"]["contacts"]["results"][0]["type"],
        "communication_to_contact"
    );
    assert_eq!(server.stats().requests, 1, "seeding sent no request");
}
