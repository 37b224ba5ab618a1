//! A small service that logs inbound WhatsApp and SMS messages from Twilio on the sender's
//! contact, exactly once, losing none while HubSpot is away: the relay's receiver and worker
//! (`hubspot_comms::relay`) in one process. `hubspot-comms relay` runs the same pieces as a
//! finished service (receivers and workers in separate processes, metrics, SIGTERM): this
//! example is the start of a service of your own that embeds them.
//!
//! ```sh
//! cargo run -p hubspot-comms --example webhook   # the embedded fake, a redis-server of its own; sends itself demo webhooks
//! REDIS_URL=redis://127.0.0.1:6379/ TWILIO_AUTH_TOKEN=… HUBSPOT_ACCESS_TOKEN=pat-… \
//!     RELAY_PUBLIC_URL=https://hooks.example.com cargo run -p hubspot-comms --example webhook
//! ```
//!
//! Point a Twilio number's (or WhatsApp sender's) "A message comes in" webhook at
//! `<public URL>/twilio/messages` (`POST`). Each request's `X-Twilio-Signature` is checked
//! (403 if wrong), and the message stored in Redis before Twilio hears 200: a repeated
//! delivery is stored once. The worker finds the sender's contact (`From`; `whatsapp:+…` is
//! WhatsApp, a bare number SMS) or creates one, and logs the message on it by an upsert keyed
//! by Twilio's `MessageSid` in the unique property `external_message_id` (made sure of at
//! start, as `hubspot-comms setup` does). While HubSpot is away messages wait in Redis; a
//! message HubSpot refuses, or whose number two contacts hold, is a dead letter with why.
//!
//! Without `REDIS_URL` it starts a `redis-server` of its own (installed on the `PATH`) on a
//! Unix socket in a temporary directory, with AOF `appendfsync always`, the persistence the
//! relay needs. `WEBHOOK_ADDRESS` is where it listens (`127.0.0.1:3000`); `HUBSPOT_BASE_URL`
//! and `HUBSPOT_API_VERSION` as in the facade's quickstart. `--once` stops after the demo.

// The tests run the parts of it this program leaves unused.
#[allow(dead_code)]
mod app;

use std::time::Duration;

use hubspot_comms::DEFAULT_KEY_PROPERTY;
use hubspot_comms::relay::Streams;
use hubspot_comms::relay::demo::{DEMO_AUTH_TOKEN, DEMO_MESSAGES, LocalRedis, send_demo_webhooks};
use hubspot_comms::relay::work::WorkerOptions;
use hubspot_communications::{ApiVersion, Client, ClientBuilder};
use hubspot_communications_mock::{
    Config, MockServer, ObjectType, PropertyDefinition, PropertyOwner,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (hubspot, fake) = connect().await?;
    // The unique property the upserts key on: created when missing, left alone when there.
    let key = hubspot_comms::setup::setup(&hubspot.clone().build()?, DEFAULT_KEY_PROPERTY).await?;
    println!("{}.", hubspot_comms::setup::describe(&key));

    let (redis_url, _redis) = match std::env::var("REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => (url, None),
        _ => {
            let server = LocalRedis::start()?;
            println!("No REDIS_URL: started a redis-server of its own (AOF, appendfsync always).");
            (server.url().to_owned(), Some(server))
        }
    };
    let streams = Streams::connect(&redis_url).await?;
    let auth_token = match std::env::var("TWILIO_AUTH_TOKEN") {
        Ok(token) if !token.trim().is_empty() && fake.is_none() => token,
        _ => {
            println!("Requests must be signed with the demo's Twilio token \"{DEMO_AUTH_TOKEN}\".");
            DEMO_AUTH_TOKEN.to_owned()
        }
    };
    let address = std::env::var("WEBHOOK_ADDRESS").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    let local = format!("http://{}", listener.local_addr()?);
    let public_url = std::env::var("RELAY_PUBLIC_URL").unwrap_or_else(|_| local.clone());
    let router = app::router(&streams, &public_url, &auth_token);
    let service = tokio::spawn(async move { axum::serve(listener, router).await });
    let worker = app::worker(&streams, hubspot, WorkerOptions::default())?;
    let counts = worker.counts();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let working = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    println!(
        "Listening on {local}{} (signed for {public_url}{}).",
        app::PATH,
        app::PATH
    );

    if let Some(fake) = &fake {
        let answers = send_demo_webhooks(&local, &public_url).await?;
        println!(
            "Demo webhooks answered {:?}; the first again (as Twilio retries) {}; a forged one {}.",
            answers.messages, answers.repeated, answers.forged
        );
        let waited = std::time::Instant::now();
        while counts.logged() < DEMO_MESSAGES.len() as u64
            && waited.elapsed() < Duration::from_secs(10)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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
    if !std::env::args().any(|arg| arg == "--once") {
        println!("Ctrl-C stops.");
        tokio::select! {
            served = service => served??,
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    let _ = stop.send(());
    working.await??;
    Ok(())
}

/// A client builder of HubSpot when `HUBSPOT_ACCESS_TOKEN` is set, else of an embedded fake
/// (kept alive by the caller).
async fn connect() -> Result<(ClientBuilder, Option<MockServer>), Box<dyn std::error::Error>> {
    let version = match std::env::var("HUBSPOT_API_VERSION") {
        Ok(name) if !name.trim().is_empty() => name.parse::<ApiVersion>()?,
        _ => ApiVersion::default(),
    };
    if let Ok(token) = std::env::var("HUBSPOT_ACCESS_TOKEN")
        && !token.trim().is_empty()
    {
        let base_url = std::env::var("HUBSPOT_BASE_URL")
            .unwrap_or_else(|_| hubspot_communications::DEFAULT_BASE_URL.to_owned());
        println!("Talking to HubSpot at {base_url}.");
        return Ok((
            Client::builder(token)
                .base_url(base_url)
                .api_version(version),
            None,
        ));
    }
    let fake = MockServer::start_with(Config::default().property(
        PropertyOwner::Communication,
        PropertyDefinition::string(DEFAULT_KEY_PROPERTY).unique(),
    ))
    .await?;
    println!(
        "No HUBSPOT_ACCESS_TOKEN: using the embedded fake HubSpot at {}.",
        fake.base_url()
    );
    let builder = Client::builder("demo-token")
        .base_url(fake.base_url())
        .api_version(version);
    Ok((builder, Some(fake)))
}
