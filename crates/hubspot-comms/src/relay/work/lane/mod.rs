//! One account's work in one worker, as a pipeline: reading, looking contacts up and logging
//! go on together, so that no kind of request waits for another.
//!
//! An entry read (new, claimed from a crashed worker, or due for a retry) is looked up in the
//! shared contact directory at once (one `MGET` for all that came together). One whose
//! contact the directory holds is *ready*; the others wait, by number, for a *lookup* (the
//! facade's find-or-create of up to 500 numbers: searches of about 60, contacts
//! created 100 a request) and are ready when it answers. Ready entries are stored 100 an
//! upsert, and stored messages associated with their contacts 1,000 a request: each request
//! full whenever HubSpot's limit binds (one goes part-filled a linger after its oldest entry
//! when the lane is quiet, or after 1 s, 5 s for associations, while lookups and upserts go
//! on), whatever the reads and lookups it came from. While HubSpot's search
//! limit (5 a second) paces the lookups of numbers no worker has seen, the entries of known
//! numbers are logged at the general limit (19 a second): after an outage, a backlog drains at
//! the account's limit rather than at the search's, 11 requests for 1,000 messages.
//!
//! Here the lane's state and its loop; in `requests` when each kind of request is due and
//! starts, in `answers` what each answer does to its entries, in `redis_side` the reads,
//! settlements and claims, in `in_flight` the tasks in flight with what each carries.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use hubspot_communications::{Client, ContactMatch, Error, PhoneNumber};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use self::in_flight::InFlight;
use super::batch::{Group, Held, Logging, Ready, Stored, Verdict};
use super::contacts::Contacts;
use super::counts::WorkerCounts;
use super::options::WorkerOptions;
use super::stream::{Delivered, StreamSide};
use crate::relay::accounts::AccountName;
use crate::relay::error::RelayError;
use crate::relay::streams::Streams;

mod answers;
mod in_flight;
mod redis_side;
mod requests;

/// The most entries one read or claim brings: Redis's reply is parsed whole (about 4 KiB an
/// entry while it is), so a small one keeps a worker's memory level whatever the backlog; a
/// drain of 1,700 messages a second is a few reads a second a lane.
const READ_CHUNK: usize = 200;

/// The longest a read waits for new entries: a quiet worker asks Redis twice a second.
const IDLE_BLOCK: Duration = Duration::from_millis(500);

/// Lookups a lane runs at once: two, so that one searches while the other waits for its
/// contact creations (general requests, queued behind the upserts when the limit binds).
const LOOKUPS_IN_FLIGHT: usize = 2;

/// How many batches' worth of entries a lane holds at most: the ones in flight, and the read
/// ahead that lets entries of known numbers go on while others wait for their lookup.
const HELD_BATCHES: usize = 6;

/// Association requests a lane sends at once.
const ASSOCIATIONS_IN_FLIGHT: usize = 1;

/// The first wait after Redis failed (doubled up to 5 s while it fails).
const MIN_REDIS_BACKOFF: Duration = Duration::from_millis(100);

/// A lookup's answer: each number's contact, or why there is none.
type Found = Result<HashMap<PhoneNumber, ContactMatch>, Error>;

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
    held: Held,
}

