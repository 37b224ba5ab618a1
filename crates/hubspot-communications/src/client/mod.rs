//! The client: what every clone shares, and the calls that are about the client itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hubspot_communications_raw as raw;

mod builder;
mod raw_clients;
mod version;

pub use builder::ClientBuilder;
#[cfg_attr(not(feature = "unstable-raw"), allow(unreachable_pub))]
pub use raw_clients::RawClients;
pub use version::ApiVersion;

use crate::auth::{AppCredentials, Credentials, OAuthCredentials, TokenManager};
use crate::error::Error;
use crate::rate_limit::RateLimiter;
use crate::retry::RetryPolicy;

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
/// ([`RateLimit::PUBLIC_APP`](crate::RateLimit::PUBLIC_APP) for OAuth clients unless set). Each client's trace spans carry
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
    /// Told of every request sent ([`ClientBuilder::on_attempt`]).
    pub(crate) on_attempt: Option<crate::request::AttemptCallback>,
    /// How long stored batches wait to share an association request.
    pub(crate) association_linger: Duration,
    pub(crate) batch_concurrency: usize,
    pub(crate) deadline: Option<Duration>,
    /// Downloads the webhooks journal's entry files from their pre-signed URLs: a client of
    /// its own, with no default header (the caller's `http_client` may carry some), which no
    /// hook gives a token, so that the token never reaches the files' host.
    pub(crate) downloads: reqwest::Client,
    /// The most of an answer (and of an entry file) read.
    pub(crate) max_response_bytes: u64,
    pub(crate) version: ApiVersion,
    pub(crate) paths: &'static raw::ApiVersionPaths,
    /// Who creates the contact of a new phone number (shared by every clone).
    #[cfg(feature = "lookup")]
    pub(crate) contact_claims: Arc<dyn crate::ContactClaims>,
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
        ClientBuilder::new(Credentials::PrivateApp(crate::Secret::new(token)))
    }

    /// A builder of a client of one account that installed a public OAuth app: it refreshes
    /// the access token as needed (see [`Client`]'s docs). Its rate limit is
    /// [`RateLimit::PUBLIC_APP`](crate::RateLimit::PUBLIC_APP) unless set.
    pub fn oauth(credentials: OAuthCredentials) -> ClientBuilder {
        ClientBuilder::new(Credentials::OAuth(credentials))
    }

    /// A builder of a client authenticated as a public app itself, with its own token (HubSpot's
    /// OAuth client-credentials grant), which the webhooks journal, its subscriptions and
    /// snapshots take ([`Client::journal`]): the token is asked for before the first call,
    /// kept, and asked for again before it expires and on a 401 `EXPIRED_AUTHENTICATION`.
    /// The token is never printed; the journal's entry files are downloaded without it.
    ///
    /// ```no_run
    /// use hubspot_communications::{AppCredentials, Client};
    ///
    /// # fn run() -> Result<(), hubspot_communications::Error> {
    /// let client = Client::app(AppCredentials::new("client-id", "client-secret")).build()?;
    /// # Ok(()) }
    /// ```
    pub fn app(credentials: AppCredentials) -> ClientBuilder {
        ClientBuilder::new(Credentials::App(credentials))
    }

    /// A client of another account that installed the same app: this client's settings
    /// (base URL, version, timeouts, retries, limits, refresh margin and callback) and its
    /// connection pool, with `credentials`' tokens and a rate limiter of its own. Cheap: no
    /// connection pool is built. A shared (Redis) rate limit is not carried over: its window
    /// is one account's.
    pub fn for_account(&self, credentials: OAuthCredentials) -> Result<Client, Error> {
        self.inner.template.clone().for_account(credentials).build()
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
