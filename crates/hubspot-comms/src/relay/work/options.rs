//! How a worker reads, batches and retries: its options, and its name in the consumer group.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use hubspot_communications::Region;

use crate::DEFAULT_KEY_PROPERTY;
use crate::relay::error::RelayError;

/// A worker's largest batch: HubSpot's largest association batch (its upserts go 100 a
/// request, HubSpot's largest).
pub const MAX_BATCH_SIZE: usize = hubspot_communications::MAX_ASSOCIATION_BATCH_SIZE;

/// How a worker reads, batches and retries.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WorkerOptions {
    /// The unique communication property that holds each message's key
    /// ([`DEFAULT_KEY_PROPERTY`]); `hubspot-comms setup` creates it.
    pub key_property: String,
    /// The region of numbers without a country code (none: such an entry is a dead letter).
    pub default_region: Option<Region>,
    /// This worker's consumer name in the group: unique per process (by default the host's
    /// name, the process id and a random part). Two live workers of one name would share one
    /// list of pending entries.
    pub consumer: String,
    /// The most entries logged together ([`MAX_BATCH_SIZE`], 1,000, and at most that): their
    /// upserts 100 a request, their associations one request.
    pub batch_size: usize,
    /// How long a batch waits for more entries after its first is ready, and a lookup for
    /// more numbers after its first (250 ms).
    pub linger: Duration,
    /// How long an entry may sit unsettled with one worker before others claim it (60 s).
    /// Longer than any HubSpot call can take (the client's deadline); shorter is a faster
    /// recovery from a crash.
    pub claim_after: Duration,
    /// How many upserts (of up to 100 messages each) of one account a worker sends at once
    /// (4); its association requests go one at a time.
    pub upserts_in_flight: usize,
    /// The wait before an entry's first retry (1 s), doubled for each retry after it…
    pub retry_after: Duration,
    /// …up to this (5 s: a worker meets HubSpot back from an outage within seconds, and a
    /// try costs a batch's few requests).
    pub max_retry_after: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            key_property: DEFAULT_KEY_PROPERTY.to_owned(),
            default_region: None,
            consumer: unique_consumer_name(),
            batch_size: MAX_BATCH_SIZE,
            linger: Duration::from_millis(250),
            claim_after: Duration::from_secs(60),
            upserts_in_flight: 4,
            retry_after: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

impl WorkerOptions {
    pub(super) fn check(&self) -> Result<(), RelayError> {
        let problem = if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            Some(format!(
                "a batch size of {} (1 to {MAX_BATCH_SIZE})",
                self.batch_size
            ))
        } else if self.upserts_in_flight == 0 {
            Some("no upsert in flight".to_owned())
        } else if self.claim_after < Duration::from_millis(100) {
            Some("a claim time under 100 ms".to_owned())
        } else if self.consumer.is_empty() || self.consumer.chars().any(char::is_whitespace) {
            Some(format!("the consumer name {:?}", self.consumer))
        } else if self.key_property.trim().is_empty() {
            Some("no key property".to_owned())
        } else {
            None
        };
        match problem {
            Some(problem) => Err(RelayError::Setting(format!(
                "the worker cannot run with {problem}"
            ))),
            None => Ok(()),
        }
    }
}

/// A consumer name no other process has: the host, the process id and a random part.
fn unique_consumer_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty() && !host.chars().any(char::is_whitespace))
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}-{}-{:08x}", std::process::id(), random() as u32)
}

/// A random number from the standard library's hasher keys (no dependency for so little).
pub(crate) fn random() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}