/// One account's work in one worker.
pub(super) struct Lane {
    streams: Streams,
    logging: Arc<Logging>,
    side: StreamSide,
    options: Arc<WorkerOptions>,
    counts: Arc<WorkerCounts>,
    /// The read in flight (one at most), how many entries it may bring, and when the next may
    /// go (later after Redis failed).
    reads: JoinSet<Result<Vec<Delivered>, RelayError>>,
    reading: usize,
    read_after: Instant,
    /// Entries waiting for their number's contact, by number.
    unresolved: HashMap<PhoneNumber, Vec<Held>>,
    /// The numbers of `unresolved` no lookup is on yet, oldest first, with when they came.
    to_look_up: VecDeque<(PhoneNumber, Instant)>,
    /// Lookups in flight, and their numbers.
    lookups: InFlight<Vec<PhoneNumber>, Found>,
    /// Entries whose contact is known, and when the oldest of them became ready.
    ready: Vec<Ready>,
    ready_since: Option<Instant>,
    /// Upserts in flight, and their messages (tried again should a task fail).
    upserts: InFlight<Arc<Vec<Group>>, Vec<Result<String, Verdict>>>,
    /// Messages stored, to be associated, and when the oldest of them was stored.
    stored: Vec<Stored>,
    stored_since: Option<Instant>,
    /// Association requests in flight, and their messages.
    associations: InFlight<Arc<Vec<Stored>>, Vec<Verdict>>,
    /// Entries to try again, and how often each was tried.
    waiting: Vec<Waiting>,
    tries: HashMap<String, u32>,
    /// HubSpot's failures in a row that may pass (a batch with nothing logged, a lookup
    /// failed), and when the next probe may go: while it fails, a lane sends one small batch
    /// or lookup at a time, a backoff apart, rather than everything it holds.
    failures: u32,
    probe_at: Instant,
    /// Settlements Redis has not taken yet.
    unsettled: Vec<(String, Settle)>,
    next_renew: Instant,
    next_claim: Instant,
    /// How long to wait before Redis is asked again after a failure.
    redis_backoff: Duration,
}

