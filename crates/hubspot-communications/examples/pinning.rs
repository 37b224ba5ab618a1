//! Pins a message on a contact's timeline, after associating it, as HubSpot requires.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use hubspot_communications::{Association, Channel, Error, NewMessage, ObjectType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _fake) = common::connect().await?;
    let contact = client
        .create_record(
            ObjectType::Contact,
            BTreeMap::from([("email".into(), "pin-demo@example.com".into())]),
        )
        .await?;
    let message = client
        .create(&NewMessage::new(
            Channel::LinkedIn,
            "Sent Carla the proposal.",
        ))
        .await?;

    match client.pin(&message.id, &contact).await {
        Err(Error::NotAssociated { .. }) => {
            println!("Not pinned yet: the message is not associated with {contact}.")
        }
        other => println!("Unexpected: {other:?}"),
    }
    client
        .associate(&message.id, &Association::contact(&contact.id))
        .await?;
    client.pin(&message.id, &contact).await?;
    let pinned = client
        .get_record(&contact, &["hs_pinned_engagement_id"])
        .await?;
    println!(
        "Pinned message {} on {contact} (hs_pinned_engagement_id = {:?}).",
        message.id,
        pinned.property("hs_pinned_engagement_id")
    );

    let unpinned = client.unpin(&message.id, &contact).await?;
    println!("Unpinned it: {unpinned}.");
    client.archive(&message.id).await?;
    client.archive_record(&contact).await?;
    Ok(())
}
