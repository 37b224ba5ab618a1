//! The client and its builder.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hubspot_communications_raw as raw;

use crate::credentials::{Credentials, OAuthCredentials, OAuthTokens, RefreshCallback};
use crate::error::Error;
use crate::oauth::TokenManager;
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::retry::RetryPolicy;
use crate::version::ApiVersion;

/// HubSpot's API.
pub const DEFAULT_BASE_URL: &str = "https://api.hubapi.com";

/// A client of HubSpot's Communications API.
///
/// Cheap to clone: clones share one connection pool and one rate limiter, so every task of a
/// program can hold its own clone and the account's limit still holds.
///
/// ```no_run
/// # async fn run() -> Result<(), hubspot_communications::Error> {
/// let client = hubspot_communications::Client::new("pat-na1-your-token")?;
/// # Ok(()) }
/// ```
///
/// # OAuth, and many accounts
///
/// A public app authenticates per installing account with [`Client::oauth`]: the client
/// refreshes the access token before it expires ([`ClientBuilder::refresh_margin`]) and when
/// HubSpot answers 401 `EXPIRED_AUTHENTICATION` (once per call), one refresh at a time however
/// many calls and clones wait for it, and hands every new token to
/// [`ClientBuilder::on_refresh`] to store. One process serves many accounts with one client
/// per account: [`Client::for_account`] makes another account's client that shares this one's
/// connection pool and settings, with its own tokens and its own rate limiter
/// ([`RateLimit::PUBLIC_APP`] for OAuth clients unless set). Each client's trace spans carry
/// its account id.
///
/// ```no_run
/// use std::sync::Arc;
/// use hubspot_communications::{Client, OAuthCredentials, OAuthTokens};
///
/// # fn store(_: &OAuthTokens) {}
/// # fn run(installs: Vec<(u64, String)>) -> Result<(), hubspot_communications::Error> {
/// let app = |refresh_token: String, account: u64| {
///     OAuthCredentials::new("client-id", "client-secret", refresh_token).account_id(account)
/// };
/// let mut installs = installs.into_iter();
/// let (account, refresh_token) = installs.next().expect("one install");
/// let first = Client::oauth(app(refresh_token, account))
///     // Called with each account's new tokens: save the refresh token.
///     .on_refresh(|tokens: &OAuthTokens| store(tokens))
///     .build()?;
/// let mut clients = vec![first.clone()];
/// for (account, refresh_token) in installs {
///     clients.push(first.for_account(app(refresh_token, account))?);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) raw: RawClients,
    /// The OAuth access token's keeper; `None` for a private app's token.
    pub(crate) auth: Option<TokenManager>,
    /// The account's id (hub id), 0 while unknown: on every trace span.
    pub(crate) account_id: AtomicU64,
    /// What [`Client::for_account`] builds another account's client from: this client's
    /// settings and its HTTP client.
    template: ClientBuilder,
    pub(crate) base_url: String,
    pub(crate) limiter: RateLimiter,
    pub(crate) search_limiter: RateLimiter,
    pub(crate) retry: RetryPolicy,
    pub(crate) batch_concurrency: usize,
    pub(crate) deadline: Option<Duration>,
    pub(crate) version: ApiVersion,
    pub(crate) paths: &'static raw::ApiVersionPaths,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.version)
            .field("token", &"<redacted>")
            .field(
                "credentials",
                &if self.inner.auth.is_some() {
                    "oauth"
                } else {
                    "private app"
                },
            )
            .field("account_id", &self.account_id())
            .field("rate_limit", &self.inner.limiter.limit())
            .field("search_rate_limit", &self.inner.search_limiter.limit())
            .field("retry", &self.inner.retry)
            .field("batch_concurrency", &self.inner.batch_concurrency)
            .field("deadline", &self.inner.deadline)
            .finish()
    }
}

