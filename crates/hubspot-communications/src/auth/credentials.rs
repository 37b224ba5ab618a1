//! How a client authenticates: a private app's token, or a public app's OAuth credentials for
//! one installing account.

use std::sync::Arc;
use std::time::SystemTime;

use super::secret::Secret;

/// A public OAuth app's credentials for one account that installed it: the app's client id
/// and secret, the refresh token the installation gave, and, if you have one stored, the
/// current access token and when it expires. Give them to [`Client::oauth`](crate::Client::oauth)
/// (or [`Client::for_account`](crate::Client::for_account)).
///
/// Without an access token, the client refreshes before its first call. `Debug` prints no
/// secret.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use hubspot_communications::OAuthCredentials;
///
/// let credentials = OAuthCredentials::new("client-id", "client-secret", "na1-refresh-token")
///     .access_token("CJT…", SystemTime::now() + Duration::from_secs(1200))
///     .account_id(62515);
/// assert!(!format!("{credentials:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct OAuthCredentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) refresh_token: Secret,
    pub(crate) access_token: Option<(Secret, SystemTime)>,
    pub(crate) account_id: Option<u64>,
}

impl OAuthCredentials {
    /// The app's client id and secret, and the account's refresh token.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            access_token: None,
            account_id: None,
        }
    }

    /// An access token you have, valid until `expires_at`: the client uses it until shortly
    /// before then ([`ClientBuilder::refresh_margin`](crate::ClientBuilder::refresh_margin)).
    #[must_use]
    pub fn access_token(mut self, token: impl Into<Secret>, expires_at: SystemTime) -> Self {
        self.access_token = Some((token.into(), expires_at));
        self
    }

    /// The account's id (HubSpot's hub id), shown on every trace span of the client's
    /// requests. Without it, the client learns it from HubSpot's token answer (`hub_id`) at its
    /// first refresh.
    #[must_use]
    pub fn account_id(mut self, account_id: u64) -> Self {
        self.account_id = Some(account_id);
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl std::fmt::Debug for OAuthCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("refresh_token", &self.refresh_token)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|(token, _)| token),
            )
            .field("expires_at", &self.access_token.as_ref().map(|(_, at)| at))
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// What a refresh gave: hand it to your credential store from the callback of
/// [`ClientBuilder::on_refresh`](crate::ClientBuilder::on_refresh). Keep the newest
/// `refresh_token`: it is the one to build the account's client with next time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthTokens {
    /// The new access token.
    pub access_token: Secret,
    /// When it expires (HubSpot's `expires_in`, 30 minutes, from when the answer came).
    pub expires_at: SystemTime,
    /// The refresh token HubSpot answered with.
    pub refresh_token: Secret,
    /// The account (hub id), if known (from the credentials, the builder or HubSpot's answer).
    pub account_id: Option<u64>,
}

/// The callback of [`ClientBuilder::on_refresh`](crate::ClientBuilder::on_refresh).
pub(crate) type RefreshCallback = Arc<dyn Fn(&OAuthTokens) + Send + Sync>;

/// The scopes an app's own token asks for by default: every scope of the webhooks journal
/// (reading the journal, reading and writing subscriptions and snapshots).
pub const JOURNAL_SCOPES: [&str; 5] = [
    "developer.webhooks_journal.read",
    "developer.webhooks_journal.subscriptions.read",
    "developer.webhooks_journal.subscriptions.write",
    "developer.webhooks_journal.snapshots.read",
    "developer.webhooks_journal.snapshots.write",
];

/// A public app's own credentials: its client id and secret, for HubSpot's OAuth
/// client-credentials grant, which issues the app a token of its own (no account's refresh
/// token). The webhooks journal, its subscriptions and snapshots take such a token: give them
/// to [`Client::app`](crate::Client::app).
///
/// The token asks for the [`JOURNAL_SCOPES`] unless [`AppCredentials::scopes`] says otherwise
/// (add the scopes of the objects watched, e.g. `crm.objects.contacts.read`, if your app's
/// configuration does not grant them). It is cached and asked for again before it expires
/// ([`ClientBuilder::refresh_margin`](crate::ClientBuilder::refresh_margin)) and when HubSpot
/// answers 401 `EXPIRED_AUTHENTICATION`. `Debug` prints no secret.
///
/// ```
/// use hubspot_communications::AppCredentials;
///
/// let app = AppCredentials::new("client-id", "client-secret")
///     .scopes(["developer.webhooks_journal.read", "crm.objects.contacts.read"]);
/// assert!(!format!("{app:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct AppCredentials {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) scopes: Vec<String>,
}

impl AppCredentials {
    /// The app's client id and secret, asking for the [`JOURNAL_SCOPES`].
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: JOURNAL_SCOPES.iter().map(|&s| s.to_owned()).collect(),
        }
    }

    /// The scopes the token asks for, instead of the [`JOURNAL_SCOPES`] (none: the app's
    /// configured scopes).
    #[must_use]
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// How a client authenticates.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// A private app's token, which does not expire.
    PrivateApp(Secret),
    /// A public app's credentials for one account.
    OAuth(OAuthCredentials),
    /// A public app's own credentials (the client-credentials grant).
    App(AppCredentials),
}
