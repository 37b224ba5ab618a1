//! How many requests may start in a rolling window: HubSpot's tiers.

use std::time::Duration;

/// How many requests may start in a rolling window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per window.
    pub max: u32,
    /// The window's length.
    pub interval: Duration,
}

impl RateLimit {
    /// `max` requests per `interval`.
    pub const fn new(max: u32, interval: Duration) -> Self {
        Self { max, interval }
    }

    /// Free and Starter accounts: 100 requests per 10 seconds.
    pub const STARTER: Self = Self::new(100, Duration::from_secs(10));
    /// Professional and Enterprise accounts: 190 requests per 10 seconds.
    pub const PROFESSIONAL: Self = Self::new(190, Duration::from_secs(10));
    /// Accounts with the API limit increase: 250 requests per 10 seconds.
    pub const API_LIMIT_INCREASE: Self = Self::new(250, Duration::from_secs(10));
    /// A public (OAuth) app, per installing account: 110 requests per 10 seconds, whatever the
    /// account's tier (the API limit increase does not apply; search has its own limit,
    /// [`SEARCH`](Self::SEARCH)).
    pub const PUBLIC_APP: Self = Self::new(110, Duration::from_secs(10));
    /// HubSpot's search endpoints: 5 requests per second per account.
    pub const SEARCH: Self = Self::new(5, Duration::from_secs(1));
}
