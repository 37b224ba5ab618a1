//! HubSpot's rolling-window rate limits, with its headers.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

/// At most `max` requests in any rolling `interval` (the facade's `RateLimit`, with its tiers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// How many requests the window admits.
    pub max: u32,
    /// The rolling window's length: each request counts against `max` for this long.
    pub interval: Duration,
}

impl RateLimit {
    /// `max` requests per `interval`.
    pub const fn new(max: u32, interval: Duration) -> Self {
        Self { max, interval }
    }

    /// Free and Starter accounts: 100 requests per 10 seconds (the fake's default).
    pub const STARTER: Self = Self::new(100, Duration::from_secs(10));
    /// Professional and Enterprise accounts: 190 requests per 10 seconds.
    pub const PROFESSIONAL: Self = Self::new(190, Duration::from_secs(10));
    /// Accounts with the API limit increase (HubSpot's capacity pack): 250 requests per 10
    /// seconds, however many packs (it also adds 1,000,000 a day: [`DailyLimit`]).
    pub const API_LIMIT_INCREASE: Self = Self::new(250, Duration::from_secs(10));
    /// A public (OAuth) app, per installing account: 110 requests per 10 seconds.
    pub const PUBLIC_APP: Self = Self::new(110, Duration::from_secs(10));
    /// HubSpot's search endpoints: 5 requests per second per account, for private apps and
    /// for each installing account alike.
    pub const SEARCH: Self = Self::new(5, Duration::from_secs(1));
}

/// How many requests an account's private apps may make in a day: HubSpot's daily limit, by
/// tier (its API usage guidelines, and the changelog "Increasing our API limits" that raised
/// Professional to 650,000 and Enterprise to 1,000,000). Not a rolling window, and not counted
/// by the windows: HubSpot states what is left in `X-HubSpot-RateLimit-Daily-Remaining` and refuses
/// the rest with a 429 whose policy is `DAILY` ([`Config::daily_limit`](crate::Config::daily_limit) enforces it).
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

/// A rolling window of request times.
#[derive(Debug)]
pub(crate) struct Window {
    limit: RateLimit,
    times: VecDeque<Instant>,
}

/// What the window said about one request.
pub(crate) struct Verdict {
    pub(crate) allowed: bool,
    pub(crate) remaining: u32,
    /// What remains of the per-second share of the window.
    pub(crate) secondly_remaining: u64,
    pub(crate) retry_after_secs: u64,
}

impl Window {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            times: VecDeque::new(),
        }
    }

    /// Counts a request if the window has room.
    pub(crate) fn admit(&mut self, now: Instant) -> Verdict {
        self.judge(now, true)
    }

    /// What the window would say, without counting a request (for answers refused earlier).
    pub(crate) fn peek(&mut self, now: Instant) -> Verdict {
        let mut verdict = self.judge(now, false);
        verdict.allowed = false;
        verdict
    }

    fn judge(&mut self, now: Instant, count: bool) -> Verdict {
        while self
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.limit.interval)
        {
            self.times.pop_front();
        }
        let allowed = self.times.len() < self.limit.max as usize;
        if allowed && count {
            self.times.push_back(now);
        }
        let retry_after = self
            .times
            .front()
            .map(|oldest| {
                self.limit
                    .interval
                    .saturating_sub(now.duration_since(*oldest))
            })
            .unwrap_or_default();
        let last_second = self
            .times
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < Duration::from_secs(1))
            .count();
        Verdict {
            allowed,
            remaining: self.limit.max.saturating_sub(self.times.len() as u32),
            secondly_remaining: self.secondly().saturating_sub(last_second as u64),
            retry_after_secs: retry_after.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// The window's per-second share, as HubSpot states it in `-Secondly` (10 for 100 / 10 s).
    fn secondly(&self) -> u64 {
        let millis = self.limit.interval.as_millis().max(1);
        let per_second = u128::from(self.limit.max) * 1000 / millis;
        u64::try_from(per_second).unwrap_or(u64::MAX).max(1)
    }

    /// HubSpot's `X-HubSpot-RateLimit-*` headers.
    pub(crate) fn headers(&self, verdict: &Verdict, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: u64| {
            headers.insert(name, value.into());
        };
        set(
            "x-hubspot-ratelimit-interval-milliseconds",
            self.limit.interval.as_millis() as u64,
        );
        set("x-hubspot-ratelimit-max", u64::from(self.limit.max));
        set(
            "x-hubspot-ratelimit-remaining",
            u64::from(verdict.remaining),
        );
        set("x-hubspot-ratelimit-secondly", self.secondly());
        set(
            "x-hubspot-ratelimit-secondly-remaining",
            verdict.secondly_remaining,
        );
    }
}

/// The two windows HubSpot keeps per account: one for search, one for everything else.
#[derive(Debug)]
pub(crate) struct Windows {
    general: Window,
    search: Window,
}

impl Windows {
    pub(crate) fn new(general: RateLimit, search: RateLimit) -> Self {
        Self {
            general: Window::new(general),
            search: Window::new(search),
        }
    }

    /// The window a request counts against.
    pub(crate) fn for_request(&mut self, search: bool) -> &mut Window {
        if search {
            &mut self.search
        } else {
            &mut self.general
        }
    }
}

/// HubSpot's daily headers: the configured limit, or Starter's 250,000 (then never enforced).
pub(crate) fn daily_headers(limit: Option<u64>, used: u64, headers: &mut HeaderMap) {
    let limit = limit.unwrap_or(DailyLimit::STARTER.requests);
    headers.insert("x-hubspot-ratelimit-daily", limit.into());
    headers.insert(
        "x-hubspot-ratelimit-daily-remaining",
        limit.saturating_sub(used).into(),
    );
}
