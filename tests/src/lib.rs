//! What the workspace's test suites share: a fake HubSpot and a client of it, and a scripted
//! HTTP server (wiremock) with HubSpot-shaped bodies, for answers the fake never gives.

pub mod contract;
pub mod redis_server;
pub mod scripted;

use std::time::Duration;

use contract::{CheckedServer, Violations};
use hubspot_communications::{Client, RateLimit, RetryPolicy};
use hubspot_communications_mock::{
    Config, MockServer, PropertyDefinition, PropertyOwner, RateLimit as FakeRateLimit,
};

/// A fake with `config`, and a client of it with fast retries and generous limits.
///
/// The fake's traffic is checked against the spec ([`contract`]): the test fails when the
/// returned server is dropped if a request or an answer departed from it.
pub async fn start(config: Config) -> (CheckedServer, Client) {
    // Loaded here, on the test's thread: a spec that cannot load fails the test, not the fake.
    let contract = contract::contract();
    let violations = Violations::default();
    let server = MockServer::start_with(violations.observe(config, contract))
        .await
        .expect("the fake starts");
    let client = client_of(&server, fast_retries());
    (CheckedServer::new(server, violations), client)
}

/// A client of `server` with `retry`.
pub fn client_of(server: &MockServer, retry: RetryPolicy) -> Client {
    builder(server)
        .retry(retry)
        .build()
        .expect("a valid client")
}

/// A client of `server` speaking `version`, with fast retries and generous limits: the suites
/// that run once per version ([`ApiVersion::ALL`](hubspot_communications::ApiVersion::ALL)).
pub fn client_at(server: &MockServer, version: hubspot_communications::ApiVersion) -> Client {
    builder(server)
        .api_version(version)
        .retry(fast_retries())
        .build()
        .expect("a valid client")
}

/// The tests' client of `server`: generous limits, a short timeout.
fn builder(server: &MockServer) -> hubspot_communications::ClientBuilder {
    Client::builder("test-token")
        .base_url(server.base_url())
        .rate_limit(RateLimit::new(100_000, Duration::from_secs(1)))
        .search_rate_limit(RateLimit::new(100_000, Duration::from_secs(1)))
        .timeout(Duration::from_secs(5))
}

/// Quick retries, so tests spend no time in backoff.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(5)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(10))
}

/// A fake with HubSpot's default behaviour, with limits high enough for bulk tests.
pub fn roomy() -> Config {
    Config::default()
        .rate_limit(FakeRateLimit::new(100_000, Duration::from_secs(1)))
        .search_rate_limit(FakeRateLimit::new(100_000, Duration::from_secs(1)))
}

/// `config` with a unique custom property `name` on messages, as an account that upserts on
/// its own message ids defines one (HubSpot refuses a non-unique `idProperty`).
pub fn with_unique_key(config: Config, name: &str) -> Config {
    config.property(
        PropertyOwner::Communication,
        PropertyDefinition::string(name).unique(),
    )
}

/// Makes `subscriber` this thread's default until the guard drops, for a test that reads what
/// it traced, however many other tests run beside it without one.
///
/// tracing caches each callsite's interest. While one dispatcher alone is registered, a
/// callsite first reached on another test's thread (which has none) is asked of that thread's
/// dispatcher only, is cached as "never", and this subscriber would then miss it. A second
/// dispatcher, registered once for the process and never dropped, makes tracing ask them all.
pub fn trace_into<S>(subscriber: S) -> tracing::subscriber::DefaultGuard
where
    S: tracing::Subscriber + Send + Sync + 'static,
{
    static ALWAYS_REGISTERED: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    ALWAYS_REGISTERED
        .get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    tracing::subscriber::set_default(subscriber)
}

/// The records a `read_associations` outcome gives each of `ids`, by id; panics on a failed
/// input, so that a test reads the answer as a whole.
pub fn associations_by_id(
    ids: &[String],
    outcome: hubspot_communications::BatchOutcome<Vec<hubspot_communications::AssociatedRecord>>,
) -> std::collections::HashMap<String, Vec<hubspot_communications::AssociatedRecord>> {
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    outcome
        .succeeded
        .into_iter()
        .map(|read| {
            (
                ids[read.input.expect("each read names its input")].clone(),
                read.value,
            )
        })
        .collect()
}