impl Client {
    /// A client of `https://api.hubapi.com` with a private-app or OAuth access token, and the
    /// defaults of [`ClientBuilder`].
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        Self::builder(token).build()
    }

    /// A builder, to set the base URL, timeouts, limits and more.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        Self::builder_with(Credentials::PrivateApp(crate::Secret::new(token)))
    }

    /// A builder of a client of one account that installed a public OAuth app: it refreshes
    /// the access token as needed (see [`Client`]'s docs). Its rate limit is
    /// [`RateLimit::PUBLIC_APP`] unless set.
    pub fn oauth(credentials: OAuthCredentials) -> ClientBuilder {
        Self::builder_with(Credentials::OAuth(credentials))
    }

    /// A client of another account that installed the same app: this client's settings
    /// (base URL, version, timeouts, retries, limits, refresh margin and callback) and its
    /// connection pool, with `credentials`' tokens and a rate limiter of its own. Cheap: no
    /// connection pool is built. A shared (Redis) rate limit is not carried over: its window
    /// is one account's.
    pub fn for_account(&self, credentials: OAuthCredentials) -> Result<Client, Error> {
        let mut builder = self.inner.template.clone();
        builder.credentials = Credentials::OAuth(credentials);
        builder.account_id = None;
        #[cfg(feature = "redis")]
        {
            builder.shared_rate_limit = None;
        }
        builder.build()
    }

    /// The account's id (HubSpot's hub id), if known: set on the builder or the credentials,
    /// or learnt from HubSpot's token answer.
    pub fn account_id(&self) -> Option<u64> {
        Some(self.inner.account_id.load(Ordering::Relaxed)).filter(|id| *id != 0)
    }

    /// Records the account id HubSpot's token answer gave, unless one was set.
    pub(crate) fn learn_account_id(&self, id: u64) {
        let _ = self
            .inner
            .account_id
            .compare_exchange(0, id, Ordering::Relaxed, Ordering::Relaxed);
    }

    fn builder_with(credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            credentials,
            account_id: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            on_refresh: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: concat!("hubspot-communications/", env!("CARGO_PKG_VERSION")).to_owned(),
            http: None,
            rate_limit: None,
            search_rate_limit: RateLimit::SEARCH,
            retry: RetryPolicy::default(),
            batch_concurrency: 2,
            deadline: None,
            max_response_bytes: raw::DEFAULT_MAX_RESPONSE_BYTES,
            version: ApiVersion::LATEST,
            #[cfg(feature = "redis")]
            shared_rate_limit: None,
        }
    }

    /// The raw generated clients under this one (one per family of operations), for
    /// operations the facade does not wrap. Calls made through them bypass the rate limiter
    /// and retries.
    pub fn raw(&self) -> &RawClients {
        &self.inner.raw
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The version of HubSpot's API the client speaks.
    pub fn api_version(&self) -> ApiVersion {
        self.inner.version
    }

    /// Whether the client's API version has the raw operation of this name.
    pub(crate) fn has(&self, operation: &str) -> bool {
        self.inner.paths.has(operation)
    }
}

/// The raw clients of one HubSpot API version, one per family of operations, each built on the
/// base URL + the family's base path ([`raw::ApiVersionPaths`]). Each family's operations are
/// called on its own client (nothing checks the family: in v3, an objects operation on the
/// record associations client would reach `/crm/v4/objects/...`).
#[derive(Debug, Clone)]
pub struct RawClients {
    /// Messages and records: `list_objects`, `get_object`, `search_objects`, the
    /// `batch_*_objects`, … (and in v3 `associate_communication`,
    /// `remove_communication_association`).
    pub objects: raw::Client,
    /// One record's associations: `create_association`, `create_default_association`,
    /// `list_associations`, `archive_associations`.
    pub record_associations: raw::Client,
    /// Associations in batches: `batch_read_associations`.
    pub association_batches: raw::Client,
    /// HubSpot's OAuth token endpoint: `create_token`. It sends no bearer token.
    pub oauth: raw::Client,
    /// The Properties API: `list_properties`, `get_property`, `create_property`,
    /// `update_property`, `archive_property`, `batch_read_properties`,
    /// `list_property_groups`, `get_property_group`.
    pub properties: raw::Client,
}

