//! One limiter's window in Redis, and what a call does while Redis cannot be reached.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::time::Instant;

use super::script::{self, Turn};
use super::{Redis, RedisUnavailable};
use crate::rate_limit::limit::RateLimit;
use crate::rate_limit::local::LocalWindow;
use crate::rate_limit::permit::{GUARD, Permit, Refusal};

/// The window in Redis of one of a client's limiters.
#[derive(Debug)]
pub(crate) struct SharedWindow {
    redis: Arc<Redis>,
    key: String,
    paused_key: String,
    when_unavailable: RedisUnavailable,
    /// Members of the sorted set are this (random) + a sequence number: unique per request
    /// among every client of the window.
    member_prefix: String,
    sequence: AtomicU64,
}

/// Why an exchange with Redis gave no turn.
enum Failure {
    Redis(redis::RedisError),
    /// The call's deadline passed while Redis was being asked.
    Deadline,
}

/// The first and the longest wait between tries of a call that waits for Redis.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const LONGEST_BACKOFF: Duration = Duration::from_secs(1);

impl SharedWindow {
    pub(super) fn new(redis: Arc<Redis>, key: String, when_unavailable: RedisUnavailable) -> Self {
        Self {
            redis,
            paused_key: format!("{key}:paused"),
            key,
            when_unavailable,
            member_prefix: format!("{:016x}", fastrand::u64(..)),
            sequence: AtomicU64::new(0),
        }
    }

