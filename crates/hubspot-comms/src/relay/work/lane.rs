//! One account's work in one worker, as a pipeline: reading, looking contacts up and logging
//! go on together, so that no kind of request waits for another.
//!
//! An entry read (new, claimed from a crashed worker, or due for a retry) is looked up in the
//! shared contact directory at once (one `MGET` for all that came together). One whose
//! contact the directory holds is *ready*; the others wait, by number, for a *lookup* (the
//! facade's find-or-create of up to [`LOOKUP_SIZE`] numbers: searches of about 60, contacts
//! created 100 a request) and are ready when it answers. Ready entries are stored 100 an
//! upsert, and stored messages associated with their contacts 1,000 a request: each request
//! full whenever HubSpot's limit binds (one goes part-filled a linger after its oldest entry
//! when the lane is quiet, or after 1 s, 5 s for associations, while lookups and upserts go
//! on), whatever the reads and lookups it came from. While HubSpot's search
//! limit (5 a second) paces the lookups of numbers no worker has seen, the entries of known
//! numbers are logged at the general limit (19 a second): after an outage, a backlog drains at
//! the account's limit rather than at the search's, 11 requests for 1,000 messages.

use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hubspot_communications::{Client, ContactMatch, Error, PhoneNumber};
use tokio::sync::watch;
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

use super::batch::{self, Group, Held, Logging, Ready, Stored, Verdict};
use super::contacts::Contacts;
use super::counts::WorkerCounts;
use super::options::{WorkerOptions, random};
use super::stream::{Delivered, StreamSide};
use crate::relay::accounts::AccountName;
use crate::relay::error::RelayError;
use crate::relay::metrics::{self, Settled};
use crate::relay::streams::Streams;

/// The most entries one read or claim brings: Redis's reply is parsed whole (about 4 KiB an
/// entry while it is), so a small one keeps a worker's memory level whatever the backlog; a
/// drain of 1,700 messages a second is a few reads a second a lane.
const READ_CHUNK: usize = 200;

/// The longest a read waits for new entries: a quiet worker asks Redis twice a second.
const IDLE_BLOCK: Duration = Duration::from_millis(500);

/// The most numbers one lookup takes: about 8 searches and, for the new numbers among them
/// (two in five, after an outage), two or three contact creations of up to 100. Larger
/// lookups leave fewer searches and creations part-filled; a lookup's entries wait for all
/// of it.
const LOOKUP_SIZE: usize = 500;

/// Lookups a lane runs at once: two, so that one searches while the other waits for its
/// contact creations (general requests, queued behind the upserts when the limit binds).
const LOOKUPS_IN_FLIGHT: usize = 2;

/// How many batches' worth of entries a lane holds at most: the ones in flight, and the read
/// ahead that lets entries of known numbers go on while others wait for their lookup.
const HELD_BATCHES: usize = 6;

/// Association requests a lane sends at once.
const ASSOCIATIONS_IN_FLIGHT: usize = 1;

/// The longest ready entries wait for others to fill an upsert while the lane is busy (an
/// upsert or a lookup in flight: more is coming). A quiet lane waits a linger.
const UPSERT_WAIT: Duration = Duration::from_secs(1);

/// The longest stored messages wait for others to fill an association request while the lane
/// is busy (under a backlog, a lane stores 1,000 messages in two or three seconds).
const ASSOCIATION_WAIT: Duration = Duration::from_secs(5);

/// The most numbers a lookup takes while HubSpot fails (one search; an upsert or association
/// probe takes one request's worth, 100 messages).
const PROBE_NUMBERS: usize = 50;

/// How long an entry whose number another worker is looking up waits before it looks in the
/// directory again (no request to HubSpot: a read of Redis).
const ELSEWHERE_WAIT: Duration = Duration::from_millis(500);

/// How soon a lane whose stream ran dry looks for entries other workers left idle.
const DRY_CLAIM_WAIT: Duration = Duration::from_secs(1);

/// The longest wait between probes while HubSpot fails.
const MAX_PROBE_WAIT: Duration = Duration::from_secs(1);