impl RawClients {
    /// The clients of `version` on `base_url` (e.g. `https://api.hubapi.com`), sharing one
    /// `reqwest::Client` and one context (the token endpoint's without its authorization).
    pub(crate) fn new(
        base_url: &str,
        version: &raw::ApiVersionPaths,
        http: reqwest::Client,
        context: raw::ClientContext,
    ) -> Self {
        let anonymous =
            raw::ClientContext::default().with_max_response_bytes(context.max_response_bytes());
        let client = |base: &str| {
            raw::Client::new_with_client(
                &format!("{base_url}{base}"),
                http.clone(),
                context.clone(),
            )
        };
        Self {
            objects: client(version.objects),
            record_associations: client(version.record_associations),
            association_batches: client(version.association_batches),
            properties: client(version.properties),
            oauth: raw::Client::new_with_client(
                &format!("{base_url}{}", version.oauth),
                http.clone(),
                anonymous,
            ),
        }
    }
}

/// The object type of messages in HubSpot's paths (also `0-18`).
pub(crate) const COMMUNICATIONS: &str = "communications";

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
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    rate_limit: Option<RateLimit>,
    search_rate_limit: RateLimit,
    retry: RetryPolicy,
    batch_concurrency: usize,
    deadline: Option<Duration>,
    max_response_bytes: u64,
    version: ApiVersion,
    #[cfg(feature = "redis")]
    pub(crate) shared_rate_limit: Option<crate::SharedRateLimit>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let credentials = match &self.credentials {
            Credentials::PrivateApp(_) => "private app",
            Credentials::OAuth(_) => "oauth",
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
    /// Where requests go; `https://api.hubapi.com` by default (a fake server in tests).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
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

    /// Builds the client. Fails if the base URL is not an http(s) URL, the token cannot be sent
    /// in a header, a rate limit, the batch
    /// concurrency, the deadline or the response limit is zero, or the HTTP client cannot be
    /// built.
    pub fn build(self) -> Result<Client, Error> {
        if let Credentials::PrivateApp(token) = &self.credentials
            && token.expose().trim().is_empty()
        {
            return Err(Error::InvalidInput("the access token is empty".into()));
        }
        let oauth = matches!(self.credentials, Credentials::OAuth(_));
        let rate_limit = self.rate_limit.unwrap_or(if oauth {
            RateLimit::PUBLIC_APP
        } else {
            RateLimit::STARTER
        });
        match reqwest::Url::parse(&self.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => {
                return Err(Error::InvalidInput(format!(
                    "the base URL {:?} is not an http(s) URL",
                    self.base_url
                )));
            }
        }
        if self.batch_concurrency == 0 {
            return Err(Error::InvalidInput(
                "a batch concurrency of 0 would send nothing".into(),
            ));
        }
        if self.deadline == Some(Duration::ZERO) {
            return Err(Error::InvalidInput(
                "a deadline of 0 lets no call finish".into(),
            ));
        }
        for limit in [rate_limit, self.search_rate_limit] {
            if limit.max == 0 || limit.interval.is_zero() {
                return Err(Error::InvalidInput(format!(
                    "a rate limit of {limit:?} lets nothing through"
                )));
            }
        }
        // HubSpot's tokens are printable ASCII; anything else is a copy-paste accident (a
        // line break, an ellipsis) that would fail as a puzzling 401.
        let unusable = || {
            Error::InvalidInput(
                "the access token holds characters other than printable ASCII".into(),
            )
        };
        if let Credentials::PrivateApp(token) = &self.credentials
            && !token.expose().trim().chars().all(|c| c.is_ascii_graphic())
        {
            return Err(unusable());
        }
        if self.max_response_bytes == 0 {
            return Err(Error::InvalidInput(
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
                .map_err(|e| Error::InvalidInput(format!("cannot build the HTTP client: {e}")))?,
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
                batch_concurrency: self.batch_concurrency,
                deadline: self.deadline,
            }),
        })
    }
}