    /// Waits until Redis's window gives the request a turn, bounded like
    /// [`RateLimiter::acquire`](crate::rate_limit::RateLimiter::acquire); the turn is also counted in `local` (the window this process
    /// falls back to). A turn of the local window has no entry in Redis.
    pub(crate) async fn acquire(
        &self,
        local: &LocalWindow,
        longest_wait: Duration,
        deadline: Option<Instant>,
    ) -> Result<Permit, Refusal> {
        let mut begun: Option<Instant> = None;
        let waited = |begun: Option<Instant>| begun.map_or(Duration::ZERO, |b| b.elapsed());
        let mut unreachable_since: Option<Instant> = None;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let now = Instant::now();
            // This process's own pause (a 429's Retry-After) holds without asking Redis.
            let (ready_at, limit) = local.pause_and_limit(now);
            if let Some(at) = ready_at {
                check_wait(at - now, at, longest_wait, deadline)?;
                begun.get_or_insert(now);
                tokio::time::sleep_until(at).await;
                continue;
            }
            let fall_back = self.when_unavailable == RedisUnavailable::FallBackToLocal;
            if fall_back && !self.redis.worth_trying(now) {
                let mut permit = local.acquire(longest_wait, deadline).await?;
                permit.waited += waited(begun);
                return Ok(permit);
            }
            let entry = format!(
                "{}-{}",
                self.member_prefix,
                self.sequence.fetch_add(1, Ordering::Relaxed)
            );
            match self
                .take(limit.max, limit.interval + GUARD, &entry, deadline)
                .await
            {
                Ok(Turn::Now) => {
                    self.redis.answered();
                    return Ok(Permit {
                        waited: waited(begun),
                        counted_at: local.record(Instant::now()),
                        entry: Some(entry),
                    });
                }
                Ok(Turn::After(wait)) => {
                    self.redis.answered();
                    let at = now + wait;
                    check_wait(wait, at, longest_wait, deadline)?;
                    begun.get_or_insert(now);
                    tokio::time::sleep_until(at).await;
                }
                Err(Failure::Deadline) => return Err(Refusal::Deadline),
                Err(Failure::Redis(error)) if fall_back => {
                    self.redis.failed(&error, Instant::now());
                    let mut permit = local.acquire(longest_wait, deadline).await?;
                    permit.waited += waited(begun);
                    return Ok(permit);
                }
                Err(Failure::Redis(error)) => {
                    let now = Instant::now();
                    let since = *unreachable_since.get_or_insert(now);
                    let at = now + backoff;
                    // An error trying again cannot mend (a script refused, a key of another
                    // type) fails at once; others are tried again within the call's bounds.
                    let hopeless = matches!(error.retry_method(), redis::RetryMethod::NoRetry);
                    if hopeless
                        || at - since > longest_wait
                        || deadline.is_some_and(|deadline| at > deadline)
                    {
                        return Err(Refusal::Unavailable(error));
                    }
                    begun.get_or_insert(now);
                    tokio::time::sleep_until(at).await;
                    backoff = (backoff * 2).min(LONGEST_BACKOFF);
                }
            }
        }
    }

    /// Counts the request of `entry` from now: it was answered (see
    /// [`RateLimiter::finished`](crate::rate_limit::RateLimiter::finished)). A failure is only logged: the entry then keeps its turn's
    /// time.
    pub(crate) async fn finished(&self, entry: &str, limit: RateLimit) {
        let span = limit.interval + GUARD;
        let outcome = self
            .once(async |connection| script::finish(connection, &self.key, entry, span).await)
            .await;
        if let Err(error) = outcome {
            tracing::debug!(key = %self.key, %error, "could not move a request's entry in the shared window");
        }
    }

    /// Pauses every process's requests for `pause` (a 429's Retry-After). A failure is only
    /// logged: this process pauses by itself anyway.
    pub(crate) async fn pause(&self, pause: Duration) {
        let outcome = self
            .once(async |connection| script::pause(connection, &self.paused_key, pause).await)
            .await;
        if let Err(error) = outcome {
            tracing::warn!(key = %self.paused_key, %error, "could not share a rate-limit pause through Redis");
        }
    }

    /// One exchange with Redis whose failure the caller only logs: tried once, within the
    /// timeout (a connection that timed out is discarded).
    async fn once(
        &self,
        ask: impl AsyncFnOnce(&mut ConnectionManager) -> redis::RedisResult<()>,
    ) -> redis::RedisResult<()> {
        let (generation, mut connection) = self.redis.connection()?;
        match tokio::time::timeout(self.redis.timeout, ask(&mut connection)).await {
            Ok(outcome) => outcome,
            Err(_) => {
                self.redis.discard(generation);
                Err(timed_out())
            }
        }
    }

    /// One exchange with Redis (tried a second time at once after a broken connection: the
    /// first failure is what makes the manager reconnect).
    async fn take(
        &self,
        max: u32,
        span: Duration,
        entry: &str,
        deadline: Option<Instant>,
    ) -> Result<Turn, Failure> {
        let mut tries = 0;
        loop {
            tries += 1;
            let (generation, mut connection) = self.redis.connection().map_err(Failure::Redis)?;
            let asked = script::take(
                &mut connection,
                &self.key,
                &self.paused_key,
                max,
                span,
                entry,
            );
            let bound = Instant::now() + self.redis.timeout;
            let until = deadline.map_or(bound, |deadline| deadline.min(bound));
            let error = match tokio::time::timeout_at(until, asked).await {
                Ok(Ok(turn)) => return Ok(turn),
                Ok(Err(error)) => error,
                Err(_) if until < bound => return Err(Failure::Deadline),
                Err(_) => {
                    self.redis.discard(generation);
                    timed_out()
                }
            };
            if tries > 1 || !(error.is_connection_dropped() || error.is_unrecoverable_error()) {
                return Err(Failure::Redis(error));
            }
        }
    }
}

/// Refuses a wait over `longest_wait` or past the deadline.
fn check_wait(
    wait: Duration,
    at: Instant,
    longest_wait: Duration,
    deadline: Option<Instant>,
) -> Result<(), Refusal> {
    if wait > longest_wait {
        return Err(Refusal::TooLong(wait));
    }
    if deadline.is_some_and(|deadline| at > deadline) {
        return Err(Refusal::Deadline);
    }
    Ok(())
}

fn timed_out() -> redis::RedisError {
    std::io::Error::new(std::io::ErrorKind::TimedOut, "Redis did not answer in time").into()
}
