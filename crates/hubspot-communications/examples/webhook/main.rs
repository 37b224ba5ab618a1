//! A small service that logs inbound WhatsApp and SMS messages from Twilio on the sender's
//! contact, exactly once.
//!
//! ```sh
//! cargo run --example webhook                    # the embedded fake; sends itself a demo webhook
//! TWILIO_AUTH_TOKEN=… HUBSPOT_ACCESS_TOKEN=pat-… WEBHOOK_PUBLIC_URL=https://hooks.example.com \
//!     cargo run --example webhook                # your account, behind your public URL
//! ```
//!
//! Point a Twilio number's (or WhatsApp sender's) "A message comes in" webhook at
//! `<public URL>/twilio/messages` (`POST`). Each request's `X-Twilio-Signature` is checked
//! (403 if wrong); the sender (`From`; `whatsapp:+…` is WhatsApp, a bare number SMS) is looked
//! up by phone number and a contact created if none holds it; the message is logged on it by
//! an upsert keyed by Twilio's `MessageSid` in the unique property `twilio_message_sid` (made
//! sure of at start: created on communications when missing, through HubSpot's Properties
//! API), so Twilio's retries never log it twice. A number two contacts hold is not guessed
//! at: 409, nothing logged.
//!
//! `WEBHOOK_ADDRESS` is where it listens (`127.0.0.1:3000`); `HUBSPOT_BASE_URL` and
//! `HUBSPOT_API_VERSION` as in the quickstart. `--once` stops after the demo.

#[path = "../common/mod.rs"]
mod common;

// The tests package runs the parts of it this program leaves unused (router, default_region).
#[allow(dead_code)]
mod app;

use hubspot_communications_mock::{Config, ObjectType};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, fake) = common::connect_with(Config::default()).await?;
    // The unique property the upserts key on: created when missing, left alone when there;
    // a property of that name that cannot key messages stops the service here, with why.
    let key = client.ensure_key_property(app::ID_PROPERTY).await?;
    println!(
        "Key property {}: {}.",
        app::ID_PROPERTY,
        if key.created { "created" } else { "found" }
    );
    let auth_token = match std::env::var("TWILIO_AUTH_TOKEN") {
        Ok(token) if !token.trim().is_empty() => token,
        _ => {
            println!("No TWILIO_AUTH_TOKEN: requests must be signed with \"demo-auth-token\".");
            "demo-auth-token".to_owned()
        }
    };
    let address = std::env::var("WEBHOOK_ADDRESS").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let local = listener.local_addr()?;
    let mut settings = app::Settings::new(client, auth_token.clone());
    if let Ok(url) = std::env::var("WEBHOOK_PUBLIC_URL") {
        settings = settings.public_url(url);
    }
    let service = tokio::spawn(async move { axum::serve(listener, settings.router()).await });
    println!("Listening on http://{local}{}", app::PATH);

    if let Some(fake) = &fake {
        demo(&format!("http://{local}{}", app::PATH), &auth_token).await?;
        let contacts = fake.records(ObjectType::Contact);
        let phones: Vec<&str> = contacts
            .iter()
            .filter_map(|(_, c)| c.get("phone").map(String::as_str))
            .collect();
        println!(
            "The fake now holds {} message(s) and {} contact(s) ({}).",
            fake.message_count(),
            contacts.len(),
            phones.join(", ")
        );
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

/// Delivers one signed WhatsApp webhook twice, as Twilio does when an answer is slow, and a
/// forged one.
async fn demo(url: &str, auth_token: &str) -> Result<(), Box<dyn std::error::Error>> {
    let params: Vec<(String, String)> = [
        ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
        ("From", "whatsapp:+14155550123"),
        ("To", "whatsapp:+14155550100"),
        ("Body", "Hi! Is the contract ready to sign?"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .into();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let http = reqwest::Client::new();
    let send = |signature: String| {
        http.post(url)
            .header("X-Twilio-Signature", signature)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.clone())
            .send()
    };
    for delivery in ["first delivery", "Twilio's retry"] {
        let status = send(app::signature(auth_token, url, &params))
            .await?
            .status();
        println!("{delivery}: {status}");
    }
    let forged = send(app::signature("not-the-token", url, &params))
        .await?
        .status();
    println!("a forged request: {forged}");
    Ok(())
}
