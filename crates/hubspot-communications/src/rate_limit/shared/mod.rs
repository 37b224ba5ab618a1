//! A rate limit shared by every process and machine through Redis (the `redis` feature).
//!
//! Each process keeps its own [`RateLimit`](crate::RateLimit) window by default, so several
//! workers logging into one account spend its budget several times over and meet 429s. With a
//! [`SharedRateLimit`] the rolling window lives in Redis instead: one sorted set per account (and
//! one for search), holding each request in the window. One Lua script, run atomically by
//! Redis, trims what left the window, counts, and either records the request or answers how
//! long until the oldest leaves; the time is Redis's own (`TIME`), so the clocks of the machines
//! do not matter, and a key no request touched for a window's length expires. When a request's
//! answer comes, its entry is moved to that time: HubSpot counted the request by then, however
//! long a busy machine or a far one took to send it, so the next turn cannot come early (a
//! second, cheap exchange with Redis per request).
//!
//! What HubSpot's headers teach a client keeps working: `X-HubSpot-RateLimit-Max` and
//! `-Interval-Milliseconds` resize the window each process asks Redis about, and a 429's
//! `Retry-After` pauses every process (a key with that time to live). `-Remaining` is no longer
//! needed to see the other workers' spend, since the shared window counts every request that
//! goes through it; it still feeds the local window a process falls back to
//! ([`RedisUnavailable::FallBackToLocal`]).

mod script;
mod window;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::time::Instant;

use crate::error::Error;

pub(crate) use window::SharedWindow;

/// A rolling-window rate limit kept in Redis, shared by every client that uses the same Redis
/// and key prefix, in any process on any machine.
///
/// Give one to [`ClientBuilder::shared_rate_limit`](crate::ClientBuilder::shared_rate_limit):
/// the client's limit ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit), and
/// what HubSpot's headers report) is then counted in Redis
/// under `<key_prefix>:rate-limit`, and the search limit under `<key_prefix>:search-rate-limit`.
/// Use one key prefix per HubSpot account (and app): every worker of that account names the
/// same prefix. Clones, and the handles [`key_prefix`](Self::key_prefix) makes for other
/// accounts, share one connection.
///
/// ```no_run
/// use hubspot_communications::{Client, RateLimit, RedisUnavailable, SharedRateLimit};
///
/// # fn run() -> Result<(), hubspot_communications::Error> {
/// let shared = SharedRateLimit::redis("redis://10.0.0.5:6379/", "hubspot:portal-62515")?
///     .when_unavailable(RedisUnavailable::FallBackToLocal);
/// // In every worker process: together they stay under the account's 190 per 10 s.
/// let client = Client::builder("pat-na1-…")
///     .rate_limit(RateLimit::PROFESSIONAL)
///     .shared_rate_limit(shared)
///     .build()?;
/// # Ok(()) }
/// ```
///
/// One Redis server, 3.2 or newer (the tests run 7.0); Redis Cluster is not supported. The
/// connection is made on the first call, and made again whenever it breaks; what a call does
/// while Redis cannot be reached is [`when_unavailable`](Self::when_unavailable)'s choice. Each
/// request costs one exchange with Redis (a script Redis keeps loaded, called by its hash).
#[derive(Clone, Debug)]
pub struct SharedRateLimit {
    redis: Arc<Redis>,
    key_prefix: String,
    when_unavailable: RedisUnavailable,
}

/// What a call does when the shared rate limit's Redis cannot be reached (or answers with an
/// error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RedisUnavailable {
    /// Keep trying to reach Redis, with backoff, for as long as the call may wait (its
    /// [deadline](crate::ClientBuilder::deadline), and the longest wait of its
    /// [`RetryPolicy`](crate::RetryPolicy::max_retry_after)); then fail with
    /// [`Error::RateLimitUnavailable`], having sent nothing. The account's budget is never
    /// overspent, at the cost of calls failing while Redis is down. The default.
    #[default]
    Wait,
    /// Count with this process's own limiter (the account's whole limit, as without a shared
    /// one, following HubSpot's `-Remaining` header to see the others' spend) until Redis
    /// answers again, which is tried at most once a second (by one call, which may wait up to
    /// the [`timeout`](SharedRateLimit::timeout) to find out). Calls go on; processes may
    /// together meet some 429s meanwhile (which the client retries). One warning is logged
    /// when Redis is lost, and a note when it answers again.
    FallBackToLocal,
}

