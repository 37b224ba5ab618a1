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
//!    the key property (the importer's [`DEFAULT_KEY_PROPERTY`](crate::DEFAULT_KEY_PROPERTY)
//!    unless another is named: a message logged twice is one message), then associates the
//!    stored messages with their contacts, up to [`WorkerOptions::batch_size`] (1,000:
//!    HubSpot's association batch) a request. Both are gathered across everything the lane
//!    holds, not per read: a request goes part-filled only a [`WorkerOptions::linger`] after
//!    its oldest message when the lane is quiet (no lookup or upsert in flight), or after 1 s
//!    (associations: 5 s) while it is busy, so a backlog (after an outage) goes in full
//!    requests, 11 for 1,000 messages, while the lookups of its new numbers go on at the search
//!    limit beside them: it drains at the account's limit. While HubSpot fails, one probe of one
//!    request's worth goes at a time, at most a second apart, not all that is held.
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
mod counts;
mod lane;
mod options;
mod stream;

use std::future::Future;
use std::sync::Arc;

use hubspot_communications::Client;
use tokio::sync::watch;
use tokio::task::JoinSet;

use self::lane::Lane;
use super::accounts::AccountName;
use super::error::RelayError;
use super::streams::Streams;

pub use counts::WorkerCounts;
pub(crate) use options::random;
pub use options::{MAX_BATCH_SIZE, WorkerOptions};
pub(crate) use stream::{range_reply, text, unexpected};

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
