//! HubSpot's Communications guide, end to end.
//!
//! ```sh
//! cargo run --example quickstart                                   # against the embedded fake
//! HUBSPOT_ACCESS_TOKEN=pat-… cargo run --example quickstart        # against your HubSpot account
//! HUBSPOT_API_VERSION=v3 cargo run --example quickstart            # the guide's v3 paths
//! ```
//!
//! Against HubSpot it creates a demo contact, company and deal, and archives everything it
//! created at the end. `HUBSPOT_BASE_URL` overrides the base URL (with a token it runs against
//! any server, such as `hubspot-communications-mock --log`); `HUBSPOT_API_VERSION` (`v3`,
//! `2026-03`, `2026-09`) picks the API version, the newest by default.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;

use futures::TryStreamExt;
use hubspot_communications::{
    Association, Channel, Client, MessageUpdate, NewMessage, ObjectType, ReadOptions, Record,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // With no token, a fake HubSpot runs inside this program; keep it alive until the end.
    let (client, _fake) = common::connect().await?;

    let contact = record(&client, ObjectType::Contact, "email", "linda@example.com").await?;
    let company = record(&client, ObjectType::Company, "name", "Example Corp").await?;
    let deal = record(&client, ObjectType::Deal, "dealname", "Example contract").await?;
    println!("Records: {contact}, {company}, {deal}.\n");

    // Create a message, associated with the contact and the company.
    let new = NewMessage::new(
        Channel::Sms,
        "Texted Linda to confirm that we're ready to move forward with the contract.",
    )
    .associate(Association::contact(&contact.id))
    .associate(Association::company(&company.id));
    let message = client.create(&new).await?;
    let channel = message
        .channel
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    println!(
        "1. Logged message {} ({channel}) on the contact and the company.",
        message.id
    );

    // Read it back, with its associated contacts.
    let options = ReadOptions::new()
        .properties([
            "hs_communication_body",
            "hs_communication_channel_type",
            "hs_timestamp",
        ])
        .associations(ObjectType::Contact);
    let read = client.get_with(&message.id, &options).await?;
    let contacts = read
        .associations
        .get(&ObjectType::Contact)
        .map_or(0, Vec::len);
    println!(
        "2. Read it back: \"{}\", on the timeline at {}, associated with {contacts} contact(s).",
        read.body.as_deref().unwrap_or_default(),
        read.timestamp
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default(),
    );

    // List messages: the stream pages by itself.
    let listed: Vec<_> = client.list(ReadOptions::new()).try_collect().await?;
    println!("3. Listed {} message(s).", listed.len());

    // Update: set the text, and clear the owner (HubSpot's empty string).
    let update = MessageUpdate::new()
        .body("Sent a follow-up message to Linda.")
        .clear("hubspot_owner_id");
    let updated = client.update(&message.id, &update).await?;
    println!(
        "4. Updated the text to \"{}\".",
        updated.body.as_deref().unwrap_or_default()
    );

    // Associate the existing message with the deal.
    client
        .associate(&message.id, &Association::deal(&deal.id))
        .await?;
    println!("5. Associated it with {deal}.");

    // Pin it on the contact's timeline (it is associated, so HubSpot allows it).
    client.pin(&message.id, &contact).await?;
    println!("6. Pinned it on {contact}.");

    // Remove the association with the deal.
    client
        .remove_association(&message.id, &Association::deal(&deal.id))
        .await?;
    let still = client.is_associated(&message.id, &deal).await?;
    println!("7. Removed the association with {deal} (still associated: {still}).");

    // Archive (HubSpot's recycle bin).
    client.unpin(&message.id, &contact).await?;
    client.archive(&message.id).await?;
    let archived = client
        .get_with(&message.id, &ReadOptions::new().archived(true))
        .await?;
    println!("8. Archived it (archived: {}).", archived.archived);

    for record in [&contact, &company, &deal] {
        client.archive_record(record).await?;
    }
    println!(
        "\nDone: every step of HubSpot's Communications guide, through hubspot-communications."
    );
    Ok(())
}

async fn record(
    client: &Client,
    object_type: ObjectType,
    property: &str,
    value: &str,
) -> Result<Record, hubspot_communications::Error> {
    let properties = BTreeMap::from([(property.to_owned(), value.to_owned())]);
    client.create_record(object_type, properties).await
}