impl SharedRateLimit {
    /// A shared rate limit in the Redis at `url` (`redis://[user:password@]host[:port][/db]`,
    /// or `redis+unix:///path`), under keys that start with `key_prefix`.
    ///
    /// Nothing connects yet: the first call does. Fails if the URL cannot be read or the key
    /// prefix is empty.
    pub fn redis(url: &str, key_prefix: impl Into<String>) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|error| {
            // The error names no part of the URL, which may hold a password.
            Error::InvalidSetting(format!("the shared rate limit's Redis URL: {error}"))
        })?;
        Self::with_redis(Arc::new(Redis::new(client, DEFAULT_TIMEOUT)), key_prefix)
    }

    fn with_redis(redis: Arc<Redis>, key_prefix: impl Into<String>) -> Result<Self, Error> {
        let key_prefix = key_prefix.into();
        if key_prefix.is_empty() {
            return Err(Error::InvalidSetting(
                "the shared rate limit's key prefix is empty".into(),
            ));
        }
        Ok(Self {
            redis,
            key_prefix,
            when_unavailable: RedisUnavailable::default(),
        })
    }

    /// The same Redis and connection, under another key prefix: another account's limit.
    pub fn key_prefix(&self, key_prefix: impl Into<String>) -> Result<Self, Error> {
        Ok(Self {
            when_unavailable: self.when_unavailable,
            ..Self::with_redis(self.redis.clone(), key_prefix)?
        })
    }

    /// What a call does while Redis cannot be reached: [`RedisUnavailable::Wait`] by default.
    #[must_use]
    pub fn when_unavailable(mut self, policy: RedisUnavailable) -> Self {
        self.when_unavailable = policy;
        self
    }

    /// The longest one exchange with Redis may take, connecting included: 1 s by default
    /// (Redis answers in well under a millisecond on a working network). A handle whose
    /// connection is already shared with others gets a connection of its own.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let timeout = timeout.max(Duration::from_millis(1));
        match Arc::get_mut(&mut self.redis) {
            Some(redis) => redis.timeout = timeout,
            None => self.redis = Arc::new(Redis::new(self.redis.client.clone(), timeout)),
        }
        self
    }

    /// The window of one of the client's limiters (`rate-limit`, `search-rate-limit`).
    pub(crate) fn window(&self, name: &str) -> SharedWindow {
        SharedWindow::new(
            self.redis.clone(),
            format!("{}:{name}", self.key_prefix),
            self.when_unavailable,
        )
    }
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// One Redis server and the connection to it, shared by every window that uses it.
pub(crate) struct Redis {
    client: redis::Client,
    timeout: Duration,
    /// The connection manager (it reconnects after a dropped connection by itself), made on
    /// first use (it needs a runtime), with the generation it was made in.
    connection: Mutex<Option<(u64, ConnectionManager)>>,
    generation: AtomicU64,
    /// Whether Redis failed its last exchange, and when a process that fell back may try it
    /// again.
    lost: AtomicBool,
    next_try: Mutex<Option<Instant>>,
}

/// How often a process that fell back to its own limiter tries Redis again.
const RETRY_INTERVAL: Duration = Duration::from_secs(1);

impl Redis {
    fn new(client: redis::Client, timeout: Duration) -> Self {
        Self {
            client,
            timeout,
            connection: Mutex::new(None),
            generation: AtomicU64::new(0),
            lost: AtomicBool::new(false),
            next_try: Mutex::new(None),
        }
    }

    /// The connection, made now if there is none.
    fn connection(&self) -> redis::RedisResult<(u64, ConnectionManager)> {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(made) = slot.as_ref() {
            return Ok(made.clone());
        }
        // No retries inside the manager: the caller's policy decides when to try again.
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let manager = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        let made = (self.generation.fetch_add(1, Ordering::Relaxed), manager);
        *slot = Some(made.clone());
        Ok(made)
    }

    /// Drops the connection of `generation`: it timed out, and a connection that stopped
    /// answering without breaking (a vanished peer) would never be replaced otherwise.
    fn discard(&self, generation: u64) {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|(made, _)| *made == generation) {
            *slot = None;
        }
    }

    /// Whether a process that fell back to its own limiter should ask Redis now (one caller
    /// per [`RETRY_INTERVAL`] does, the others count locally meanwhile).
    fn worth_trying(&self, now: Instant) -> bool {
        if !self.lost.load(Ordering::Relaxed) {
            return true;
        }
        let mut next = self.next_try.lock().unwrap_or_else(|p| p.into_inner());
        match *next {
            Some(at) if at > now => false,
            _ => {
                *next = Some(now + RETRY_INTERVAL);
                true
            }
        }
    }

    /// Records a failed exchange; logs the first of an outage.
    fn failed(&self, error: &redis::RedisError, now: Instant) {
        *self.next_try.lock().unwrap_or_else(|p| p.into_inner()) = Some(now + RETRY_INTERVAL);
        if !self.lost.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                redis = %self.address(),
                %error,
                "the shared rate limit's Redis cannot be reached: counting in this process alone until it answers"
            );
        }
    }

    /// Records an answered exchange; logs the end of an outage.
    fn answered(&self) {
        if self.lost.load(Ordering::Relaxed) && self.lost.swap(false, Ordering::Relaxed) {
            tracing::info!(redis = %self.address(), "the shared rate limit's Redis answers again");
        }
    }

    /// Where Redis is, without credentials.
    fn address(&self) -> String {
        let info = self.client.get_connection_info();
        format!("{}/{}", info.addr(), info.redis_settings().db())
    }
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("address", &self.address())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
