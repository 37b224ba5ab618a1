//! Claims held in this process: the default of every client.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::store::{Claim, ContactClaims, DEFAULT_CLAIM_TTL, DEFAULT_RECORD_TTL};
use crate::error::Error;

/// Claims held in this process, shared by a client and its clones: the default of every
/// client. Two processes looking up one new number at once each create its contact; give
/// them `RedisClaims` (the `redis` feature) to share one.
pub struct LocalClaims {
    claim_ttl: Duration,
    record_ttl: Duration,
    slots: Mutex<HashMap<String, Slot>>,
}

enum Slot {
    Claimed { owner: String, until: Instant },
    Recorded { contact_id: String, until: Instant },
}

impl Slot {
    fn until(&self) -> Instant {
        match self {
            Self::Claimed { until, .. } | Self::Recorded { until, .. } => *until,
        }
    }
}

/// Above this many slots, each change first drops the lapsed ones.
const PURGE_ABOVE: usize = 1_024;

impl LocalClaims {
    /// Claims that hold [`DEFAULT_CLAIM_TTL`], records kept [`DEFAULT_RECORD_TTL`].
    pub fn new() -> Self {
        Self {
            claim_ttl: DEFAULT_CLAIM_TTL,
            record_ttl: DEFAULT_RECORD_TTL,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// How long a claim holds (at least 1 ms).
    #[must_use]
    pub fn claim_ttl(mut self, ttl: Duration) -> Self {
        self.claim_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// How long a created contact's id is kept (at least 1 ms).
    #[must_use]
    pub fn record_ttl(mut self, ttl: Duration) -> Self {
        self.record_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() > PURGE_ABOVE {
            let now = Instant::now();
            slots.retain(|_, slot| slot.until() > now);
        }
        slots
    }

    fn claim_now(&self, number: &str, owner: &str) -> Claim {
        let now = Instant::now();
        let mut slots = self.slots();
        match slots.get(number) {
            Some(Slot::Recorded { contact_id, until }) if *until > now => {
                Claim::Recorded(contact_id.clone())
            }
            Some(Slot::Claimed {
                owner: holder,
                until,
            }) if *until > now && holder != owner => Claim::Held,
            _ => {
                let until = now + self.claim_ttl;
                let owner = owner.to_owned();
                slots.insert(number.to_owned(), Slot::Claimed { owner, until });
                Claim::Won
            }
        }
    }

    /// Whether `owner` holds the claim on `number` (a lapsed one included: nobody took it).
    fn holds(slots: &HashMap<String, Slot>, number: &str, owner: &str) -> bool {
        matches!(slots.get(number), Some(Slot::Claimed { owner: holder, .. }) if holder == owner)
    }
}

impl Default for LocalClaims {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LocalClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalClaims")
            .field("claim_ttl", &self.claim_ttl)
            .field("record_ttl", &self.record_ttl)
            .finish_non_exhaustive()
    }
}

impl ContactClaims for LocalClaims {
    fn claim<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<Claim, Error>> {
        Box::pin(async move { Ok(self.claim_now(number, owner)) })
    }

    fn record<'a>(
        &'a self,
        number: &'a str,
        owner: &'a str,
        contact_id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut slots = self.slots();
            // A claim that lapsed and was taken belongs to its new holder, who searches first
            // and finds this contact: the record is its to write.
            if Self::holds(&slots, number, owner) {
                let until = Instant::now() + self.record_ttl;
                let contact_id = contact_id.to_owned();
                slots.insert(number.to_owned(), Slot::Recorded { contact_id, until });
            }
            Ok(())
        })
    }

    fn release<'a>(&'a self, number: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut slots = self.slots();
            if Self::holds(&slots, number, owner) {
                slots.remove(number);
            }
            Ok(())
        })
    }

    fn claim_ttl(&self) -> Duration {
        self.claim_ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_caller_wins_the_others_wait_then_read_the_record() {
        let claims = LocalClaims::new().claim_ttl(Duration::from_secs(60));
        assert_eq!(claims.claim("+1", "a").await.unwrap(), Claim::Won);
        assert_eq!(claims.claim("+1", "b").await.unwrap(), Claim::Held);
        // Its own claim again: still won (a retry of the same call).
        assert_eq!(claims.claim("+1", "a").await.unwrap(), Claim::Won);
        // Someone else's record or release cannot end it.
        claims.record("+1", "b", "999").await.unwrap();
        claims.release("+1", "b").await.unwrap();
        assert_eq!(claims.claim("+1", "b").await.unwrap(), Claim::Held);
        claims.record("+1", "a", "42").await.unwrap();
        assert_eq!(
            claims.claim("+1", "b").await.unwrap(),
            Claim::Recorded("42".into())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_lapsed_claim_goes_to_the_next_caller_and_a_record_lapses_too() {
        let claims = LocalClaims::new()
            .claim_ttl(Duration::from_secs(60))
            .record_ttl(Duration::from_secs(600));
        assert_eq!(claims.claim("+1", "a").await.unwrap(), Claim::Won);
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(claims.claim("+1", "b").await.unwrap(), Claim::Won);
        // The first holder, back late, no longer holds it.
        claims.record("+1", "a", "1").await.unwrap();
        assert_eq!(claims.claim("+1", "c").await.unwrap(), Claim::Held);
        claims.record("+1", "b", "2").await.unwrap();
        assert_eq!(
            claims.claim("+1", "c").await.unwrap(),
            Claim::Recorded("2".into())
        );
        tokio::time::advance(Duration::from_secs(601)).await;
        assert_eq!(claims.claim("+1", "c").await.unwrap(), Claim::Won);
    }

    #[tokio::test(start_paused = true)]
    async fn a_released_claim_is_free_at_once() {
        let claims = LocalClaims::new();
        assert_eq!(claims.claim("+1", "a").await.unwrap(), Claim::Won);
        claims.release("+1", "a").await.unwrap();
        assert_eq!(claims.claim("+1", "b").await.unwrap(), Claim::Won);
    }
}
