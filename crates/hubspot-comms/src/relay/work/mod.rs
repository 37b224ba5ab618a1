//! The worker: logs the inbox's entries in HubSpot, exactly once, and acknowledges each only
//! when HubSpot's answer is final.
//!
//! Any number of workers, in any number of processes on any number of machines, read each
//! account's stream as one Redis consumer group (`XREADGROUP`), each under a consumer name of
//! its own. A worker:
//!
//! 1. gathers up to [`WorkerOptions::batch_size`] entries (1,000: HubSpot's association
//!    batch), waiting at most [`WorkerOptions::linger`] after the first for the others. A quiet
//!    inbox makes small batches a linger apart; a backlog (after an outage) makes full ones,
//!    each logged with 10 upserts and one association request, which is what lets a drain go
//!    at the account's limit (batches of 100 would spend a request of associations on every
//!    upsert: half the limit);
//! 2. finds the contacts of the batch's numbers: first in the account's contact directory,
//!    which every worker shares in Redis (one `MGET`; a number any worker looked up in the last
//!    hour is there); the others through the facade's `find_or_create_contacts_by_phone`
//!    (about 60 numbers a search, a contact created for a new number, the facade's per-number
//!    claims keeping a new number to one contact across workers and batches while HubSpot's
//!    search lags), whose contacts are written to the directory for an hour. HubSpot searches
//!    5 requests a second, so numbers seen before cost no search. A contact the directory named
//!    that HubSpot refuses (deleted or merged since) is evicted and the entry tried again, with
//!    a fresh search; Redis failing the directory costs searches, never a message;
//! 3. logs the messages through upserts keyed by the message key in the key property (the
//!    importer's [`DEFAULT_KEY_PROPERTY`] unless another is
//!    named), then associates them with their contacts (the facade's `log_all_keyed`): a
//!    message logged twice is one message;
//! 4. settles each entry by HubSpot's answer: logged → acknowledged (`XACK`, and deleted);
//!    refused for good (a 4xx other than 429, a validation error, a number no one contact
//!    holds) or unreadable → moved to the dead letters with the reason, then acknowledged;
//!    a failure that may pass (429, 5xx, a transport failure, an unknown fate) or that is the
//!    account's rather than the message's (credentials, scopes, the daily limit, the key
//!    property) → kept, and tried again after a backoff (the upsert is idempotent, so resending
//!    is safe).
//!
//! While a worker holds entries it claims them again every third of
//! [`WorkerOptions::claim_after`]; entries idle for longer (their worker crashed, or lost its
//! connection for good) are claimed by any other worker (`XAUTOCLAIM`) and logged by it. A
//! worker holds at most `batch_size × (batches_in_flight + 1)` entries: while HubSpot is away,
//! the rest waits in Redis, not in memory.
//!
//! HubSpot's limit is the account's, whatever the number of workers: build each account's
//! client with [`worker_client`](super::accounts::worker_client), which shares it in Redis.

mod batch;
mod contacts;
mod stream;

use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hubspot_communications::{Client, Region};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use self::batch::{Logging, Verdict};
use self::stream::{Delivered, StreamSide};
use super::accounts::AccountName;
use super::error::RelayError;
use super::metrics::{self, Settled};
use super::streams::Streams;
use crate::DEFAULT_KEY_PROPERTY;

pub(crate) use stream::{range_reply, text, unexpected};

/// A worker's largest batch: HubSpot's largest association batch (its upserts go 100 a
/// request, HubSpot's largest).
pub const MAX_BATCH_SIZE: usize = hubspot_communications::MAX_ASSOCIATION_BATCH_SIZE;

/// The longest a read waits for new entries when there is nothing else to do: a worker notices
/// a stop, a finished batch and a due retry at least this often.
const IDLE_BLOCK: Duration = Duration::from_millis(500);

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
    /// contacts looked up together, their upserts 100 a request, their associations one
    /// request.
    pub batch_size: usize,
    /// How long a batch waits for more entries after its first (250 ms).
    pub linger: Duration,
    /// How long an entry may sit unsettled with one worker before others claim it (60 s).
    /// Longer than any HubSpot call can take (the client's deadline); shorter is a faster
    /// recovery from a crash.
    pub claim_after: Duration,
    /// How many batches of one account a worker sends at once (2).
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
            batches_in_flight: 2,
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

/// An entry settled, not yet written to Redis.
#[derive(Debug)]
enum Settle {
    Ack,
    Dead(String),
}

