//! OAuth at run time: the apps, the accounts that installed them, and the tokens issued so far.
//! The token endpoint (`routes/oauth.rs`) exchanges refresh tokens here; the gate asks which
//! account an access token belongs to, and whether it has expired.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::account::{AccountState, AccountStats};
use crate::config::Config;

/// What the gate learns from a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// A live access token of this account.
    Live(u64),
    /// An access token of this account, expired this long ago.
    Expired(u64, Duration),
    /// Not an access token the server issued.
    Unknown,
}

/// Why a refresh token was not exchanged, as HubSpot's token endpoint says it (the error's
/// code goes in the body's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A grant other than `refresh_token`.
    GrantType,
    /// No such app.
    ClientId,
    /// The app's secret is wrong.
    ClientSecret,
    /// No such refresh token, or one of another app.
    RefreshToken,
}

impl Refusal {
    /// HubSpot's code and message.
    pub(crate) fn code_and_message(self) -> (&'static str, &'static str) {
        match self {
            Self::GrantType => (
                "BAD_GRANT_TYPE",
                "grant_type must be refresh_token or client_credentials",
            ),
            Self::ClientId => ("BAD_CLIENT_ID", "missing or unknown client id"),
            Self::ClientSecret => ("BAD_CLIENT_SECRET", "missing or invalid client secret"),
            Self::RefreshToken => ("BAD_REFRESH_TOKEN", "missing or unknown refresh token"),
        }
    }
}

/// What an exchange issued.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_in: Duration,
    pub(crate) hub_id: u64,
}

struct AccessToken {
    hub_id: u64,
    expires_at: Instant,
}

struct RefreshGrant {
    hub_id: u64,
    client_id: String,
}

/// The apps, accounts and tokens of one fake server.
pub(crate) struct Registry {
    /// Client id to client secret.
    apps: HashMap<String, String>,
    accounts: BTreeMap<u64, AccountState>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshGrant>,
    lifetime: Duration,
    rotate: bool,
}

impl Registry {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            apps: config.apps.clone().into_iter().collect(),
            accounts: config
                .accounts
                .iter()
                .map(|account| (account.hub_id, AccountState::new(account)))
                .collect(),
            access: HashMap::new(),
            refresh: config
                .accounts
                .iter()
                .map(|account| {
                    let grant = RefreshGrant {
                        hub_id: account.hub_id,
                        client_id: account.client_id.clone(),
                    };
                    (account.refresh_token.clone(), grant)
                })
                .collect(),
            lifetime: config.access_token_lifetime,
            rotate: config.rotate_refresh_tokens,
        }
    }

    /// Whether the server knows any account (then only its tokens and the configured
    /// private-app tokens are accepted).
    pub(crate) fn has_accounts(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// Which account a bearer token belongs to, and whether it is still alive.
    pub(crate) fn check(&self, token: &str, now: Instant) -> Check {
        match self.access.get(token) {
            None => Check::Unknown,
            Some(issued) if now < issued.expires_at => Check::Live(issued.hub_id),
            Some(issued) => Check::Expired(issued.hub_id, now - issued.expires_at),
        }
    }

    /// An account's run-time state.
    pub(crate) fn account(&mut self, hub_id: u64) -> Option<&mut AccountState> {
        self.accounts.get_mut(&hub_id)
    }

    /// Exchanges a refresh token of app `client_id` for a new access token and a new refresh
    /// token (the old one still works unless the server rotates them).
    pub(crate) fn exchange(
        &mut self,
        grant_type: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        refresh_token: Option<&str>,
        now: Instant,
    ) -> Result<Issued, Refusal> {
        if grant_type != Some("refresh_token") {
            return Err(Refusal::GrantType);
        }
        let client_id = client_id.ok_or(Refusal::ClientId)?;
        let secret = self.apps.get(client_id).ok_or(Refusal::ClientId)?;
        if client_secret != Some(secret.as_str()) {
            return Err(Refusal::ClientSecret);
        }
        let grant = refresh_token
            .and_then(|token| self.refresh.get(token))
            .filter(|grant| grant.client_id == client_id)
            .ok_or(Refusal::RefreshToken)?;
        let hub_id = grant.hub_id;
        if self.rotate {
            self.refresh.remove(refresh_token.unwrap_or_default());
        }
        let issued = Issued {
            access_token: format!("oauth-{hub_id}-{}", uuid::Uuid::new_v4().simple()),
            refresh_token: format!("na1-{}", uuid::Uuid::new_v4()),
            expires_in: self.lifetime,
            hub_id,
        };
        self.access.insert(
            issued.access_token.clone(),
            AccessToken {
                hub_id,
                expires_at: now + self.lifetime,
            },
        );
        self.refresh.insert(
            issued.refresh_token.clone(),
            RefreshGrant {
                hub_id,
                client_id: client_id.to_owned(),
            },
        );
        if let Some(account) = self.accounts.get_mut(&hub_id) {
            account.stats.refreshes += 1;
        }
        Ok(issued)
    }

    /// Issues app `client_id` a token of its own (the client-credentials grant): no account,
    /// no refresh token. The gate takes it as it takes any live access token (account 0: the
    /// server's own limits), and answers 401 `EXPIRED_AUTHENTICATION` once it expired.
    pub(crate) fn client_credentials(
        &mut self,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        now: Instant,
    ) -> Result<(String, Duration), Refusal> {
        let client_id = client_id.ok_or(Refusal::ClientId)?;
        let secret = self.apps.get(client_id).ok_or(Refusal::ClientId)?;
        if client_secret != Some(secret.as_str()) {
            return Err(Refusal::ClientSecret);
        }
        let token = format!("app-{}", uuid::Uuid::new_v4().simple());
        self.access.insert(
            token.clone(),
            AccessToken {
                hub_id: 0,
                expires_at: now + self.lifetime,
            },
        );
        Ok((token, self.lifetime))
    }

    /// Makes every access token issued so far expire now, as if their lives had run out.
    pub(crate) fn expire_all(&mut self, now: Instant) {
        for token in self.access.values_mut() {
            token.expires_at = token.expires_at.min(now);
        }
    }

    /// Every account's counts, by id.
    pub(crate) fn stats(&self) -> BTreeMap<u64, AccountStats> {
        self.accounts
            .iter()
            .map(|(id, account)| (*id, account.stats))
            .collect()
    }
}
