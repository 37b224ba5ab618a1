//! The lane's side of Redis: reads taken in and placed (ready from the contact directory, or
//! waiting for a lookup), retries placed again, settlements written, held entries kept
//! claimed and idle ones claimed; Redis failing, a backoff.

use std::collections::HashSet;
use std::collections::hash_map::Entry as Slot;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hubspot_communications::PhoneNumber;
use tokio::sync::watch;
use tokio::task::JoinError;
use tokio::time::Instant;

use super::{Lane, MIN_REDIS_BACKOFF, READ_CHUNK, Settle, Waiting};
use crate::relay::error::RelayError;
use crate::relay::metrics::{self, Settled};
use crate::relay::work::batch::{self, Held, Ready, Verdict};
use crate::relay::work::stream::Delivered;

/// How soon a lane whose stream ran dry looks for entries other workers left idle.
const DRY_CLAIM_WAIT: Duration = Duration::from_secs(1);

/// The longest wait between tries while Redis fails.
const MAX_REDIS_BACKOFF: Duration = Duration::from_secs(5);

impl Lane {
    /// Waits after a failure of Redis (doubling up to 5 s); answers whether the worker was
    /// stopped meanwhile.
    pub(super) async fn pause(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        let wait = self.next_redis_backoff();
        tokio::select! {
            () = tokio::time::sleep(wait) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }

    pub(super) fn next_redis_backoff(&mut self) -> Duration {
        let wait = self.redis_backoff;
        self.redis_backoff = (self.redis_backoff * 2).min(MAX_REDIS_BACKOFF);
        wait
    }

    pub(super) fn redis_failed(&self, what: &str, error: &RelayError) {
        tracing::warn!(account = %self.logging.account, %error, "Redis failed {what}; trying again");
    }

    /// A read's entries taken in; after a failure, the next read waits a while.
    pub(super) async fn read(
        &mut self,
        read: Result<Result<Vec<Delivered>, RelayError>, JoinError>,
    ) {
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
    pub(super) async fn admit(&mut self, delivered: Vec<Delivered>) {
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
    pub(super) async fn place(&mut self, held: Vec<Held>) {
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

    pub(super) fn make_ready(&mut self, ready: Ready, now: Instant) {
        self.ready.push(ready);
        self.ready_since.get_or_insert(now);
    }

    /// Retries that are due, placed again (their contact may be known by now).
    pub(super) async fn take_due(&mut self) {
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
    pub(super) async fn settle(&mut self) {
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
    pub(super) async fn maintain(&mut self) {
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

fn is_no_group(error: &RelayError) -> bool {
    matches!(error, RelayError::Redis(error) if error.code() == Some("NOGROUP"))
}
