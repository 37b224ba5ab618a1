//! The webhook's core, apart from `main` so that the relay's tests run it: the relay's pieces
//! for one HubSpot account and Twilio, nothing of its own. The receiver checks Twilio's
//! signature and stores each message in a Redis Stream before answering; the worker logs it on
//! the sender's contact (found, or created), exactly once by its `MessageSid`.

use hubspot_comms::relay::accounts::{AccountName, Routes, worker_client};
use hubspot_comms::relay::inbox::Inbox;
use hubspot_comms::relay::receive::{Receivers, Twilio};
use hubspot_comms::relay::work::{Worker, WorkerOptions};
use hubspot_comms::relay::{RelayError, Streams};
use hubspot_communications::ClientBuilder;

pub use hubspot_comms::relay::receive::TWILIO_PATH as PATH;

/// The service Twilio calls (`POST` [`PATH`]): requests signed with `auth_token` for
/// `public_url` + [`PATH`], stored in `streams`.
pub fn router(streams: &Streams, public_url: &str, auth_token: &str) -> axum::Router {
    Receivers::new(
        Inbox::new(streams.clone()),
        Routes::one(AccountName::default()),
    )
    .twilio(Twilio::new(public_url, auth_token))
    .router()
}

/// The worker that logs what the service stored, through a client of `hubspot` (the account's
/// limit shared in `streams`' Redis with every other worker).
pub fn worker(
    streams: &Streams,
    hubspot: ClientBuilder,
    options: WorkerOptions,
) -> Result<Worker, RelayError> {
    let account = AccountName::default();
    let client = worker_client(streams, &account, hubspot)?;
    Ok(Worker::new(streams.clone(), options).account(account, client))
}
