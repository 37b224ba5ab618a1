//! How a fake server behaves: accepted tokens, rate limits, timeouts, faults.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::account::Account;
use crate::faults::Faults;
use crate::label::AssociationLabel;
use crate::observe::{Exchange, Observer};
use crate::property::{PropertyDefinition, PropertyOwner};
use crate::rate_limit::{DailyLimit, RateLimit};
use crate::webhooks::Webhooks;
use crate::webhooks_journal::WebhooksJournal;

/// A fake server's configuration; [`Config::default`] accepts any token, allows HubSpot's
/// Starter limits, waits 10 s for a request's headers and injects no faults.
///
/// OAuth: [`Config::oauth_app`] and [`Config::account`] set up public apps and the accounts
/// that installed them; the token endpoint (`POST /oauth/v1/token`, `/oauth/v3/token`,
/// `/oauth/2026-03/token`, `/oauth/2026-09/token`) exchanges their refresh tokens for access
/// tokens that live [`Config::access_token_lifetime`], and each account's requests count
/// against its own limits. Once an account is configured, a token must be one of its access
/// tokens or a listed private-app token ([`Config::token`]).
#[derive(Clone)]
pub struct Config {
    /// Accepted bearer tokens; empty accepts any non-empty token.
    pub(crate) tokens: BTreeSet<String>,
    /// Tokens granted only some scopes ([`Config::scoped_token`]); every other accepted token
    /// has them all.
    pub(crate) token_scopes: BTreeMap<String, BTreeSet<String>>,
    /// The general rate limit.
    pub(crate) rate_limit: RateLimit,
    /// The search endpoints' own rate limit.
    pub(crate) search_rate_limit: RateLimit,
    /// After this many requests in all, every request is refused with the `DAILY` policy.
    pub(crate) daily_limit: Option<u64>,
    /// Faults to inject.
    pub(crate) faults: Faults,
    /// How long a client may take to send a request's headers, counted from when the server
    /// starts waiting for them (for a kept-alive connection, from the previous answer): a
    /// connection that takes longer is closed, so stalled clients cannot hold it forever.
    pub(crate) header_read_timeout: Duration,
    /// Writes one line per request on stderr: method, path and query, status.
    pub(crate) log: bool,
    /// The account's own properties, beside HubSpot's defaults (a definition of a default's
    /// name replaces it).
    pub(crate) properties: Vec<(PropertyOwner, PropertyDefinition)>,
    /// The account's association labels between communications and records.
    pub(crate) association_labels: Vec<AssociationLabel>,
    /// See every request a route answers and its answer (e.g. to check both against a spec).
    pub(crate) observers: Vec<Observer>,
    /// The account's region (ISO 3166 code, `US` by default): national phone numbers are read
    /// in it for the calculated searchable phone properties of contacts (see
    /// [`Config::phone_region`]).
    pub(crate) phone_region: String,
    /// OAuth apps, client id to client secret.
    pub(crate) apps: BTreeMap<String, String>,
    /// Accounts that installed an app, each with its own limits.
    pub(crate) accounts: Vec<Account>,
    /// How long an access token the token endpoint issues lives (its `expires_in`): 1800 s,
    /// as HubSpot's.
    pub(crate) access_token_lifetime: Duration,
    /// Whether a refresh token stops working once exchanged (the answer's new one replaces
    /// it). HubSpot's keep working; rotating them shows a client that keeps an old one.
    pub(crate) rotate_refresh_tokens: bool,
    /// Where and how webhooks are delivered when messages and records change (none by
    /// default).
    pub(crate) webhooks: Option<Webhooks>,
    /// How long a write takes to show in search results.
    pub(crate) search_lag: Duration,
    /// HubSpot's webhooks journal: its retention, URLs, entries and first subscriptions.
    pub(crate) webhooks_journal: WebhooksJournal,
}

