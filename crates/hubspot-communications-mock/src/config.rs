//! How a fake server behaves: accepted tokens, rate limits, faults.

use std::collections::BTreeSet;
use std::time::Duration;

/// A fake server's configuration; [`Config::default`] accepts any token, allows HubSpot's
/// Starter limits and injects no faults.
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tokens: BTreeSet::new(),
            rate_limit: Limit::new(100, Duration::from_secs(10)),
            search_limit: Limit::new(5, Duration::from_secs(1)),
            daily_limit: None,
            faults: Faults::default(),
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
}

/// At most `max` requests in any rolling `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

impl Limit {
    /// `max` per `window`.
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }
}

/// A fault the server can inject instead of (or around) a normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// A 429 with the ten-secondly policy.
    RateLimited,
    /// A 500.
    InternalError,
    /// A 502.
    BadGateway,
    /// A 503.
    Unavailable,
    /// The answer comes after [`Faults::slow_delay`].
    Slow,
    /// The connection is closed before the request has any effect, with no answer.
    DropBeforeStore,
    /// The request takes effect, then the connection is closed with no answer.
    DropAfterStore,
    /// The request takes effect, and the answer's body is cut off halfway.
    TruncatedBody,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [Self; 8] = [
        Self::RateLimited,
        Self::InternalError,
        Self::BadGateway,
        Self::Unavailable,
        Self::Slow,
        Self::DropBeforeStore,
        Self::DropAfterStore,
        Self::TruncatedBody,
    ];

    /// The kind's name on the binary's command line, e.g. `drop-after-store`.
    pub fn name(self) -> &'static str {
        match self {
            Self::RateLimited => "429",
            Self::InternalError => "500",
            Self::BadGateway => "502",
            Self::Unavailable => "503",
            Self::Slow => "slow",
            Self::DropBeforeStore => "drop-before-store",
            Self::DropAfterStore => "drop-after-store",
            Self::TruncatedBody => "truncated",
        }
    }

    /// Reads a name of [`FaultKind::name`].
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Seeded, reproducible fault injection: each request draws one number from a generator
/// seeded with `seed`, and the shares decide which fault (if any) it gets.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// The generator's seed: the same seed and the same requests give the same faults.
    pub seed: u64,
    /// Each fault's share of requests, from 0.0 to 1.0 (their sum at most 1.0).
    pub shares: Vec<(FaultKind, f64)>,
    /// Only requests whose path ends with one of these (e.g. `batch/create`); all if empty.
    pub endpoints: Vec<String>,
    /// How long a [`FaultKind::Slow`] answer waits.
    pub slow_delay: Duration,
}

impl Faults {
    /// No faults yet, with this seed.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            slow_delay: Duration::from_secs(2),
            ..Self::default()
        }
    }

    /// Gives `kind` this share of requests.
    #[must_use]
    pub fn with(mut self, kind: FaultKind, share: f64) -> Self {
        self.shares.push((kind, share));
        self
    }

    /// Injects faults only on paths ending with `suffix`.
    #[must_use]
    pub fn on(mut self, suffix: impl Into<String>) -> Self {
        self.endpoints.push(suffix.into());
        self
    }

    /// Sets the delay of slow answers.
    #[must_use]
    pub fn slow_delay(mut self, delay: Duration) -> Self {
        self.slow_delay = delay;
        self
    }

    pub(crate) fn applies_to(&self, path: &str) -> bool {
        !self.shares.is_empty()
            && (self.endpoints.is_empty()
                || self.endpoints.iter().any(|e| path.ends_with(e.as_str())))
    }

    /// The fault a draw in `[0, 1)` selects.
    pub(crate) fn pick(&self, draw: f64) -> Option<FaultKind> {
        let mut edge = 0.0;
        for (kind, share) in &self.shares {
            edge += share;
            if draw < edge {
                return Some(*kind);
            }
        }
        None
    }
}
