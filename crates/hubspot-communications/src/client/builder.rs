//! Configuring a client: credentials, where it goes, timeouts, limits, retries.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use hubspot_communications_raw as raw;

use super::raw_clients::RawClients;
use super::version::ApiVersion;
use super::{Client, DEFAULT_BASE_URL, Inner};
use crate::auth::{Credentials, OAuthCredentials, OAuthTokens, RefreshCallback, TokenManager};
use crate::error::Error;
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::request::{Attempt, AttemptCallback};
use crate::retry::RetryPolicy;

/// How long before its expiry an OAuth access token is refreshed, by default.
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Configures a [`Client`].
#[must_use]
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Credentials,
    account_id: Option<u64>,
    refresh_margin: Duration,
    on_refresh: Option<RefreshCallback>,
    on_attempt: Option<AttemptCallback>,
    association_linger: Duration,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    /// The journal's downloads' client, once built (shared by `Client::for_account`'s clients).
    downloads: Option<reqwest::Client>,
    rate_limit: Option<RateLimit>,
    search_rate_limit: RateLimit,
    retry: RetryPolicy,
    batch_concurrency: usize,
    deadline: Option<Duration>,
    max_response_bytes: u64,
    version: ApiVersion,
    #[cfg(feature = "redis")]
    pub(crate) shared_rate_limit: Option<crate::SharedRateLimit>,
    /// Who creates the contact of a new number; a fresh `LocalClaims` when `None`.
    #[cfg(feature = "lookup")]
    contact_claims: Option<Arc<dyn crate::ContactClaims>>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let credentials = match &self.credentials {
            Credentials::PrivateApp(_) => "private app",
            Credentials::OAuth(_) => "oauth",
            Credentials::App(_) => "app",
        };
        f.debug_struct("ClientBuilder")
            .field("token", &"<redacted>")
            .field("credentials", &credentials)
            .field("account_id", &self.account_id)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    pub(super) fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            account_id: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            on_refresh: None,
            on_attempt: None,
            association_linger: crate::api::ASSOCIATION_LINGER,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: concat!("hubspot-communications/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            downloads: None,
            rate_limit: None,
            search_rate_limit: RateLimit::SEARCH,
            retry: RetryPolicy::default(),
            batch_concurrency: 2,
            deadline: None,
            max_response_bytes: raw::DEFAULT_MAX_RESPONSE_BYTES,
            version: ApiVersion::LATEST,
            #[cfg(feature = "redis")]
            shared_rate_limit: None,
            #[cfg(feature = "lookup")]
            contact_claims: None,
        }
    }

    /// This builder for another account's `credentials` (see [`Client::for_account`]).
    pub(super) fn for_account(mut self, credentials: OAuthCredentials) -> Self {
        self.credentials = Credentials::OAuth(credentials);
        self.account_id = None;
        #[cfg(feature = "redis")]
        {
            self.shared_rate_limit = None;
        }
        // Another account's numbers are other contacts.
        #[cfg(feature = "lookup")]
        {
            self.contact_claims = None;
        }
        self
    }

    /// Where requests go; `https://api.hubapi.com` by default (a fake server in tests).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The settings of a client in tests against a fake HubSpot at `base_url` (the
    /// `hubspot-communications-mock` crate's, or a stand-in of your own): no rate limit to
    /// wait for (a million requests a second, search included), up to 3 retries 1 to 10 ms
    /// apart, a 5 s timeout. Any of them can be set again after. Not for HubSpot itself,
    /// whose limits it would run into.
    ///
    /// ```
    /// use hubspot_communications::Client;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let hubspot = hubspot_communications_mock::MockServer::start().await?;
    /// let client = Client::builder("test-token").for_testing(hubspot.base_url()).build()?;
    /// # Ok(()) }
    /// ```
    pub fn for_testing(self, base_url: impl Into<String>) -> Self {
        let unlimited = RateLimit::new(1_000_000, Duration::from_secs(1));
        self.base_url(base_url)
            .rate_limit(unlimited)
            .search_rate_limit(unlimited)
            .retry(
                RetryPolicy::default()
                    .max_retries(3)
                    .initial_backoff(Duration::from_millis(1))
                    .max_backoff(Duration::from_millis(10)),
            )
            .timeout(Duration::from_secs(5))
    }

    /// How long connecting may take: 10 s by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take: 30 s by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header: `hubspot-communications/<version>` by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends through an existing `reqwest::Client` (proxies, certificates, pools of your own).
    /// Its own timeouts, user agent and redirect policy then apply instead of this builder's:
    /// build it with `redirect(reqwest::redirect::Policy::none())`, as HubSpot's API never
    /// redirects.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The account's rate limit: [`RateLimit::STARTER`] (100 per 10 s) by default, and
    /// [`RateLimit::PUBLIC_APP`] (110 per 10 s) for an OAuth client. The client also follows
    /// the limit HubSpot reports in its `X-HubSpot-RateLimit-*` headers.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// The account's id (HubSpot's hub id, or portal id), shown on every trace span of the
    /// client's requests. An OAuth client also learns it from HubSpot's token answer.
    pub fn account_id(mut self, account_id: u64) -> Self {
        self.account_id = Some(account_id);
        self
    }

    /// How long before an OAuth access token expires the client refreshes it: 5 minutes by
    /// default (of HubSpot's 30), and at most half a token's life. Calls that find it due wait
    /// for the one refresh.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Called with the tokens of every OAuth refresh, before any request sends the new access
    /// token: store the refresh token (and the access token with its expiry) there, for the
    /// account's next client. It runs on the task that refreshes, while other calls of the
    /// account wait: keep it quick (send the tokens to a channel or spawn a task for slow
    /// storage). It is synchronous so that no call uses a token the callback has not seen.
    pub fn on_refresh(mut self, callback: impl Fn(&OAuthTokens) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Arc::new(callback));
        self
    }

    /// Called after every request the client sends (each retry included) with what became of
    /// it ([`Attempt`]): to count HubSpot's 429s and the time spent waiting for the account's
    /// limit in your metrics. It runs on the calling task: keep it quick.
    pub fn on_attempt(mut self, callback: impl Fn(&Attempt) + Send + Sync + 'static) -> Self {
        self.on_attempt = Some(Arc::new(callback));
        self
    }

    /// How long [`Client::log_all_keyed`] holds stored batches for others to share an
    /// association request with (up to 1,000 pairs a request): 250 ms by default, so that a
    /// slow stream's messages are not held long. A caller logging a finite batch (a relay's
    /// 1,000 messages) sets it longer: the batch's associations then go in one request when
    /// its upserts are done.
    pub fn association_linger(mut self, linger: Duration) -> Self {
        self.association_linger = linger;
        self
    }

    /// The search endpoints' own limit: [`RateLimit::SEARCH`] by default.
    pub fn search_rate_limit(mut self, limit: RateLimit) -> Self {
        self.search_rate_limit = limit;
        self
    }

    /// When to retry; [`RetryPolicy::never`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How many batch requests of one call may run at once: 2 by default; at least 1.
    pub fn batch_concurrency(mut self, concurrency: usize) -> Self {
        self.batch_concurrency = concurrency;
        self
    }

    /// The longest a whole call may take, rate-limit waits and retries included (each request
    /// is also bounded by [`timeout`](Self::timeout)). None by default. A call past it fails
    /// with [`Error::DeadlineExceeded`]; a retry that could not finish in time is not started.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The version of HubSpot's API to speak: [`ApiVersion::LATEST`] (2026-09) by default.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// The most of an answer the client reads: 32 MiB by default, far above any HubSpot page.
    /// A longer answer fails with [`ResponseProblem::TooLarge`](crate::ResponseProblem::TooLarge)
    /// instead of filling memory.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    #[cfg(feature = "redis")]
    /// Counts the client's requests in a window kept in Redis, shared with every client of the
    /// same [`SharedRateLimit`](crate::SharedRateLimit) key prefix in any process, instead of in this process alone
    /// (the `redis` feature). The limit itself is still [`rate_limit`](Self::rate_limit) and
    /// [`search_rate_limit`](Self::search_rate_limit), following HubSpot's headers.
    pub fn shared_rate_limit(mut self, shared: crate::SharedRateLimit) -> Self {
        self.shared_rate_limit = Some(shared);
        self
    }

    /// Who creates the contact of a phone number that
    /// [`Client::find_or_create_contacts_by_phone`] does not find, when several look at once
    /// (see [`ContactClaims`](crate::ContactClaims)): by default a
    /// [`LocalClaims`](crate::LocalClaims) of this client and its clones; with the `redis`
    /// feature, [`RedisClaims`](crate::RedisClaims) for every process that looks up numbers of
    /// the account. Not carried over by [`Client::for_account`].
    #[cfg(feature = "lookup")]
    pub fn contact_claims(mut self, claims: impl crate::ContactClaims + 'static) -> Self {
        self.contact_claims = Some(Arc::new(claims));
        self
    }

    /// Builds the client. Fails if the base URL is not an http(s) URL, the token cannot be sent
    /// in a header, a rate limit, the batch
    /// concurrency, the deadline or the response limit is zero, or the HTTP client cannot be
    /// built.
    pub fn build(self) -> Result<Client, Error> {
        if let Credentials::PrivateApp(token) = &self.credentials
            && token.expose().trim().is_empty()
        {
            return Err(Error::InvalidSetting("the access token is empty".into()));
        }
        let oauth = matches!(
            self.credentials,
            Credentials::OAuth(_) | Credentials::App(_)
        );
        let rate_limit = self.rate_limit.unwrap_or(if oauth {
            RateLimit::PUBLIC_APP
        } else {
            RateLimit::STARTER
        });
        match reqwest::Url::parse(&self.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => {
                return Err(Error::InvalidSetting(format!(
                    "the base URL {:?} is not an http(s) URL",
                    self.base_url
                )));
            }
        }
        if self.batch_concurrency == 0 {
            return Err(Error::InvalidSetting(
                "a batch concurrency of 0 would send nothing".into(),
            ));
        }
        if self.deadline == Some(Duration::ZERO) {
            return Err(Error::InvalidSetting(
                "a deadline of 0 lets no call finish".into(),
            ));
        }
        for limit in [rate_limit, self.search_rate_limit] {
            if limit.max == 0 || limit.interval.is_zero() {
                return Err(Error::InvalidSetting(format!(
                    "a rate limit of {limit:?} lets nothing through"
                )));
            }
        }
        // HubSpot's tokens are printable ASCII; anything else is a copy-paste accident (a
        // line break, an ellipsis) that would fail as a puzzling 401.
        let unusable = || {
            Error::InvalidSetting(
                "the access token holds characters other than printable ASCII".into(),
            )
        };
        if let Credentials::PrivateApp(token) = &self.credentials
            && !token.expose().trim().chars().all(|c| c.is_ascii_graphic())
        {
            return Err(unusable());
        }
        if self.max_response_bytes == 0 {
            return Err(Error::InvalidSetting(
                "a response limit of 0 bytes lets no answer be read".into(),
            ));
        }
        let (context, auth, account_id) = match &self.credentials {
            Credentials::PrivateApp(token) => (
                raw::ClientContext::bearer(token.expose().trim()).map_err(|_| unusable())?,
                None,
                self.account_id,
            ),
            Credentials::OAuth(credentials) => {
                let account_id = self.account_id.or(credentials.account_id);
                let auth = TokenManager::new(
                    credentials.clone(),
                    self.refresh_margin,
                    self.on_refresh.clone(),
                )?;
                let context = raw::ClientContext::default().with_bearer_token(auth.bearer());
                (context, Some(auth), account_id)
            }
            Credentials::App(credentials) => {
                let auth = TokenManager::app(credentials.clone(), self.refresh_margin)?;
                let context = raw::ClientContext::default().with_bearer_token(auth.bearer());
                (context, Some(auth), self.account_id)
            }
        };
        let context = context.with_max_response_bytes(self.max_response_bytes);
        let http = match self.http.clone() {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent.clone())
                // Retries are this crate's (see `RetryPolicy`); reqwest's own layer would only
                // copy every request in case of an HTTP/2 refusal, a protocol not enabled here.
                .retry(reqwest::retry::never().max_retries_per_request(0))
                // HubSpot's API does not redirect; following one would resend a message's
                // text (and, same-origin, the token) wherever a 3xx points.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::InvalidSetting(format!("cannot build the HTTP client: {e}")))?,
        };
        // The journal's entry files come from another host (pre-signed URLs): a client with no
        // default header and no redirect, whatever the caller's own client carries.
        let downloads = match self.downloads.clone() {
            Some(downloads) => downloads,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent.clone())
                .retry(reqwest::retry::never().max_retries_per_request(0))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::InvalidSetting(format!("cannot build the HTTP client: {e}")))?,
        };
        let paths = self.version.paths()?;
        let (limiter, search_limiter) = (
            RateLimiter::new(rate_limit),
            RateLimiter::new(self.search_rate_limit),
        );
        #[cfg(feature = "redis")]
        let (limiter, search_limiter) = match &self.shared_rate_limit {
            Some(shared) => (
                limiter.shared(shared.window("rate-limit")),
                search_limiter.shared(shared.window("search-rate-limit")),
            ),
            None => (limiter, search_limiter),
        };
        // Another account's client shares this pool.
        let template = ClientBuilder {
            http: Some(http.clone()),
            downloads: Some(downloads.clone()),
            ..self.clone()
        };
        Ok(Client {
            inner: Arc::new(Inner {
                raw: RawClients::new(&self.base_url, paths, http, context),
                auth,
                account_id: AtomicU64::new(account_id.unwrap_or(0)),
                template,
                version: self.version,
                paths,
                base_url: self.base_url,
                limiter,
                search_limiter,
                retry: self.retry,
                on_attempt: self.on_attempt,
                association_linger: self.association_linger,
                batch_concurrency: self.batch_concurrency,
                deadline: self.deadline,
                downloads,
                max_response_bytes: self.max_response_bytes,
                #[cfg(feature = "lookup")]
                contact_claims: self
                    .contact_claims
                    .unwrap_or_else(|| Arc::new(crate::LocalClaims::new())),
            }),
        })
    }
}