/// How long a write takes to show in search results unless [`Config::search_lag`] says
/// otherwise: 5 seconds. HubSpot's search is eventually consistent and HubSpot gives no figure
/// ("a few seconds", its integrators report "several"); 5 s is at the slow end of the usual,
/// because the fake is never kinder than HubSpot: code that searches for what it just wrote
/// must meet the lag in tests, not first in production.
pub const DEFAULT_SEARCH_LAG: Duration = Duration::from_secs(5);

impl Default for Config {
    fn default() -> Self {
        Self {
            tokens: BTreeSet::new(),
            token_scopes: BTreeMap::new(),
            rate_limit: RateLimit::STARTER,
            search_rate_limit: RateLimit::SEARCH,
            daily_limit: None,
            faults: Faults::default(),
            header_read_timeout: Duration::from_secs(10),
            log: false,
            properties: Vec::new(),
            association_labels: Vec::new(),
            observers: Vec::new(),
            phone_region: "US".to_owned(),
            apps: BTreeMap::new(),
            accounts: Vec::new(),
            access_token_lifetime: Duration::from_secs(1800),
            rotate_refresh_tokens: false,
            webhooks: None,
            search_lag: DEFAULT_SEARCH_LAG,
            webhooks_journal: WebhooksJournal::default(),
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

    /// Accepts this token with only these scopes (a private app granted some): a call that
    /// needs another is answered HubSpot's 403 `MISSING_SCOPES`, naming it. The fake checks
    /// the scopes of the Properties API's writes, each a scope HubSpot's Properties spec lists:
    /// `crm.schemas.contacts.write` for contacts and for communications (the spec names no
    /// communications scope, and HubSpot's communications spec puts communications under the
    /// contacts scopes), `crm.schemas.companies.write`, `crm.schemas.deals.write`,
    /// `crm.schemas.tickets.write`.
    #[must_use]
    pub fn scoped_token<I, S>(mut self, token: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let token = token.into();
        self.tokens.insert(token.clone());
        self.token_scopes
            .insert(token, scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the general rate limit ([`RateLimit::STARTER`] by default).
    #[must_use]
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Sets the search endpoints' rate limit ([`RateLimit::SEARCH`] by default).
    #[must_use]
    pub fn search_rate_limit(mut self, limit: RateLimit) -> Self {
        self.search_rate_limit = limit;
        self
    }

    /// Refuses every request after the limit (a number of requests, or a tier's:
    /// [`DailyLimit::PROFESSIONAL`]) with HubSpot's `DAILY` policy, and states it in the daily
    /// headers (without it they state Starter's 250,000, never enforced).
    #[must_use]
    pub fn daily_limit(mut self, limit: impl Into<DailyLimit>) -> Self {
        self.daily_limit = Some(limit.into().requests);
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

    /// Defines a property of the account, as its settings would (e.g. a unique custom id to
    /// upsert on): `Config::default().property(PropertyOwner::Communication,
    /// PropertyDefinition::string("external_id").unique())`.
    #[must_use]
    pub fn property(
        mut self,
        owner: impl Into<PropertyOwner>,
        definition: PropertyDefinition,
    ) -> Self {
        self.properties.push((owner.into(), definition));
        self
    }

    /// Defines an association label of the account.
    #[must_use]
    pub fn association_label(mut self, label: AssociationLabel) -> Self {
        self.association_labels.push(label);
        self
    }

    /// Calls `observer` with every request a route answers and the answer (a scripted answer
    /// too, [`MockServer::script`](crate::MockServer::script)), after the gate
    /// (authentication, rate limits) and before injected faults change the answer. Each call
    /// adds an observer: all of them see every exchange, in the order they were added.
    #[must_use]
    pub fn observe(mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        self.observers.push(std::sync::Arc::new(observer));
        self
    }

    /// The region national phone numbers are read in (an ISO 3166 code, e.g. `GB`; `US` by
    /// default), as HubSpot reads them in the account's country: a contact's
    /// `hs_searchable_calculated_phone_number` and `hs_searchable_calculated_mobile_number`
    /// hold the national significant number of `phone` and `mobilephone` when they read as a
    /// phone number possible for its country code (internationally, or nationally in this
    /// region; a range newer than the `phonenumber` crate's metadata included, as HubSpot's
    /// current metadata knows it), else their digits only.
    /// An unknown code reads national numbers as digits only.
    #[must_use]
    pub fn phone_region(mut self, region: impl Into<String>) -> Self {
        self.phone_region = region.into();
        self
    }

    /// How long a write (create, update, archive) takes to show in search results
    /// ([`DEFAULT_SEARCH_LAG`], 5 s, by default), as HubSpot's search index lags its store:
    /// until then search finds the object as it was before (a new one not at all); reads by
    /// id, lists, batch reads and upserts by a unique property see every write at once.
    /// Seeded objects show at once. A test that needs instant search says so:
    /// `.search_lag(Duration::ZERO)`.
    #[must_use]
    pub fn search_lag(mut self, lag: Duration) -> Self {
        self.search_lag = lag;
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

impl Config {
    /// Registers an OAuth app: the token endpoint exchanges refresh tokens for its client id
    /// and secret.
    #[must_use]
    pub fn oauth_app(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.apps.insert(client_id.into(), client_secret.into());
        self
    }

    /// Adds an account that installed an OAuth app, with its refresh token and its own limits.
    #[must_use]
    pub fn account(mut self, account: Account) -> Self {
        self.accounts.push(account);
        self
    }

    /// Sets how long issued access tokens live (1800 s by default); a request with one past
    /// its life is answered 401 `EXPIRED_AUTHENTICATION`.
    #[must_use]
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Makes each refresh token stop working once exchanged (off by default, as HubSpot's).
    #[must_use]
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }
}

impl Config {
    /// Delivers webhooks as HubSpot does for an app: signed batches of events posted to the
    /// target URL when messages and records are created, changed, archived or associated
    /// (through the API or seeded), for the subscriptions given. Read them with
    /// [`MockServer::webhook_deliveries`](crate::MockServer::webhook_deliveries).
    #[must_use]
    pub fn webhooks(mut self, webhooks: Webhooks) -> Self {
        self.webhooks = Some(webhooks);
        self
    }

    /// How HubSpot's webhooks journal behaves ([`WebhooksJournal::default`] unless set: 3
    /// days of entries, no subscription until one is made through the subscriptions API).
    #[must_use]
    pub fn webhooks_journal(mut self, journal: WebhooksJournal) -> Self {
        self.webhooks_journal = journal;
        self
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("tokens", &self.tokens.len())
            .field("scoped_tokens", &self.token_scopes.len())
            .field("rate_limit", &self.rate_limit)
            .field("search_rate_limit", &self.search_rate_limit)
            .field("daily_limit", &self.daily_limit)
            .field("faults", &self.faults)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("log", &self.log)
            .field("properties", &self.properties)
            .field("association_labels", &self.association_labels)
            .field("observers", &self.observers.len())
            .field("phone_region", &self.phone_region)
            // Client secrets and refresh tokens are not printed.
            .field("apps", &self.apps.keys().collect::<Vec<_>>())
            .field("accounts", &self.accounts)
            .field("access_token_lifetime", &self.access_token_lifetime)
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .field("webhooks", &self.webhooks)
            .field("search_lag", &self.search_lag)
            .field("webhooks_journal", &self.webhooks_journal)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_hubspots() {
        let config = Config::default();
        assert_eq!(config.header_read_timeout, Duration::from_secs(10));
        assert_eq!(config.rate_limit, RateLimit::STARTER);
        assert_eq!(config.search_rate_limit, RateLimit::SEARCH);
        assert_eq!(config.access_token_lifetime, Duration::from_secs(1800));
        assert!(!config.rotate_refresh_tokens);
        assert_eq!(config.search_lag, Duration::from_secs(5));
    }
}
