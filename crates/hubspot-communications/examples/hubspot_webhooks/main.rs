//! A small service that receives HubSpot's webhooks: every request's signature is verified
//! (v3: HMAC-SHA256 of method, URL, body and timestamp with the app's client secret; 401 if it
//! does not hold), and for each communication created or changed the message is read and its
//! channel and body printed.
//!
//! ```sh
//! cargo run --example hubspot_webhooks           # the embedded fake delivers it demo events
//! HUBSPOT_ACCESS_TOKEN=pat-… HUBSPOT_CLIENT_SECRET=… \
//!     WEBHOOK_PUBLIC_URL=https://hooks.example.com/hubspot/webhooks \
//!     cargo run --example hubspot_webhooks       # your app's webhooks, behind your public URL
//! ```
//!
//! In your app's settings, point the webhooks' target URL at `<public URL>/hubspot/webhooks`
//! and subscribe to communications' creation and property changes (HubSpot does not offer
//! `hs_communication_body`; the service reads the message whatever changed).
//! `WEBHOOK_PUBLIC_URL` is that target URL (the signature covers it; behind a proxy it is not
//! the address the service sees); `WEBHOOK_ADDRESS` where the service listens
//! (`127.0.0.1:3000`); `HUBSPOT_BASE_URL` and `HUBSPOT_API_VERSION` as in the quickstart.
//!
//! Without `HUBSPOT_ACCESS_TOKEN` it runs on the embedded fake HubSpot, configured to deliver
//! its webhooks here: it logs a message, changes its channel, and prints what arrived; a
//! forged request is refused. `--once` stops after that demo.

#[path = "../common/mod.rs"]
mod common;

// The tests package runs the parts of it this program leaves unused.
#[allow(dead_code)]
mod app;

use std::time::Duration;

use hubspot_communications::{Association, Channel, Client, MessageUpdate, NewMessage};
use hubspot_communications_mock::{Config, MockServer, PropertyOwner, Subscription, Webhooks};

/// The client secret the demo's fake signs with when `HUBSPOT_CLIENT_SECRET` is unset.
const DEMO_SECRET: &str = "demo-client-secret";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::var("WEBHOOK_ADDRESS").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let local = format!("http://{}{}", listener.local_addr()?, app::PATH);
    let with_account = std::env::var("HUBSPOT_ACCESS_TOKEN").is_ok_and(|t| !t.trim().is_empty());
    let secret = match std::env::var("HUBSPOT_CLIENT_SECRET") {
        Ok(secret) if !secret.trim().is_empty() => secret,
        _ if with_account => {
            return Err("HUBSPOT_CLIENT_SECRET (the app's client secret) is needed to verify HubSpot's requests".into());
        }
        _ => {
            println!("No HUBSPOT_CLIENT_SECRET: requests must be signed with \"{DEMO_SECRET}\".");
            DEMO_SECRET.to_owned()
        }
    };
    // The fake (used without a token) delivers its webhooks to this service.
    let webhooks = Webhooks::new(&local, &secret)
        .subscribe(Subscription::creation(PropertyOwner::Communication))
        .subscribe(Subscription::property_change(
            PropertyOwner::Communication,
            "hs_communication_channel_type",
        ))
        .retry_schedule(Duration::from_millis(200), 3);
    let (client, fake) = common::connect_with(Config::default().webhooks(webhooks)).await?;

    let mut settings = app::Settings::new(client.clone(), &secret);
    if let Ok(url) = std::env::var("WEBHOOK_PUBLIC_URL") {
        settings = settings.public_url(&url);
    }
    let service = tokio::spawn(async move { axum::serve(listener, settings.router()).await });
    println!("Listening on {local}");

    if let Some(fake) = &fake {
        demo(&client, fake, &local).await?;
    }
    if std::env::args().any(|arg| arg == "--once") {
        return Ok(());
    }
    println!("Ctrl-C stops.");
    tokio::select! {
        served = service => served??,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// Logs a message on the fake and changes its channel (the fake delivers a webhook for each),
/// then sends a forged request.
async fn demo(
    client: &Client,
    fake: &MockServer,
    url: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let contact = fake.seed_contact("linda@example.com");
    let message = client
        .create(
            &NewMessage::new(Channel::Sms, "Hi! Is the contract ready to sign?")
                .associate(Association::contact(&contact)),
        )
        .await?;
    // Delivered (and printed) before the change, so that it reads the message as it was.
    tokio::time::timeout(Duration::from_secs(10), fake.webhooks_settled()).await?;
    client
        .update(
            &message.id,
            &MessageUpdate::new().channel(Channel::WhatsApp),
        )
        .await?;
    tokio::time::timeout(Duration::from_secs(10), fake.webhooks_settled()).await?;
    for delivery in fake.webhook_deliveries() {
        println!(
            "the fake delivered {} event(s), attempt {}: {:?}",
            delivery.event_count, delivery.attempt_number, delivery.outcome
        );
    }
    let forged = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-HubSpot-Signature-v3", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .header(
            "X-HubSpot-Request-Timestamp",
            chrono::Utc::now().timestamp_millis().to_string(),
        )
        .body(r#"[{"eventId":1,"subscriptionType":"object.creation","objectTypeId":"0-18","objectId":1}]"#)
        .send()
        .await?;
    println!(
        "a forged request: {} {}",
        forged.status(),
        forged.text().await?
    );
    Ok(())
}
