//! When each kind of request is due, and its start: lookups (leased first, the numbers with
//! the most entries waiting first), upserts of 100 and association requests of 1,000, full
//! whenever HubSpot's limit binds; while HubSpot fails, one probe at a time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use hubspot_communications::PhoneNumber;
use tokio::time::Instant;

use super::{ASSOCIATIONS_IN_FLIGHT, LOOKUPS_IN_FLIGHT, Lane};
use crate::relay::work::batch::{self, Group};

/// The most numbers one lookup takes: about 8 searches and, for the new numbers among them
/// (two in five, after an outage), two or three contact creations of up to 100. Larger
/// lookups leave fewer searches and creations part-filled; a lookup's entries wait for all
/// of it.
const LOOKUP_SIZE: usize = 500;

/// The most numbers a lookup takes while HubSpot fails (one search; an upsert or association
/// probe takes one request's worth, 100 messages).
const PROBE_NUMBERS: usize = 50;

/// The longest ready entries wait for others to fill an upsert while the lane is busy (an
/// upsert or a lookup in flight: more is coming). A quiet lane waits a linger.
const UPSERT_WAIT: Duration = Duration::from_secs(1);

/// The longest stored messages wait for others to fill an association request while the lane
/// is busy (under a backlog, a lane stores 1,000 messages in two or three seconds).
const ASSOCIATION_WAIT: Duration = Duration::from_secs(5);

impl Lane {
    /// Starts the lookups that are due ([`Self::lookup_due`]), or a probe. A lookup leases
    /// its numbers first: those another lookup is on wait for the directory, and others take
    /// their place, so that its searches go full.
    pub(super) async fn start_lookups(&mut self, now: Instant, stopping: bool) {
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
            self.lookups.spawn(numbers, async move {
                logging.contacts.look_up(&logging.client, &asked).await
            });
        }
    }

    /// Up to `count` numbers to look up, those with the most entries waiting first (the
    /// oldest first among equals): under a backlog, a search then readies as many entries as
    /// it can, which is what paces a drain while the search limit binds.
    pub(super) fn next_to_look_up(&mut self, count: usize) -> Vec<PhoneNumber> {
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

    /// The most messages an upsert takes: HubSpot's 100, or fewer with a smaller batch size.
    pub(super) fn upsert_size(&self) -> usize {
        self.options
            .batch_size
            .min(hubspot_communications::MAX_BATCH_SIZE)
    }

    /// Starts the upserts that are due ([`Self::upsert_due`]), or a probe.
    pub(super) fn start_upserts(&mut self, now: Instant, stopping: bool) {
        let size = self.upsert_size();
        while self.upserts.len() < self.options.upserts_in_flight {
            if !self.may_start(now, !self.ready.is_empty(), self.upsert_due(stopping)) {
                break;
            }
            let groups = Arc::new(self.take_ready(size));
            self.ready_since = (!self.ready.is_empty()).then_some(now);
            let logging = Arc::clone(&self.logging);
            let sent = Arc::clone(&groups);
            self.upserts
                .spawn(groups, async move { batch::upsert(&logging, sent).await });
        }
    }

    /// The oldest ready entries of up to `keys` keys, by key.
    pub(super) fn take_ready(&mut self, keys: usize) -> Vec<Group> {
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
    pub(super) fn start_associations(&mut self, now: Instant, stopping: bool) {
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
            self.associations.spawn(
                stored,
                async move { batch::associate(&logging, sent).await },
            );
        }
    }

    /// When the next lookup is due: at once when it is full or the lane stops, else a linger
    /// after the oldest number came.
    pub(super) fn lookup_due(&self, stopping: bool) -> Option<Instant> {
        let (_, since) = self.to_look_up.front()?;
        if stopping || self.to_look_up.len() >= LOOKUP_SIZE {
            return Some(*since);
        }
        Some(*since + self.options.linger)
    }

    /// Whether more is coming to be stored soon: a lookup or an upsert in flight.
    pub(super) fn busy(&self) -> bool {
        !self.lookups.is_empty() || !self.upserts.is_empty()
    }

    /// When the next upsert is due: at once when it is full; part-filled, a linger after the
    /// oldest ready entry when nothing more is coming (at once when stopping), else
    /// [`UPSERT_WAIT`] after it. (Under a backlog, every upsert is full.)
    pub(super) fn upsert_due(&self, stopping: bool) -> Option<Instant> {
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
    pub(super) fn association_due(&self, stopping: bool) -> Option<Instant> {
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
    pub(super) fn may_start(&self, now: Instant, pending: bool, due: Option<Instant>) -> bool {
        if self.failures > 0 {
            pending && self.may_probe(now)
        } else {
            due.is_some_and(|due| now >= due)
        }
    }

    /// Whether a probe may go now, HubSpot failing: its backoff passed, and nothing else is
    /// in flight.
    pub(super) fn may_probe(&self, now: Instant) -> bool {
        now >= self.probe_at && self.nothing_in_flight()
    }
}