impl Lane {
    pub(super) fn new(
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
            streams.blocking_connection(IDLE_BLOCK)?,
        );
        let contacts = Contacts::new(
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
            reads: JoinSet::new(),
            reading: 0,
            read_after: now,
            unresolved: HashMap::new(),
            to_look_up: VecDeque::new(),
            lookups: InFlight::default(),
            ready: Vec::new(),
            ready_since: None,
            upserts: InFlight::default(),
            stored: Vec::new(),
            stored_since: None,
            associations: InFlight::default(),
            waiting: Vec::new(),
            tries: HashMap::new(),
            failures: 0,
            probe_at: now,
            unsettled: Vec::new(),
            next_renew: now,
            next_claim: now,
            redis_backoff: MIN_REDIS_BACKOFF,
        })
    }

    /// The most entries this lane holds at once (a read in flight counted by what it may
    /// bring): the rest waits in Redis, not in memory.
    fn capacity(&self) -> usize {
        (self.options.batch_size * HELD_BATCHES)
            .max((self.options.upserts_in_flight + 1) * self.upsert_size())
    }

    /// The entries it holds: waiting for a lookup, ready, being stored, stored, being
    /// associated, waiting for a retry or for their settlement, and those a read may bring.
    fn held(&self) -> usize {
        self.unresolved.values().map(Vec::len).sum::<usize>()
            + self.ready.len()
            + self.logging().count()
            + self.waiting.len()
            + self.unsettled.len()
            + self.reading
    }

    /// The entries between ready and settled: being stored, stored, being associated.
    fn logging(&self) -> impl Iterator<Item = &Ready> {
        let upserting = self.upserts.carried().flat_map(|groups| groups.iter());
        let associating = self.associations.carried().flat_map(|stored| stored.iter());
        upserting
            .chain(
                self.stored
                    .iter()
                    .chain(associating)
                    .map(|stored| &stored.group),
            )
            .flatten()
    }

    fn held_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .unresolved
            .values()
            .flatten()
            .map(|held| held.id.clone())
            .collect();
        ids.extend(self.ready.iter().map(|ready| ready.held.id.clone()));
        ids.extend(self.logging().map(|ready| ready.held.id.clone()));
        ids.extend(self.waiting.iter().map(|waiting| waiting.held.id.clone()));
        ids.extend(self.unsettled.iter().map(|(id, _)| id.clone()));
        ids
    }

    /// Works until `stop` says so; then it reads nothing more, carries what it holds through
    /// (entries waiting for a retry aside: they stay pending, for another worker to claim),
    /// settles it and returns.
    pub(super) async fn run(mut self, mut stop: watch::Receiver<bool>) {
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
            while let Some(done) = self.lookups.try_join_next() {
                self.looked_up(done);
            }
            while let Some(done) = self.upserts.try_join_next() {
                self.upserted(done);
            }
            while let Some(done) = self.associations.try_join_next() {
                self.associated(done);
            }
            while let Some(read) = self.reads.try_join_next() {
                self.read(read).await;
            }
            self.settle().await;
            if !stopping {
                self.maintain().await;
                self.take_due().await;
            }
            if stopping && self.failures > 0 {
                self.set_aside();
            }
            let now = Instant::now();
            self.start_lookups(now, stopping).await;
            self.start_upserts(now, stopping);
            self.start_associations(now, stopping);
            if stopping && self.carried_through() {
                if !self.unsettled.is_empty() {
                    tracing::warn!(%account, entries = self.unsettled.len(),
                        "stopping with settlements Redis did not take: another worker logs those entries again (once)");
                }
                tracing::info!(%account, consumer = %self.options.consumer, "worker stopped");
                return;
            }
            if !stopping && self.reads.is_empty() && now >= self.read_after {
                let room = self.capacity().saturating_sub(self.held());
                if room > 0 {
                    self.reading = room.min(READ_CHUNK);
                    self.reads
                        .spawn(self.side.read_new(self.reading, IDLE_BLOCK));
                }
            }
            let wake = self.wake_at(now, stopping);
            tokio::select! {
                Some(done) = self.lookups.join_next(), if !self.lookups.is_empty() => {
                    self.looked_up(done);
                }
                Some(done) = self.upserts.join_next(), if !self.upserts.is_empty() => {
                    self.upserted(done);
                }
                Some(done) = self.associations.join_next(), if !self.associations.is_empty() => {
                    self.associated(done);
                }
                Some(read) = self.reads.join_next(), if !self.reads.is_empty() => {
                    self.read(read).await;
                }
                () = tokio::time::sleep_until(wake) => {}
                _ = stop.changed(), if !stopping => {}
            }
        }
    }

    /// Stopping while HubSpot fails: what is not in flight is left pending (for the worker
    /// that claims it once HubSpot answers), not probed through one small request at a time.
    fn set_aside(&mut self) {
        let due = Instant::now();
        let stored = std::mem::take(&mut self.stored)
            .into_iter()
            .flat_map(|stored| stored.group);
        self.stored_since = None;
        let ready = std::mem::take(&mut self.ready)
            .into_iter()
            .chain(stored)
            .map(|ready| ready.held);
        self.ready_since = None;
        let unresolved: Vec<Held> = std::mem::take(&mut self.to_look_up)
            .into_iter()
            .flat_map(|(number, _)| self.unresolved.remove(&number).unwrap_or_default())
            .collect();
        self.waiting
            .extend(ready.chain(unresolved).map(|held| Waiting { due, held }));
    }

    /// Whether nothing it holds can move any more without reading: nothing in flight,
    /// nothing waiting for a lookup, to be stored or to be associated.
    fn carried_through(&self) -> bool {
        self.reads.is_empty()
            && self.nothing_in_flight()
            && self.unresolved.is_empty()
            && self.ready.is_empty()
            && self.stored.is_empty()
    }

    /// No lookup, upsert or association in flight.
    fn nothing_in_flight(&self) -> bool {
        self.lookups.is_empty() && self.upserts.is_empty() && self.associations.is_empty()
    }

    /// When the loop must look again, whatever finishes: a linger of a lookup, an upsert or
    /// an association (when one may start), a probe, the next retry, renewal or claim, the
    /// next read after a failure, and at most [`IDLE_BLOCK`] from now.
    fn wake_at(&self, now: Instant, stopping: bool) -> Instant {
        let mut at = now + IDLE_BLOCK;
        if self.failures > 0 {
            if (!self.ready.is_empty() || !self.to_look_up.is_empty() || !self.stored.is_empty())
                && self.nothing_in_flight()
            {
                at = at.min(self.probe_at);
            }
        } else {
            if self.lookups.len() < LOOKUPS_IN_FLIGHT
                && let Some(due) = self.lookup_due(stopping)
            {
                at = at.min(due);
            }
            if self.upserts.len() < self.options.upserts_in_flight
                && let Some(due) = self.upsert_due(stopping)
            {
                at = at.min(due);
            }
            if self.associations.len() < ASSOCIATIONS_IN_FLIGHT
                && let Some(due) = self.association_due(stopping)
            {
                at = at.min(due);
            }
        }
        if let Some(due) = self.waiting.iter().map(|w| w.due).min() {
            at = at.min(due);
        }
        if self.reads.is_empty() && self.read_after > now {
            at = at.min(self.read_after);
        }
        at.min(self.next_renew).min(self.next_claim)
    }
}
