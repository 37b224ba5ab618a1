//! How many requests may start in a rolling window, and in a day: HubSpot's tiers.

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
    /// Accounts with the API limit increase (HubSpot's capacity pack): 250 requests per 10
    /// seconds, however many packs (it also adds 1,000,000 a day: [`DailyLimit`]).
    pub const API_LIMIT_INCREASE: Self = Self::new(250, Duration::from_secs(10));
    /// A public (OAuth) app, per installing account: 110 requests per 10 seconds, whatever the
    /// account's tier (the API limit increase does not apply; search has its own limit,
    /// [`SEARCH`](Self::SEARCH)).
    pub const PUBLIC_APP: Self = Self::new(110, Duration::from_secs(10));
    /// HubSpot's search endpoints: 5 requests per second per account.
    pub const SEARCH: Self = Self::new(5, Duration::from_secs(1));
}

/// How many requests an account's private apps may make in a day: HubSpot's daily limit, by
/// tier (its API usage guidelines, and the changelog "Increasing our API limits" that raised
/// Professional to 650,000 and Enterprise to 1,000,000). Not a rolling window, and not counted
/// by the client (it paces the rolling windows only): HubSpot states what is left in `X-HubSpot-RateLimit-Daily-Remaining` and refuses
/// the rest with a 429 whose policy is `DAILY` ([`Error::is_retryable`](crate::Error::is_retryable) is `false` for it: it would fail until the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyLimit {
    /// Requests per day.
    pub requests: u64,
}

impl DailyLimit {
    /// `requests` per day.
    pub const fn new(requests: u64) -> Self {
        Self { requests }
    }

    /// Free and Starter accounts: 250,000 requests a day.
    pub const STARTER: Self = Self::new(250_000);
    /// Professional accounts: 650,000 requests a day.
    pub const PROFESSIONAL: Self = Self::new(650_000);
    /// Enterprise accounts: 1,000,000 requests a day.
    pub const ENTERPRISE: Self = Self::new(1_000_000);
    /// What one API limit increase (HubSpot's capacity pack) adds: 1,000,000 requests a day. It
    /// can be bought twice (2,000,000 more); its burst limit, 250 per 10 seconds
    /// ([`RateLimit::API_LIMIT_INCREASE`]), does not add up.
    pub const CAPACITY_PACK: u64 = 1_000_000;

    /// This tier's limit with `packs` API limit increases (HubSpot sells at most two).
    pub const fn with_capacity_packs(self, packs: u64) -> Self {
        Self::new(self.requests + packs * Self::CAPACITY_PACK)
    }
}

impl From<u64> for DailyLimit {
    fn from(requests: u64) -> Self {
        Self::new(requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HubSpot's changelog "Increasing our API limits": Professional 650,000 a day and 190 per
    /// 10 s, Enterprise 1,000,000 and 190, the capacity pack 1,000,000 more a day (twice at
    /// most) and 250 per 10 s, which does not add up; Free and Starter 250,000 and 100.
    #[test]
    fn the_tiers_are_hubspots() {
        assert_eq!(DailyLimit::STARTER.requests, 250_000);
        assert_eq!(DailyLimit::PROFESSIONAL.requests, 650_000);
        assert_eq!(DailyLimit::ENTERPRISE.requests, 1_000_000);
        assert_eq!(
            DailyLimit::ENTERPRISE.with_capacity_packs(2),
            DailyLimit::new(3_000_000)
        );
        assert_eq!(DailyLimit::from(5), DailyLimit::new(5));
        assert_eq!(RateLimit::STARTER.max, 100);
        assert_eq!(RateLimit::PROFESSIONAL.max, 190);
        assert_eq!(RateLimit::API_LIMIT_INCREASE.max, 250);
        assert_eq!(RateLimit::SEARCH, RateLimit::new(5, Duration::from_secs(1)));
    }
}
