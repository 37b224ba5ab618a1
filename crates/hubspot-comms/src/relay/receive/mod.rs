//! The receivers: an axum [`Router`] that takes messages from providers, checks who sent them,
//! stores each in the [`Inbox`](super::inbox::Inbox) and answers only then.
//!
//! | route | from | signed with | answered |
//! |---|---|---|---|
//! | `POST /twilio/messages` ([`TWILIO_PATH`]) | Twilio's "a message comes in" webhook (SMS, WhatsApp) | `X-Twilio-Signature`: HMAC-SHA1 of the public URL and the sorted form parameters, with the Twilio account's auth token | `200` with an empty TwiML `<Response/>` once stored; `403` on a bad signature; `400` without a `MessageSid` or `From`; `404` for a message no route names; `503` when Redis cannot take it (Twilio may retry) |
//! | `POST /messages` ([`JSON_PATH`]) | any other provider: one row, an array of rows, or JSON Lines of the rows `hubspot-comms import` reads | `X-Relay-Signature: sha256=<hex>`: HMAC-SHA256 of the body with a shared secret | `202` once every row is stored (`{"stored": n, "repeated": m}`); `400` with a reason per bad row (then none is stored); `403`, `404`, `503` as above |
//!
//! A repeated delivery (the same key: Twilio's `MessageSid`, the row's key) is answered as the
//! first was and stored once. Bodies are capped ([`MAX_TWILIO_BODY_BYTES`],
//! [`MAX_JSON_BODY_BYTES`], [`MAX_JSON_ROWS`]; over them: `413`); whatever a request holds, a
//! receiver answers it and never panics.
//!
//! ```no_run
//! use hubspot_comms::relay::accounts::{AccountName, Routes};
//! use hubspot_comms::relay::inbox::Inbox;
//! use hubspot_comms::relay::receive::{Receivers, Twilio};
//! use hubspot_comms::relay::Streams;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let streams = Streams::connect("redis://127.0.0.1:6379/").await?;
//! let receivers = Receivers::new(Inbox::new(streams), Routes::one(AccountName::default()))
//!     .twilio(Twilio::new("https://hooks.example.com", std::env::var("TWILIO_AUTH_TOKEN")?))
//!     .json(std::env::var("RELAY_JSON_SECRET")?);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! axum::serve(listener, receivers.router()).await?;
//! # Ok(()) }
//! ```

mod json;
mod receivers;
mod twilio;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

pub use json::{JSON_PATH, MAX_JSON_BODY_BYTES, MAX_JSON_ROWS, SIGNATURE_HEADER, json_signature};
pub use receivers::Twilio;
pub use twilio::{MAX_TWILIO_BODY_BYTES, TWILIO_PATH, twilio_signature};

pub use receivers::Receivers;

impl Receivers {
    /// The routes: `POST` [`TWILIO_PATH`] and `POST` [`JSON_PATH`], each only when its provider
    /// was given.
    pub fn router(self) -> Router {
        let shared = Arc::new(self);
        let mut router = Router::new();
        if shared.twilio.is_some() {
            router = router.route(
                TWILIO_PATH,
                post(twilio::receive).layer(DefaultBodyLimit::max(MAX_TWILIO_BODY_BYTES)),
            );
        }
        if shared.json_secret.is_some() {
            router = router.route(
                JSON_PATH,
                post(json::receive).layer(DefaultBodyLimit::max(MAX_JSON_BODY_BYTES)),
            );
        }
        router.with_state(shared)
    }
}
