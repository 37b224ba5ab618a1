//! Seeded fault injection: which faults, how often, on which endpoints.

use std::time::Duration;

/// A fault the server can inject instead of (or around) a normal answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// A 429 with HubSpot's rate-limit body, the ten-secondly policy and `Retry-After: 1`.
    RateLimited,
    /// A 500 with HubSpot's `INTERNAL_ERROR` body.
    InternalError,
    /// A 502, as HubSpot's load balancers send when a backend fails.
    BadGateway,
    /// A 503, as during HubSpot's outages and deploys.
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
    /// Every kind, e.g. to list them or to read a name back.
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
/// seeded with [`Faults::seeded`], and the shares given with [`Faults::with`] decide which
/// fault (if any) it gets. The default injects none (seed 0).
#[derive(Debug, Clone)]
pub struct Faults {
    /// The generator's seed: the same seed and the same requests give the same faults.
    pub(crate) seed: u64,
    /// Each fault's share of requests, from 0.0 to 1.0 (their sum at most 1.0).
    pub(crate) shares: Vec<(FaultKind, f64)>,
    /// Only requests whose path ends with one of these (e.g. `batch/create`); all if empty.
    pub(crate) endpoints: Vec<String>,
    /// How long a [`FaultKind::Slow`] answer waits.
    pub(crate) slow_delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self::seeded(0)
    }
}

impl Faults {
    /// No faults yet, with this seed; slow answers wait 2 s.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            shares: Vec::new(),
            endpoints: Vec::new(),
            slow_delay: Duration::from_secs(2),
        }
    }

    /// Gives `kind` this share of requests (from 0.0 to 1.0; the shares' sum at most 1.0).
    #[must_use]
    pub fn with(mut self, kind: FaultKind, share: f64) -> Self {
        self.shares.push((kind, share));
        self
    }

    /// Injects faults only on paths ending with `suffix` (e.g. `batch/create`; call again for
    /// more); on every path if never called.
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
