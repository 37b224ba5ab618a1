//! Every section of HubSpot's Communications guide, through the facade, against the fake.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use hubspot_communications::{
    ApiVersion, Association, AssociationType, Channel, Error, MessageUpdate, NewMessage,
    ObjectType, ReadOptions, Record,
};
use hubspot_communications_mock::ObjectType as FakeObjectType;
use hubspot_communications_tests::{client_at, roomy, start};

/// The guide on every version the client speaks: one body, run per version (a version added
/// to `ApiVersion::ALL` runs here with no new test code).
#[tokio::test]
async fn the_whole_guide_on_every_version() {
    for version in ApiVersion::ALL {
        the_whole_guide(version).await;
    }
}

async fn the_whole_guide(version: ApiVersion) {
    let (server, _) = start(roomy()).await;
    let client = client_at(&server, version);
    assert_eq!(client.api_version(), version);
    let contact = Record::contact(server.seed_contact("linda@example.com"));
    let company = Record::company(server.seed_company("Example Corp"));
    let deal = Record::deal(server.seed_deal("Contract"));

    // Create, with associations.
    let timestamp = chrono::DateTime::parse_from_rfc3339("2022-11-12T15:48:22Z")
        .unwrap()
        .to_utc();
    let new = NewMessage::new(Channel::WhatsApp, "Texted Linda.")
        .timestamp(timestamp)
        .owner("1234567")
        .associate(Association::contact(&contact.id))
        .associate(Association::company(&company.id));
    let created = client.create(&new).await.unwrap();
    assert_eq!(created.channel, Some(Channel::WhatsApp));
    assert_eq!(created.timestamp, Some(timestamp));
    assert_eq!(
        created.property("hs_communication_logged_from"),
        Some("CRM")
    );

    // Retrieve, with the chosen properties and associations.
    let options = ReadOptions::new()
        .properties(["hs_communication_body", "hubspot_owner_id"])
        .associations(ObjectType::Contact)
        .associations(ObjectType::Company);
    let read = client.get_with(&created.id, &options).await.unwrap();
    assert_eq!(read.body.as_deref(), Some("Texted Linda."));
    assert_eq!(read.associations[&ObjectType::Contact][0].id, contact.id);
    assert_eq!(
        read.associations[&ObjectType::Company][0].association_type,
        "communication_to_company"
    );
    assert_eq!(
        read.property("hs_communication_channel_type"),
        None,
        "only the asked-for properties"
    );

    // Update, and clear a value.
    let updated = client
        .update(
            &created.id,
            &MessageUpdate::new()
                .body("Sent a follow-up.")
                .clear("hubspot_owner_id"),
        )
        .await
        .unwrap();
    assert_eq!(updated.body.as_deref(), Some("Sent a follow-up."));
    let history = client
        .get_with(
            &created.id,
            &ReadOptions::new()
                .properties(["hubspot_owner_id"])
                .properties_with_history(["hs_communication_body"]),
        )
        .await
        .unwrap();
    assert_eq!(history.owner_id, None, "cleared");
    assert_eq!(
        history.properties_with_history["hs_communication_body"].len(),
        2
    );

    // Associate an existing message, and list its associations.
    client
        .associate(&created.id, &Association::deal(&deal.id))
        .await
        .unwrap();
    let deals: Vec<_> = client
        .associations(&created.id, ObjectType::Deal)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(deals[0].id, deal.id);
    assert_eq!(
        deals[0].types[0].association_type,
        AssociationType::COMMUNICATION_TO_DEAL
    );

    // Pin: refused where not associated, accepted where it is.
    let other = Record::contact(server.seed_contact("other@example.com"));
    assert!(matches!(
        client.pin(&created.id, &other).await,
        Err(Error::NotAssociated { .. })
    ));
    client.pin(&created.id, &contact).await.unwrap();
    let pinned = server.record(FakeObjectType::Contact, &contact.id).unwrap();
    assert_eq!(pinned["hs_pinned_engagement_id"], created.id);
    assert!(client.unpin(&created.id, &contact).await.unwrap());
    assert!(
        !server
            .record(FakeObjectType::Contact, &contact.id)
            .unwrap()
            .contains_key("hs_pinned_engagement_id")
    );

    // Remove an association.
    client
        .remove_association(&created.id, &Association::deal(&deal.id))
        .await
        .unwrap();
    assert!(!client.is_associated(&created.id, &deal).await.unwrap());

    // Delete (archive), then find it among the archived.
    client.archive(&created.id).await.unwrap();
    assert_eq!(
        client.get(&created.id).await.unwrap_err().status(),
        Some(404)
    );
    let archived: Vec<_> = client
        .list(ReadOptions::new().archived(true))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(archived.len(), 1);
    assert!(archived[0].archived);
}

#[tokio::test]
async fn hubspots_own_checks_surface_as_typed_errors() {
    let (server, client) = start(roomy()).await;
    let unknown_contact =
        NewMessage::new(Channel::Sms, "hi").associate(Association::contact("424242"));
    let error = client.create(&unknown_contact).await.unwrap_err();
    assert_eq!(
        error.api().unwrap().category.as_ref().map(|c| c.as_str()),
        Some("VALIDATION_ERROR")
    );

    let later_channel = NewMessage::new(Channel::from("CARRIER_PIGEON"), "coo");
    let error = client.create(&later_channel).await.unwrap_err();
    assert_eq!(
        error.api().unwrap().details[0].field.as_deref(),
        Some("hs_communication_channel_type")
    );

    let record = client
        .create_record(
            ObjectType::Ticket,
            BTreeMap::from([("subject".into(), "Broken".into())]),
        )
        .await
        .unwrap();
    assert!(server.record(FakeObjectType::Ticket, &record.id).is_some());
}
