//! Accounts that installed an OAuth app: each with its own rate limits (HubSpot counts a
//! public app's requests per installing account) and its own counts.

use crate::rate_limit::{RateLimit, Windows};

/// An account (HubSpot's hub, or portal) that installed an OAuth app: its id, the app, the
/// refresh token the installation gave, and its own limits.
///
/// `Debug` does not print the refresh token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// The account's id (HubSpot's `hub_id`, or portal id).
    pub(crate) hub_id: u64,
    /// The client id of the app it installed ([`Config::oauth_app`](crate::Config::oauth_app)).
    pub(crate) client_id: String,
    /// The refresh token the installation gave the app.
    pub(crate) refresh_token: String,
    /// The account's rate limit for this app: 110 requests per 10 s, HubSpot's for a public
    /// app per installing account.
    pub(crate) rate_limit: RateLimit,
    /// The account's search rate limit: 5 per second.
    pub(crate) search_rate_limit: RateLimit,
}

impl Account {
    /// Account `hub_id`, which installed the app `client_id` and gave it `refresh_token`, with
    /// a public app's limits.
    pub fn new(
        hub_id: u64,
        client_id: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        Self {
            hub_id,
            client_id: client_id.into(),
            refresh_token: refresh_token.into(),
            rate_limit: RateLimit::PUBLIC_APP,
            search_rate_limit: RateLimit::SEARCH,
        }
    }

    /// Sets the account's rate limit ([`RateLimit::PUBLIC_APP`] by default).
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Sets the account's search rate limit ([`RateLimit::SEARCH`] by default).
    #[must_use]
    pub fn search_rate_limit(mut self, limit: RateLimit) -> Self {
        self.search_rate_limit = limit;
        self
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("hub_id", &self.hub_id)
            .field("client_id", &self.client_id)
            .field("refresh_token", &"<redacted>")
            .field("rate_limit", &self.rate_limit)
            .field("search_rate_limit", &self.search_rate_limit)
            .finish()
    }
}

/// What one account has been served so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountStats {
    /// Requests made with the account's access tokens (token exchanges apart).
    pub requests: u64,
    /// Of those, refused with a 429 for the account's rate limits.
    pub rate_limited: u64,
    /// Refresh tokens exchanged for a new access token.
    pub refreshes: u64,
    /// Requests refused with a 401 `EXPIRED_AUTHENTICATION`: an access token past its life.
    pub expired: u64,
}

/// One account at run time: its rolling windows and counts.
pub(crate) struct AccountState {
    pub(crate) windows: Windows,
    pub(crate) stats: AccountStats,
}

impl AccountState {
    pub(crate) fn new(account: &Account) -> Self {
        Self {
            windows: Windows::new(account.rate_limit, account.search_rate_limit),
            stats: AccountStats::default(),
        }
    }
}