/// An entry waiting for its next try.
#[derive(Debug)]
struct Waiting {
    due: Instant,
    delivered: Delivered,
}

/// One account's work in one worker.
struct Lane {
    streams: Streams,
    logging: Arc<Logging>,
    side: StreamSide,
    options: Arc<WorkerOptions>,
    counts: Arc<WorkerCounts>,
    /// The batch being gathered, and when its first entry came.
    building: Vec<Delivered>,
    building_since: Option<Instant>,
    /// Entries to try again, and how often each was tried.
    waiting: Vec<Waiting>,
    tries: HashMap<String, u32>,
    /// Batches sent, and their entries (tried again should a batch's task fail).
    in_flight: JoinSet<Vec<(Delivered, Verdict)>>,
    sent: HashMap<tokio::task::Id, Vec<Delivered>>,
    /// Settlements Redis has not taken yet.
    unsettled: Vec<(String, Settle)>,
    next_renew: Instant,
    next_claim: Instant,
    /// How long to wait before Redis is asked again after a failure.
    redis_backoff: Duration,
}

const MIN_REDIS_BACKOFF: Duration = Duration::from_millis(100);
const MAX_REDIS_BACKOFF: Duration = Duration::from_secs(5);

impl Lane {
    fn new(
        streams: &Streams,
        account: AccountName,
        client: Client,
        options: &Arc<WorkerOptions>,
        counts: &Arc<WorkerCounts>,
    ) -> Result<Self, RelayError> {
        let side = StreamSide::new(
            streams.keys(&account),
            streams.group().to_owned(),
            options.consumer.clone(),
            streams.connection(),
            streams.blocking_connection(IDLE_BLOCK.max(options.linger))?,
        );
        let contacts = contacts::Contacts::new(
            streams.connection(),
            streams.keys(&account),
            options.consumer.clone(),
        );
        let now = Instant::now();
        Ok(Self {
            streams: streams.clone(),
            logging: Arc::new(Logging {
                account,
                client,
                key_property: options.key_property.clone(),
                region: options.default_region,
                contacts,
            }),
            side,
            options: Arc::clone(options),
            counts: Arc::clone(counts),
            building: Vec::new(),
            building_since: None,
            waiting: Vec::new(),
            tries: HashMap::new(),
            in_flight: JoinSet::new(),
            sent: HashMap::new(),
            unsettled: Vec::new(),
            next_renew: now,
            next_claim: now,
            redis_backoff: MIN_REDIS_BACKOFF,
        })
    }

    /// The most entries this lane holds at once.
    fn capacity(&self) -> usize {
        self.options.batch_size * (self.options.batches_in_flight + 1)
    }

    /// The entries it holds: gathered, in flight, waiting for a retry or for their settlement.
    fn held(&self) -> usize {
        self.building.len()
            + self.sent.values().map(Vec::len).sum::<usize>()
            + self.waiting.len()
            + self.unsettled.len()
    }

