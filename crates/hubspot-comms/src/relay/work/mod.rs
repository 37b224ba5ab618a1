//! The worker: logs the inbox's entries in HubSpot, exactly once, and acknowledges each only
//! when HubSpot's answer is final.
//!
//! Any number of workers, in any number of processes on any number of machines, read each
//! account's stream as one Redis consumer group (`XREADGROUP`), each under a consumer name of
//! its own. A worker does three things at once, each account in a lane of its own (`lane.rs`):
//!
//! 1. **reads** entries and finds their contacts in the account's contact directory, which
//!    every worker shares in Redis (one `MGET` for all that came together: a number any
//!    worker looked up in the last hour is there). An entry whose contact it holds is ready;
//! 2. **looks up** the other numbers, up to 500 together, through the facade's
//!    `try_find_or_create_contacts_by_phone` (about 60 numbers a search, a contact created for
//!    a new number, the facade's per-number claims keeping a new number to one contact across
//!    workers while HubSpot's search lags; a lookup lease per number in Redis keeping two
//!    workers from searching one number), writes what it found to the directory for an hour,
//!    and makes those entries ready. A contact the directory named that HubSpot refuses
//!    (deleted or merged since) is evicted and the entry looked up afresh; Redis failing the
//!    directory costs searches, never a message;
//! 3. **logs** ready entries: stores them through upserts of 100 keyed by the message key in
//!    the key property (the importer's [`DEFAULT_KEY_PROPERTY`] unless another is named: a
//!    message logged twice is one message), then associates the stored messages with their
//!    contacts, up to [`WorkerOptions::batch_size`] (1,000: HubSpot's association batch) a
//!    request. Both are gathered across everything the lane holds, not per read: a request goes
//!    part-filled only when none of its kind is in flight and its oldest message waited
//!    [`WorkerOptions::linger`] (or, for associations, 5 s), so a backlog (after an outage)
//!    goes in full requests, 11 for 1,000 messages, while the lookups of its new numbers go on
//!    at the search limit beside them: it drains at the account's limit. While HubSpot fails,
//!    one probe of one request's worth goes at a time, a backoff apart, not all that is held.
//!
//! Each entry is settled by HubSpot's answer: logged → acknowledged (`XACK`, and deleted);
//! refused for good (a 4xx other than 429, a validation error, a number no one contact holds)
//! or unreadable → moved to the dead letters with the reason, then acknowledged; a failure
//! that may pass (429, 5xx, a transport failure, an unknown fate, a number another worker is
//! looking up) or that is the account's rather than the message's (credentials, scopes, the
//! daily limit, the key property) → kept, and tried again after a backoff (the upsert is
//! idempotent, so resending is safe); the first request HubSpot takes after failing makes every
//! kept entry due at once.
//!
//! While a worker holds entries it claims them again every third of
//! [`WorkerOptions::claim_after`]; entries idle for longer (their worker crashed, or lost its
//! connection for good) are claimed by any other worker (`XAUTOCLAIM`) and logged by it. A
//! lane holds at most six batches' worth of entries (6,000, a few MiB): while HubSpot is away, the rest waits in
//! Redis, not in memory.
//!
//! HubSpot's limit is the account's, whatever the number of workers: build each account's
//! client with [`worker_client`](super::accounts::worker_client), which shares it in Redis.

mod batch;
mod contacts;
mod lane;
mod stream;

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hubspot_communications::{Client, Region};
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::lane::Lane;
use super::accounts::AccountName;
use super::error::RelayError;
use super::streams::Streams;
use crate::DEFAULT_KEY_PROPERTY;

pub(crate) use stream::{range_reply, text, unexpected};

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
    /// How many upsert batches (of up to 100 messages each) of one account a worker sends at
    /// once (4); its association requests go one at a time.
    pub batches_in_flight: usize,
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
            batches_in_flight: 4,
            retry_after: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

