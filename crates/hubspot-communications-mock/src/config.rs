//! How a fake server behaves: accepted tokens, rate limits, timeouts, faults.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::faults::Faults;

/// A fake server's configuration; [`Config::default`] accepts any token, allows HubSpot's
/// Starter limits, waits 10 s for a request's headers and injects no faults.
#[derive(Debug, Clone)]
pub struct Config {
    /// Accepted bearer tokens; empty accepts any non-empty token.
    pub tokens: BTreeSet<String>,
    /// The general rate limit.
    pub rate_limit: Limit,
    /// The search endpoints' own limit.
    pub search_limit: Limit,
    /// After this many requests in all, every request is refused with the `DAILY` policy.
    pub daily_limit: Option<u64>,
    /// Faults to inject.
    pub faults: Faults,
    /// How long a client may take to send a request's headers, counted from when the server
    /// starts waiting for them (for a kept-alive connection, from the previous answer): a
    /// connection that takes longer is closed, so stalled clients cannot hold it forever.
    pub header_read_timeout: Duration,
    /// Writes one line per request on stderr: method, path and query, status.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tokens: BTreeSet::new(),
            rate_limit: Limit::new(100, Duration::from_secs(10)),
            search_limit: Limit::new(5, Duration::from_secs(1)),
            daily_limit: None,
            faults: Faults::default(),
            header_read_timeout: Duration::from_secs(10),
            log: false,
        }
    }
}

impl Config {
    /// Accepts only this token (call again to accept more).
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.insert(token.into());
        self
    }

    /// Sets the general rate limit.
    #[must_use]
    pub fn rate_limit(mut self, max: u32, window: Duration) -> Self {
        self.rate_limit = Limit::new(max, window);
        self
    }

    /// Sets the search limit.
    #[must_use]
    pub fn search_limit(mut self, max: u32, window: Duration) -> Self {
        self.search_limit = Limit::new(max, window);
        self
    }

    /// Refuses every request after `requests` with HubSpot's `DAILY` policy.
    #[must_use]
    pub fn daily_limit(mut self, requests: u64) -> Self {
        self.daily_limit = Some(requests);
        self
    }

    /// Injects faults.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Sets how long a client may take to send a request's headers (10 s by default).
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Writes one line per request on stderr (method, path and query, status), so that a
    /// program's author sees what it sent.
    #[must_use]
    pub fn log(mut self, log: bool) -> Self {
        self.log = log;
        self
    }
}

/// At most `max` requests in any rolling `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many requests the window admits.
    pub max: u32,
    /// The rolling window's length: each request counts against `max` for this long.
    pub window: Duration,
}

impl Limit {
    /// `max` per `window`.
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }
}