    fn held_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.building.iter().map(|d| d.id.clone()).collect();
        ids.extend(self.sent.values().flatten().map(|d| d.id.clone()));
        ids.extend(self.waiting.iter().map(|w| w.delivered.id.clone()));
        ids.extend(self.unsettled.iter().map(|(id, _)| id.clone()));
        ids
    }

    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let account = self.logging.account.clone();
        tracing::info!(%account, consumer = %self.options.consumer, "worker started");
        while let Err(error) = self.streams.ensure_group(&account).await {
            self.redis_failed("creating the consumer group", &error);
            if self.pause(&mut stop).await {
                return;
            }
        }
        loop {
            let stopping = *stop.borrow();
            while let Some(done) = self.in_flight.try_join_next_with_id() {
                self.finished(done);
            }
            self.settle().await;
            if stopping {
                if !self.building.is_empty()
                    && self.in_flight.len() < self.options.batches_in_flight
                {
                    self.send();
                }
                if self.in_flight.is_empty() && self.building.is_empty() {
                    if !self.unsettled.is_empty() {
                        tracing::warn!(%account, entries = self.unsettled.len(),
                            "stopping with settlements Redis did not take: another worker logs those entries again (once)");
                    }
                    tracing::info!(%account, consumer = %self.options.consumer, "worker stopped");
                    return;
                }
            } else {
                self.maintain().await;
                self.take_due();
            }
            let now = Instant::now();
            let lingered = self
                .building_since
                .is_some_and(|since| now >= since + self.options.linger);
            if (self.building.len() >= self.options.batch_size || lingered)
                && self.in_flight.len() < self.options.batches_in_flight
            {
                self.send();
                continue;
            }
            let may_read = !stopping
                && self.building.len() < self.options.batch_size
                && self.in_flight.len() < self.options.batches_in_flight
                && self.held() < self.capacity();
            if may_read {
                let wait = self.wake_at().saturating_duration_since(Instant::now());
                let room = (self.options.batch_size - self.building.len())
                    .min(self.capacity() - self.held());
                match self
                    .side
                    .read_new(room, wait.max(Duration::from_millis(1)))
                    .await
                {
                    Ok(read) => {
                        self.redis_backoff = MIN_REDIS_BACKOFF;
                        self.gather(read);
                    }
                    Err(error) => {
                        self.redis_failed("reading new entries", &error);
                        if is_no_group(&error) {
                            let _ = self.streams.ensure_group(&account).await;
                        }
                        self.pause(&mut stop).await;
                    }
                }
            } else {
                let wait = self.wake_at().saturating_duration_since(Instant::now());
                tokio::select! {
                    Some(done) = self.in_flight.join_next_with_id(), if !self.in_flight.is_empty() => {
                        self.finished(done);
                    }
                    () = tokio::time::sleep(wait.max(Duration::from_millis(1))) => {}
                    _ = stop.changed(), if !stopping => {}
                }
            }
        }
    }

    /// When the loop must look again, whatever comes: the batch's linger, the next retry, the
    /// next renewal or claim, and at most [`IDLE_BLOCK`] from now.
    fn wake_at(&self) -> Instant {
        let mut at = Instant::now() + IDLE_BLOCK;
        if let Some(since) = self.building_since {
            at = at.min(since + self.options.linger);
        }
        if let Some(due) = self.waiting.iter().map(|w| w.due).min() {
            at = at.min(due);
        }
        at.min(self.next_renew).min(self.next_claim)
    }

    /// Waits after a failure of Redis (doubling up to 5 s); answers whether the worker was
    /// stopped meanwhile.
    async fn pause(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        let wait = self.redis_backoff;
        self.redis_backoff = (self.redis_backoff * 2).min(MAX_REDIS_BACKOFF);
        tokio::select! {
            () = tokio::time::sleep(wait) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }

    fn redis_failed(&self, what: &str, error: &RelayError) {
        tracing::warn!(account = %self.logging.account, %error, "Redis failed {what}; trying again");
    }

    /// New (or claimed) entries into the batch being gathered, each once.
    fn gather(&mut self, read: Vec<Delivered>) {
        if read.is_empty() {
            return;
        }
        if self.building_since.is_none() {
            self.building_since = Some(Instant::now());
        }
        self.building.extend(read);
    }

    /// Sends the gathered batch.
    fn send(&mut self) {
        let take = self.building.len().min(self.options.batch_size);
        let batch: Vec<Delivered> = self.building.drain(..take).collect();
        self.building_since = (!self.building.is_empty()).then(Instant::now);
        if batch.is_empty() {
            return;
        }
        let logging = Arc::clone(&self.logging);
        let copy = batch.clone();
        let task = self
            .in_flight
            .spawn(async move { batch::process(&logging, batch).await });
        self.sent.insert(task.id(), copy);
    }

    /// A batch's verdicts, settled or queued for a retry.
    fn finished(
        &mut self,
        done: Result<(tokio::task::Id, Vec<(Delivered, Verdict)>), tokio::task::JoinError>,
    ) {
        let verdicts = match done {
            Ok((id, verdicts)) => {
                self.sent.remove(&id);
                verdicts
            }
            Err(error) => {
                let entries = self.sent.remove(&error.id()).unwrap_or_default();
                tracing::error!(account = %self.logging.account, %error, "a batch's task failed; its entries are tried again");
                let why = format!("the batch's task failed: {error}");
                entries
                    .into_iter()
                    .map(|delivered| (delivered, Verdict::Retry(why.clone())))
                    .collect()
            }
        };
        let mut retry_reason = None;
        for (delivered, verdict) in verdicts {
            match verdict {
                Verdict::Logged => {
                    self.counts.logged.fetch_add(1, Ordering::Relaxed);
                    metrics::settled(&self.logging.account, Settled::Logged, 1);
                    self.tries.remove(&delivered.id);
                    self.unsettled.push((delivered.id, Settle::Ack));
                }
                Verdict::Dead(reason) => {
                    tracing::warn!(account = %self.logging.account, entry = %delivered.id, %reason, "dead letter");
                    self.counts.dead_lettered.fetch_add(1, Ordering::Relaxed);
                    metrics::settled(&self.logging.account, Settled::DeadLettered, 1);
                    self.tries.remove(&delivered.id);
                    self.unsettled.push((delivered.id, Settle::Dead(reason)));
                }
                Verdict::Retry(reason) => {
                    self.counts.retried.fetch_add(1, Ordering::Relaxed);
                    metrics::settled(&self.logging.account, Settled::Retried, 1);
                    let tries = self.tries.entry(delivered.id.clone()).or_insert(0);
                    *tries += 1;
                    let tries = *tries;
                    let due = Instant::now() + self.backoff(tries);
                    retry_reason.get_or_insert((reason, tries));
                    self.waiting.push(Waiting { due, delivered });
                }
            }
        }
        if let Some((reason, tries)) = retry_reason {
            tracing::warn!(account = %self.logging.account, %reason, tries, "not logged yet; trying again later");
        }
    }

    /// The wait before try `tries + 1`: doubling from `retry_after` up to `max_retry_after`,
    /// with a fifth of jitter so that workers do not come back together.
    fn backoff(&self, tries: u32) -> Duration {
        let base = self
            .options
            .retry_after
            .saturating_mul(1 << tries.saturating_sub(1).min(16))
            .min(self.options.max_retry_after);
        let jitter = base.mul_f64((random() % 1_000) as f64 / 5_000.0);
        base.saturating_sub(base / 10) + jitter
    }

    /// Retries that are due, into the batch being gathered.
    fn take_due(&mut self) {
        let now = Instant::now();
        let (due, later): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|waiting| waiting.due <= now);
        self.waiting = later;
        self.gather(due.into_iter().map(|waiting| waiting.delivered).collect());
    }

    /// Writes the settlements Redis has not taken: acknowledgements together, dead letters one
    /// by one. What fails stays, for the next turn.
    async fn settle(&mut self) {
        if self.unsettled.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.unsettled);
        let acks: Vec<String> = pending
            .iter()
            .filter(|(_, settle)| matches!(settle, Settle::Ack))
            .map(|(id, _)| id.clone())
            .collect();
        let mut failed = None;
        if !acks.is_empty()
            && let Err(error) = self.side.ack(&acks).await
        {
            failed = Some(error);
        }
        for (id, settle) in pending {
            match settle {
                Settle::Ack if failed.is_some() => self.unsettled.push((id, Settle::Ack)),
                Settle::Ack => {}
                Settle::Dead(reason) => {
                    if failed.is_none()
                        && let Err(error) = self.side.dead_letter(&id, &reason).await
                    {
                        failed = Some(error);
                    }
                    if failed.is_some() {
                        self.unsettled.push((id, Settle::Dead(reason)));
                    }
                }
            }
        }
        if let Some(error) = failed {
            self.redis_failed("settling entries", &error);
        }
    }

    /// Keeps the held entries claimed, and claims those other workers left idle.
    async fn maintain(&mut self) {
        let now = Instant::now();
        if now >= self.next_renew {
            self.next_renew = now + self.options.claim_after / 3;
            let ids = self.held_ids();
            if !ids.is_empty()
                && let Err(error) = self.side.renew(&ids).await
            {
                self.redis_failed("renewing its claims", &error);
            }
        }
        let room = self.capacity().saturating_sub(self.held());
        if now >= self.next_claim && room > 0 {
            self.next_claim = now + self.options.claim_after / 2;
            match self.side.claim_idle(self.options.claim_after, room).await {
                Ok(claimed) => {
                    let held: std::collections::HashSet<String> =
                        self.held_ids().into_iter().collect();
                    let claimed: Vec<Delivered> = claimed
                        .into_iter()
                        .filter(|delivered| !held.contains(&delivered.id))
                        .collect();
                    if !claimed.is_empty() {
                        tracing::info!(account = %self.logging.account, entries = claimed.len(),
                            "claimed entries another worker left unsettled");
                        self.counts
                            .claimed
                            .fetch_add(claimed.len() as u64, Ordering::Relaxed);
                        metrics::settled(
                            &self.logging.account,
                            Settled::Claimed,
                            claimed.len() as u64,
                        );
                        if claimed.len() == room {
                            // There may be more: look again soon.
                            self.next_claim = now;
                        }
                        self.gather(claimed);
                    }
                }
                Err(error) => self.redis_failed("claiming idle entries", &error),
            }
        }
    }
}

fn is_no_group(error: &RelayError) -> bool {
    matches!(error, RelayError::Redis(error) if error.code() == Some("NOGROUP"))
}