impl WorkerOptions {
    fn check(&self) -> Result<(), RelayError> {
        let problem = if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            Some(format!(
                "a batch size of {} (1 to {MAX_BATCH_SIZE})",
                self.batch_size
            ))
        } else if self.batches_in_flight == 0 {
            Some("no batch in flight".to_owned())
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

/// What a worker did since it started, readable while it runs (each count an atomic).
#[derive(Debug, Default)]
pub struct WorkerCounts {
    logged: AtomicU64,
    dead_lettered: AtomicU64,
    retried: AtomicU64,
    claimed: AtomicU64,
}

impl WorkerCounts {
    /// Entries logged and acknowledged (acknowledgements Redis has not taken yet included).
    pub fn logged(&self) -> u64 {
        self.logged.load(Ordering::Relaxed)
    }

    /// Entries moved to the dead letters.
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }

    /// Tries that failed in a way that may pass, each to be tried again.
    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Entries claimed from other consumers that held them too long.
    pub fn claimed(&self) -> u64 {
        self.claimed.load(Ordering::Relaxed)
    }
}

/// A worker of the accounts it is given. See the module's docs.
///
/// ```no_run
/// use hubspot_comms::relay::accounts::{AccountName, worker_client};
/// use hubspot_comms::relay::work::{Worker, WorkerOptions};
/// use hubspot_comms::relay::Streams;
/// use hubspot_communications::Client;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let streams = Streams::connect("redis://127.0.0.1:6379/").await?;
/// let account = AccountName::default();
/// let client = worker_client(&streams, &account, Client::builder(std::env::var("HUBSPOT_ACCESS_TOKEN")?))?;
/// let worker = Worker::new(streams, WorkerOptions::default()).account(account, client);
/// worker.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Worker {
    streams: Streams,
    options: WorkerOptions,
    accounts: Vec<(AccountName, Client)>,
    counts: Arc<WorkerCounts>,
}

impl Worker {
    /// A worker of `streams`, with no account yet.
    pub fn new(streams: Streams, options: WorkerOptions) -> Self {
        Self {
            streams,
            options,
            accounts: Vec::new(),
            counts: Arc::default(),
        }
    }

    /// Logs `account`'s entries through `client` (see
    /// [`worker_client`](super::accounts::worker_client)).
    #[must_use]
    pub fn account(mut self, account: AccountName, client: Client) -> Self {
        self.accounts.retain(|(name, _)| *name != account);
        self.accounts.push((account, client));
        self
    }

    /// Its consumer name.
    pub fn consumer(&self) -> &str {
        &self.options.consumer
    }

    /// What it did so far (shared: readable while it runs).
    pub fn counts(&self) -> Arc<WorkerCounts> {
        Arc::clone(&self.counts)
    }

    /// Works until `stop` completes; then it reads nothing more, finishes the batches in
    /// flight, settles them and returns. Entries waiting for a retry are left pending: another
    /// worker claims them after [`WorkerOptions::claim_after`]. Redis or HubSpot being away
    /// never ends it (it waits and tries again); only settings that cannot work do, at once.
    pub async fn run(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        self.options.check()?;
        if self.accounts.is_empty() {
            return Err(RelayError::Setting("the worker has no account".into()));
        }
        let (stopping, stopped) = watch::channel(false);
        let watcher = tokio::spawn(async move {
            stop.await;
            let _ = stopping.send(true);
        });
        let options = Arc::new(self.options);
        let mut lanes = JoinSet::new();
        for (account, client) in self.accounts {
            let lane = Lane::new(&self.streams, account, client, &options, &self.counts)?;
            lanes.spawn(lane.run(stopped.clone()));
        }
        let mut outcome = Ok(());
        while let Some(ended) = lanes.join_next().await {
            if let Err(error) = ended
                && outcome.is_ok()
            {
                outcome = Err(RelayError::Unexpected(format!(
                    "a worker's task failed: {error}"
                )));
            }
        }
        watcher.abort();
        outcome
    }
}