const MIN_REDIS_BACKOFF: Duration = Duration::from_millis(100);
const MAX_REDIS_BACKOFF: Duration = Duration::from_secs(5);

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
    lookups: JoinSet<Found>,
    looking_up: HashMap<Id, Vec<PhoneNumber>>,
    /// Entries whose contact is known, and when the oldest of them became ready.
    ready: Vec<Ready>,
    ready_since: Option<Instant>,
    /// Upserts in flight, and their messages (tried again should a task fail).
    upserts: JoinSet<Vec<Result<String, Verdict>>>,
    upserting: HashMap<Id, Arc<Vec<Group>>>,
    /// Messages stored, to be associated, and when the oldest of them was stored.
    stored: Vec<Stored>,
    stored_since: Option<Instant>,
    /// Association requests in flight, and their messages.
    associations: JoinSet<Vec<Verdict>>,
    associating: HashMap<Id, Arc<Vec<Stored>>>,
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
            lookups: JoinSet::new(),
            looking_up: HashMap::new(),
            ready: Vec::new(),
            ready_since: None,
            upserts: JoinSet::new(),
            upserting: HashMap::new(),
            stored: Vec::new(),
            stored_since: None,
            associations: JoinSet::new(),
            associating: HashMap::new(),
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
        self.options.batch_size * HELD_BATCHES.max(self.options.batches_in_flight + 1)
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
        let upserting = self.upserting.values().flat_map(|groups| groups.iter());
        let associating = self.associating.values().flat_map(|stored| stored.iter());
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
            while let Some(done) = self.lookups.try_join_next_with_id() {
                self.looked_up(done);
            }
            while let Some(done) = self.upserts.try_join_next_with_id() {
                self.upserted(done);
            }
            while let Some(done) = self.associations.try_join_next_with_id() {
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
                Some(done) = self.lookups.join_next_with_id(), if !self.lookups.is_empty() => {
                    self.looked_up(done);
                }
                Some(done) = self.upserts.join_next_with_id(), if !self.upserts.is_empty() => {
                    self.upserted(done);
                }
                Some(done) = self.associations.join_next_with_id(), if !self.associations.is_empty() => {
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
            if self.upserts.len() < self.options.batches_in_flight
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

    /// Waits after a failure of Redis (doubling up to 5 s); answers whether the worker was
    /// stopped meanwhile.
    async fn pause(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        let wait = self.next_redis_backoff();
        tokio::select! {
            () = tokio::time::sleep(wait) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }

    fn next_redis_backoff(&mut self) -> Duration {
        let wait = self.redis_backoff;
        self.redis_backoff = (self.redis_backoff * 2).min(MAX_REDIS_BACKOFF);
        wait
    }

    fn redis_failed(&self, what: &str, error: &RelayError) {
        tracing::warn!(account = %self.logging.account, %error, "Redis failed {what}; trying again");
    }

    /// A read's entries taken in; after a failure, the next read waits a while.
    async fn read(&mut self, read: Result<Result<Vec<Delivered>, RelayError>, JoinError>) {
        let asked = std::mem::take(&mut self.reading);
        let error = match read {
            Ok(Ok(delivered)) => {
                self.redis_backoff = MIN_REDIS_BACKOFF;
                if delivered.len() < asked {
                    // The stream has nothing more new: what crashed workers left pending is
                    // what remains (after a restart, thousands): look for it within a second
                    // rather than half a claim time.
                    self.next_claim = self.next_claim.min(Instant::now() + DRY_CLAIM_WAIT);
                }
                self.admit(delivered).await;
                return;
            }
            Ok(Err(error)) => error,
            // What it read (if anything) stays pending with this consumer: claimed again after
            // `claim_after`.
            Err(error) => RelayError::Unexpected(format!("a read's task failed: {error}")),
        };
        self.redis_failed("reading new entries", &error);
        if is_no_group(&error) {
            let _ = self.streams.ensure_group(&self.logging.account).await;
        }
        self.read_after = Instant::now() + self.next_redis_backoff();
    }

    /// Entries delivered (read or claimed): each read, then placed; one that cannot be read
    /// is a dead letter.
    async fn admit(&mut self, delivered: Vec<Delivered>) {
        let mut held = Vec::with_capacity(delivered.len());
        for delivered in delivered {
            let id = delivered.id.clone();
            match batch::read(&self.logging, delivered) {
                Ok(entry) => held.push(entry),
                Err(reason) => self.conclude_settled(id, Verdict::Dead(reason)),
            }
        }
        self.place(held).await;
    }

    /// Entries to ready, where the directory holds their contact, or to wait for a lookup of
    /// their number (joining the entries of that number already waiting).
    async fn place(&mut self, held: Vec<Held>) {
        if held.is_empty() {
            return;
        }
        let ask: Vec<PhoneNumber> = held
            .iter()
            .map(|held| &held.number)
            .filter(|number| !self.unresolved.contains_key(*number))
            .collect::<HashSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let known = self.logging.contacts.known(&ask).await;
        let now = Instant::now();
        for held in held {
            match known.get(&held.number) {
                Some(contact) => self.make_ready(
                    Ready {
                        contact: contact.clone(),
                        held,
                        from_directory: true,
                    },
                    now,
                ),
                None => match self.unresolved.entry(held.number.clone()) {
                    Slot::Occupied(mut waiting) => waiting.get_mut().push(held),
                    Slot::Vacant(slot) => {
                        self.to_look_up.push_back((held.number.clone(), now));
                        slot.insert(vec![held]);
                    }
                },
            }
        }
    }

    fn make_ready(&mut self, ready: Ready, now: Instant) {
        self.ready.push(ready);
        self.ready_since.get_or_insert(now);
    }

    /// Starts the lookups that are due ([`Self::lookup_due`]), or a probe. A lookup leases
    /// its numbers first: those another lookup is on wait for the directory, and others take
    /// their place, so that its searches go full.
    async fn start_lookups(&mut self, now: Instant, stopping: bool) {
        while self.lookups.len() < LOOKUPS_IN_FLIGHT {
            if !self.may_start(now, !self.to_look_up.is_empty(), self.lookup_due(stopping)) {
                break;
            }
            let most = if self.failures > 0 {
                PROBE_NUMBERS
            } else {
                LOOKUP_SIZE
            };
            let mut numbers = Vec::new();
            while numbers.len() < most && !self.to_look_up.is_empty() {
                let candidates = self.next_to_look_up(most - numbers.len());
                let leased = self.logging.contacts.lease(&candidates).await;
                for number in leased.theirs {
                    for held in self.unresolved.remove(&number).unwrap_or_default() {
                        self.wait_elsewhere(held);
                    }
                }
                numbers.extend(leased.mine);
            }
            if numbers.is_empty() {
                continue;
            }
            let logging = Arc::clone(&self.logging);
            let asked = numbers.clone();
            let task = self
                .lookups
                .spawn(async move { logging.contacts.look_up(&logging.client, &asked).await });
            self.looking_up.insert(task.id(), numbers);
        }
    }

    /// Up to `count` numbers to look up, those with the most entries waiting first (the
    /// oldest first among equals): under a backlog, a search then readies as many entries as
    /// it can, which is what paces a drain while the search limit binds.
    fn next_to_look_up(&mut self, count: usize) -> Vec<PhoneNumber> {
        if self.to_look_up.len() <= count {
            return self
                .to_look_up
                .drain(..)
                .map(|(number, _)| number)
                .collect();
        }
        let waiting = |number: &PhoneNumber| self.unresolved.get(number).map_or(0, Vec::len);
        let mut order: Vec<usize> = (0..self.to_look_up.len()).collect();
        order.sort_by_key(|&at| std::cmp::Reverse(waiting(&self.to_look_up[at].0)));
        let chosen: HashSet<usize> = order.into_iter().take(count).collect();
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.to_look_up)
            .into_iter()
            .enumerate()
            .partition(|(at, _)| chosen.contains(at));
        self.to_look_up = kept.into_iter().map(|(_, queued)| queued).collect();
        taken.into_iter().map(|(_, (number, _))| number).collect()
    }

    /// An entry whose number another worker is looking up: it looks in the directory again
    /// in a moment.
    fn wait_elsewhere(&mut self, held: Held) {
        let due = Instant::now() + ELSEWHERE_WAIT;
        self.waiting.push(Waiting { due, held });
    }

    /// The most messages an upsert takes: HubSpot's 100, or fewer with a smaller batch size.
    fn upsert_size(&self) -> usize {
        self.options
            .batch_size
            .min(hubspot_communications::MAX_BATCH_SIZE)
    }

    /// Starts the upserts that are due ([`Self::upsert_due`]), or a probe.
    fn start_upserts(&mut self, now: Instant, stopping: bool) {
        let size = self.upsert_size();
        while self.upserts.len() < self.options.batches_in_flight {
            if !self.may_start(now, !self.ready.is_empty(), self.upsert_due(stopping)) {
                break;
            }
            let groups = Arc::new(self.take_ready(size));
            self.ready_since = (!self.ready.is_empty()).then_some(now);
            let logging = Arc::clone(&self.logging);
            let sent = Arc::clone(&groups);
            let task = self
                .upserts
                .spawn(async move { batch::upsert(&logging, sent).await });
            self.upserting.insert(task.id(), groups);
        }
    }

    /// The oldest ready entries of up to `keys` keys, by key.
    fn take_ready(&mut self, keys: usize) -> Vec<Group> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut count = 0;
        for ready in &self.ready {
            if !seen.contains(ready.held.key.as_str()) {
                if seen.len() == keys {
                    break;
                }
                seen.insert(&ready.held.key);
            }
            count += 1;
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for ready in self.ready.drain(..count) {
            match by_key.get(&ready.held.key) {
                Some(&group) => groups[group].push(ready),
                None => {
                    by_key.insert(ready.held.key.clone(), groups.len());
                    groups.push(vec![ready]);
                }
            }
        }
        groups
    }

    /// Starts the association requests that are due ([`Self::association_due`]), or a probe.
    fn start_associations(&mut self, now: Instant, stopping: bool) {
        let size = self.options.batch_size;
        while self.associations.len() < ASSOCIATIONS_IN_FLIGHT {
            if !self.may_start(now, !self.stored.is_empty(), self.association_due(stopping)) {
                break;
            }
            let most = if self.failures > 0 {
                self.upsert_size()
            } else {
                size
            };
            let take = self.stored.len().min(most);
            let stored = Arc::new(self.stored.drain(..take).collect::<Vec<_>>());
            self.stored_since = (!self.stored.is_empty()).then_some(now);
            let logging = Arc::clone(&self.logging);
            let sent = Arc::clone(&stored);
            let task = self
                .associations
                .spawn(async move { batch::associate(&logging, sent).await });
            self.associating.insert(task.id(), stored);
        }
    }

    /// When the next lookup is due: at once when it is full or the lane stops, else a linger
    /// after the oldest number came.
    fn lookup_due(&self, stopping: bool) -> Option<Instant> {
        let (_, since) = self.to_look_up.front()?;
        if stopping || self.to_look_up.len() >= LOOKUP_SIZE {
            return Some(*since);
        }
        Some(*since + self.options.linger)
    }

    /// Whether more is coming to be stored soon: a lookup or an upsert in flight.
    fn busy(&self) -> bool {
        !self.lookups.is_empty() || !self.upserts.is_empty()
    }

    /// When the next upsert is due: at once when it is full; part-filled, a linger after the
    /// oldest ready entry when nothing more is coming (at once when stopping), else
    /// [`UPSERT_WAIT`] after it. (Under a backlog, every upsert is full.)
    fn upsert_due(&self, stopping: bool) -> Option<Instant> {
        let since = self.ready_since?;
        let quiet = !self.busy();
        if self.ready.len() >= self.upsert_size() || (quiet && stopping) {
            return Some(since);
        }
        Some(
            since
                + if quiet {
                    self.options.linger
                } else {
                    UPSERT_WAIT
                },
        )
    }

    /// When the next association request is due: at once when it is full; part-filled, a
    /// linger after the oldest stored message when nothing more is coming (at once when
    /// stopping), else [`ASSOCIATION_WAIT`] after it.
    fn association_due(&self, stopping: bool) -> Option<Instant> {
        let since = self.stored_since?;
        let quiet = !self.busy() && self.ready.is_empty();
        if self.stored.len() >= self.options.batch_size || (quiet && stopping) {
            return Some(since);
        }
        Some(
            since
                + if quiet {
                    self.options.linger
                } else {
                    ASSOCIATION_WAIT
                },
        )
    }

    /// Whether a request of a kind may start now: when HubSpot fails, a probe, if there is
    /// something to send; else when it is `due`.
    fn may_start(&self, now: Instant, pending: bool, due: Option<Instant>) -> bool {
        if self.failures > 0 {
            pending && self.may_probe(now)
        } else {
            due.is_some_and(|due| now >= due)
        }
    }

    /// Whether a probe may go now, HubSpot failing: its backoff passed, and nothing else is
    /// in flight.
    fn may_probe(&self, now: Instant) -> bool {
        now >= self.probe_at && self.nothing_in_flight()
    }

    /// HubSpot answered a batch or a lookup: `Some(true)` it took something, `Some(false)` it
    /// failed in a way that may pass, `None` it said nothing either way.
    fn hubspot_answered(&mut self, took: Option<bool>) {
        match took {
            Some(true) => {
                if self.failures > 0 {
                    // HubSpot is back: what waits for it need not wait out its backoff.
                    let now = Instant::now();
                    for waiting in &mut self.waiting {
                        waiting.due = waiting.due.min(now);
                    }
                    tracing::info!(account = %self.logging.account, "HubSpot answers again");
                }
                self.failures = 0;
            }
            Some(false) => {
                self.failures = self.failures.saturating_add(1);
                // Probes go at most a second apart (each is one request): a lane meets HubSpot
                // back from an outage within a second, whatever its entries' backoffs.
                self.probe_at = Instant::now() + self.backoff(self.failures).min(MAX_PROBE_WAIT);
            }
            None => {}
        }
    }

    /// A lookup's answers: each number's entries ready, or judged.
    fn looked_up(&mut self, done: Result<(Id, Found), JoinError>) {
        let (numbers, outcome) = match done {
            Ok((id, outcome)) => (self.looking_up.remove(&id), Ok(outcome)),
            Err(error) => (self.looking_up.remove(&error.id()), Err(error)),
        };
        self.hubspot_answered(match &outcome {
            Ok(Ok(_)) => Some(true),
            Ok(Err(_)) => Some(false),
            Err(_) => None,
        });
        let now = Instant::now();
        let mut retried = Retried::default();
        for number in numbers.unwrap_or_default() {
            let entries = self.unresolved.remove(&number).unwrap_or_default();
            let verdict = match &outcome {
                Ok(Ok(found)) => match found.get(&number) {
                    Some(ContactMatch::Found(id) | ContactMatch::Created(id)) => {
                        for held in entries {
                            let contact = id.clone();
                            self.make_ready(
                                Ready {
                                    held,
                                    contact,
                                    from_directory: false,
                                },
                                now,
                            );
                        }
                        continue;
                    }
                    answer => batch::unmatched(&number, answer.unwrap_or(&ContactMatch::NotFound)),
                },
                Ok(Err(error)) => {
                    batch::judge(error, &self.logging.key_property, "finding the contacts")
                }
                Err(error) => Verdict::Retry(format!("the lookup's task failed: {error}")),
            };
            for held in entries {
                self.conclude(held, verdict.clone(), &mut retried);
            }
        }
        retried.log(&self.logging.account);
    }

    /// An upsert's answers: each message stored (to be associated), or its entries judged.
    fn upserted(&mut self, done: Result<(Id, Vec<Result<String, Verdict>>), JoinError>) {
        let (groups, answers, failure) = match done {
            Ok((id, answers)) => (self.upserting.remove(&id), answers, None),
            Err(error) => (
                self.upserting.remove(&error.id()),
                Vec::new(),
                Some(task_failed("an upsert", &error)),
            ),
        };
        let stored_any = answers.iter().any(Result::is_ok);
        let mut answers = answers.into_iter();
        let now = Instant::now();
        let mut retried = Retried::default();
        for group in groups.map(Arc::unwrap_or_clone).unwrap_or_default() {
            match answers.next() {
                Some(Ok(message)) => {
                    self.stored.push(Stored { group, message });
                    self.stored_since.get_or_insert(now);
                }
                Some(Err(verdict)) => self.conclude_all(group, &verdict, &mut retried),
                None => self.conclude_all(group, &unanswered(&failure), &mut retried),
            }
        }
        self.answered(stored_any, failure.is_none() && retried.first.is_some());
        retried.log(&self.logging.account);
    }

    /// An association request's answers: each message's entries logged, or judged.
    fn associated(&mut self, done: Result<(Id, Vec<Verdict>), JoinError>) {
        let (stored, verdicts, failure) = match done {
            Ok((id, verdicts)) => (self.associating.remove(&id), verdicts, None),
            Err(error) => (
                self.associating.remove(&error.id()),
                Vec::new(),
                Some(task_failed("an association request", &error)),
            ),
        };
        let logged_any = verdicts.contains(&Verdict::Logged);
        let mut verdicts = verdicts.into_iter();
        let mut retried = Retried::default();
        for stored in stored.map(Arc::unwrap_or_clone).unwrap_or_default() {
            let verdict = verdicts.next().unwrap_or_else(|| unanswered(&failure));
            self.conclude_all(stored.group, &verdict, &mut retried);
        }
        self.answered(logged_any, failure.is_none() && retried.first.is_some());
        retried.log(&self.logging.account);
    }

    /// What an upsert's or association's answer says of HubSpot: it took something, or it
    /// failed every message in a way that may pass.
    fn answered(&mut self, took_any: bool, retried_any: bool) {
        if took_any {
            self.hubspot_answered(Some(true));
        } else if retried_any {
            self.hubspot_answered(Some(false));
        }
    }

    fn conclude_all(&mut self, group: Group, verdict: &Verdict, retried: &mut Retried) {
        for ready in group {
            self.conclude(ready.held, verdict.clone(), retried);
        }
    }

    /// An entry's verdict: settled, or queued for its next try.
    fn conclude(&mut self, held: Held, verdict: Verdict, retried: &mut Retried) {
        match verdict {
            Verdict::Wait(_) => self.wait_elsewhere(held),
            Verdict::Retry(reason) => {
                self.counts.retried.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::Retried, 1);
                let tries = self.tries.entry(held.id.clone()).or_insert(0);
                *tries += 1;
                let tries = *tries;
                let due = Instant::now() + self.backoff(tries);
                retried.first.get_or_insert((reason, tries));
                self.waiting.push(Waiting { due, held });
            }
            settled => self.conclude_settled(held.id, settled),
        }
    }

    /// An entry logged or dead, to be written to Redis.
    fn conclude_settled(&mut self, id: String, verdict: Verdict) {
        self.tries.remove(&id);
        match verdict {
            Verdict::Logged => {
                self.counts.logged.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::Logged, 1);
                self.unsettled.push((id, Settle::Ack));
            }
            Verdict::Dead(reason) => {
                tracing::warn!(account = %self.logging.account, entry = %id, %reason, "dead letter");
                self.counts.dead_lettered.fetch_add(1, Ordering::Relaxed);
                metrics::settled(&self.logging.account, Settled::DeadLettered, 1);
                self.unsettled.push((id, Settle::Dead(reason)));
            }
            Verdict::Retry(reason) | Verdict::Wait(reason) => {
                // Not reached (`conclude` queues retries); kept, not lost, all the same.
                tracing::error!(account = %self.logging.account, entry = %id, %reason,
                    "an entry to retry was settled; it stays pending, for a claim");
            }
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

    /// Retries that are due, placed again (their contact may be known by now).
    async fn take_due(&mut self) {
        let now = Instant::now();
        if !self.waiting.iter().any(|waiting| waiting.due <= now) {
            return;
        }
        let (due, later): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|waiting| waiting.due <= now);
        self.waiting = later;
        self.place(due.into_iter().map(|waiting| waiting.held).collect())
            .await;
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
        if now < self.next_claim {
            return;
        }
        // The next look in half a claim time, room or not (at capacity, a look due now would
        // wake the loop again and again).
        self.next_claim = now + self.options.claim_after / 2;
        let room = self.capacity().saturating_sub(self.held()).min(READ_CHUNK);
        if room == 0 {
            return;
        }
        match self.side.claim_idle(self.options.claim_after, room).await {
            Ok(claimed) => {
                let held: HashSet<String> = self.held_ids().into_iter().collect();
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
                    self.admit(claimed).await;
                }
            }
            Err(error) => self.redis_failed("claiming idle entries", &error),
        }
    }
}

/// Why a task failed, for its entries' retry.
fn task_failed(what: &str, error: &JoinError) -> String {
    tracing::error!(%error, "{what}'s task failed; its entries are tried again");
    format!("{what}'s task failed: {error}")
}

/// The verdict of an entry a task's answer left out: tried again rather than lost.
fn unanswered(failure: &Option<String>) -> Verdict {
    Verdict::Retry(
        failure
            .clone()
            .unwrap_or_else(|| "HubSpot's answer did not account for the message".to_owned()),
    )
}

/// The first reason entries of one answer were kept for a retry, logged once for them all.
#[derive(Default)]
struct Retried {
    first: Option<(String, u32)>,
}

impl Retried {
    fn log(&self, account: &AccountName) {
        if let Some((reason, tries)) = &self.first {
            tracing::warn!(%account, %reason, tries, "not logged yet; trying again later");
        }
    }
}

fn is_no_group(error: &RelayError) -> bool {
    matches!(error, RelayError::Redis(error) if error.code() == Some("NOGROUP"))
}
