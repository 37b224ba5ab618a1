//! What the relay counts, through the [`metrics`] facade: every piece records as it goes, and
//! nothing is kept unless a recorder is installed. `hubspot-comms relay --metrics-listen ADDR`
//! installs a Prometheus one and serves it at `/metrics`; a service embedding the pieces
//! installs whichever recorder it uses.
//!
//! Every series carries the HubSpot `account` it is about (the relay's account name):
//!
//! | name | kind | what |
//! |---|---|---|
//! | `relay_received_total` | counter | messages a receiver took for the account, signature checked (`provider`: `twilio`, `json`: a row each) |
//! | `relay_refused_total` | counter | requests a receiver refused (`provider`, `status`: 400, 403, 404, 413, 503), without `account` |
//! | `relay_stored_total` | counter | messages stored in the inbox |
//! | `relay_repeated_total` | counter | deliveries of a message stored before (stored once) |
//! | `relay_logged_total` | counter | messages logged in HubSpot and acknowledged |
//! | `relay_dead_lettered_total` | counter | messages moved to the dead letters |
//! | `relay_retried_total` | counter | tries that failed in a way that may pass (tried again later) |
//! | `relay_claimed_total` | counter | entries claimed from a worker that held them too long |
//! | `relay_backlog` | gauge | entries no worker has read yet |
//! | `relay_pending` | gauge | entries a worker holds, not yet acknowledged |
//! | `relay_dead_letters` | gauge | dead letters waiting |
//! | `relay_lag_seconds` | gauge | age of the oldest entry not yet logged (0 when none) |
//! | `relay_hubspot_requests_total` | counter | requests sent to HubSpot (`status`: the HTTP status, or `none` without an answer) |
//! | `relay_hubspot_rate_limited_total` | counter | HubSpot's 429 answers |
//! | `relay_hubspot_wait_milliseconds_total` | counter | time requests waited for the account's limit before they were sent (a counter counts whole numbers) |
//!
//! The gauges are read from Redis (the [`status`](super::status) of each account) by whoever
//! calls [`AccountStatus::record_gauges`](super::status::AccountStatus::record_gauges): the
//! relay command does every few seconds, in each process.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use hubspot_communications::Attempt;
use metrics::{counter, gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::accounts::AccountName;
use super::error::RelayError;

/// A message a receiver took for `account` from `provider` (its signature checked).
pub(crate) fn received(account: &AccountName, provider: &'static str) {
    counter!("relay_received_total", "account" => account.to_string(), "provider" => provider)
        .increment(1);
}

/// A request a receiver refused with `status`.
pub(crate) fn refused(provider: &'static str, status: u16) {
    counter!("relay_refused_total", "provider" => provider, "status" => status.to_string())
        .increment(1);
}

/// A message appended to `account`'s inbox: stored now, or `repeated` (stored before).
pub(crate) fn appended(account: &AccountName, repeated: bool) {
    let name = if repeated {
        "relay_repeated_total"
    } else {
        "relay_stored_total"
    };
    counter!(name, "account" => account.to_string()).increment(1);
}

/// What became of a worker's entries of `account`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Settled {
    Logged,
    DeadLettered,
    Retried,
    Claimed,
}

/// `count` entries of `account` settled as `how`.
pub(crate) fn settled(account: &AccountName, how: Settled, count: u64) {
    let name = match how {
        Settled::Logged => "relay_logged_total",
        Settled::DeadLettered => "relay_dead_lettered_total",
        Settled::Retried => "relay_retried_total",
        Settled::Claimed => "relay_claimed_total",
    };
    counter!(name, "account" => account.to_string()).increment(count);
}

/// A request a worker's client sent to HubSpot for `account` (given to
/// [`ClientBuilder::on_attempt`](hubspot_communications::ClientBuilder::on_attempt) by
/// [`worker_client`](super::accounts::worker_client)).
pub(crate) fn hubspot_attempt(account: &AccountName, attempt: &Attempt) {
    let status = attempt
        .status()
        .map_or_else(|| "none".to_owned(), |status| status.to_string());
    let account = account.to_string();
    counter!("relay_hubspot_requests_total", "account" => account.clone(), "status" => status)
        .increment(1);
    if attempt.status() == Some(429) {
        counter!("relay_hubspot_rate_limited_total", "account" => account.clone()).increment(1);
    }
    if !attempt.waited().is_zero() {
        let waited = u64::try_from(attempt.waited().as_millis()).unwrap_or(u64::MAX);
        counter!("relay_hubspot_wait_milliseconds_total", "account" => account).increment(waited);
    }
}

/// The gauges of one account's [`AccountStatus`](super::status::AccountStatus) (its
/// `record_gauges`).
pub(crate) fn status_gauges(
    account: &AccountName,
    backlog: u64,
    pending: u64,
    dead_letters: u64,
    lag: Duration,
) {
    let account = account.to_string();
    gauge!("relay_backlog", "account" => account.clone()).set(backlog as f64);
    gauge!("relay_pending", "account" => account.clone()).set(pending as f64);
    gauge!("relay_dead_letters", "account" => account.clone()).set(dead_letters as f64);
    gauge!("relay_lag_seconds", "account" => account).set(lag.as_secs_f64());
}

/// Installs a Prometheus recorder as the process's (once per process: a second call fails),
/// and answers the handle that renders what it holds.
pub(crate) fn install_prometheus() -> Result<PrometheusHandle, RelayError> {
    PrometheusBuilder::new()
        .install_recorder()
        .map_err(|error| RelayError::Setting(format!("the metrics recorder: {error}")))
}

/// `GET /metrics`: what `handle` holds, in Prometheus's text format.
pub(crate) fn metrics_router(handle: PrometheusHandle) -> Router {
    let handle = Arc::new(handle);
    Router::new().route(
        "/metrics",
        get(move || {
            let handle = Arc::clone(&handle);
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
            }
        }),
    )
}
