//! The receivers' settings, what their routes share, and how a request is refused.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hubspot_communications::{Channel, Region, Secret};

use std::collections::HashMap;

use crate::import::row::Defaults;
use crate::relay::accounts::Routes;
use crate::relay::inbox::Inbox;

/// The receivers a relay serves, and what they need: the inbox, the routes to accounts, and
/// each provider's secret. Build it, then serve its [`router`](Self::router) (alone, or
/// merged into a router of your own).
#[derive(Debug, Clone)]
pub struct Receivers {
    pub(super) inbox: Inbox,
    pub(super) routes: Routes,
    pub(super) twilio: Option<Twilio>,
    pub(super) json_secret: Option<Secret>,
    pub(super) defaults: Defaults,
}

impl Receivers {
    /// Receivers storing into `inbox`, each message to the account `routes` names; no provider
    /// yet ([`twilio`](Self::twilio), [`json`](Self::json)).
    pub fn new(inbox: Inbox, routes: Routes) -> Self {
        Self {
            inbox,
            routes,
            twilio: None,
            json_secret: None,
            defaults: Defaults {
                region: None,
                channel: Channel::Sms,
            },
        }
    }

    /// Serves Twilio's webhook at [`TWILIO_PATH`](super::TWILIO_PATH).
    #[must_use]
    pub fn twilio(mut self, twilio: Twilio) -> Self {
        self.twilio = Some(twilio);
        self
    }

    /// Serves the JSON endpoint at [`JSON_PATH`](super::JSON_PATH), whose requests are signed with `secret`.
    #[must_use]
    pub fn json(mut self, secret: impl Into<Secret>) -> Self {
        self.json_secret = Some(secret.into());
        self
    }

    /// The region JSON rows' numbers without a country code are read in (none by default:
    /// such a row is refused). Twilio sends E.164.
    #[must_use]
    pub fn default_region(mut self, region: Region) -> Self {
        self.defaults.region = Some(region);
        self
    }

    /// The channel of JSON rows that name none and whose number has no `whatsapp:` prefix
    /// (SMS by default).
    #[must_use]
    pub fn default_channel(mut self, channel: Channel) -> Self {
        self.defaults.channel = channel;
        self
    }
}

/// What the routes share.
pub(super) type Shared = Arc<Receivers>;

/// A request refused, or not stored: its status and why, in words.
#[derive(Debug)]
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) reason: String,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }

    pub(super) fn forbidden(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, reason)
    }

    pub(super) fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    pub(super) fn no_account() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no account of this relay takes this message (see its routes)",
        )
    }

    /// Redis could not take it: the provider should retry.
    pub(super) fn unavailable(error: &crate::relay::error::RelayError) -> Self {
        tracing::warn!(%error, "a received message could not be stored");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the message could not be stored now: retry",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, self.reason).into_response()
    }
}

/// What checking Twilio's signature needs: the public URL Twilio calls, and the auth token of
/// each Twilio account whose messages come in. `Debug` prints no token.
#[derive(Clone)]
pub struct Twilio {
    pub(super) public_url: String,
    auth_token: Option<Secret>,
    by_account: HashMap<String, Secret>,
}

impl std::fmt::Debug for Twilio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut accounts: Vec<&String> = self.by_account.keys().collect();
        accounts.sort();
        f.debug_struct("Twilio")
            .field("public_url", &self.public_url)
            .field("auth_token", &self.auth_token)
            .field("accounts", &accounts)
            .finish()
    }
}

impl Twilio {
    /// Requests signed with `auth_token` (`TWILIO_AUTH_TOKEN`), whichever Twilio account they
    /// come from. `public_url` (`RELAY_PUBLIC_URL`) is the relay's URL as Twilio calls it, up
    /// to the receivers' paths (`https://hooks.example.com`, or
    /// `https://example.com/relay` behind a proxy that strips `/relay`): Twilio signs the URL
    /// it was configured with, `<public_url>/twilio/messages`.
    pub fn new(public_url: impl Into<String>, auth_token: impl Into<Secret>) -> Self {
        Self {
            auth_token: Some(auth_token.into()),
            ..Self::accounts_only(public_url)
        }
    }

    /// Requests of the Twilio accounts named with [`account`](Self::account) only, each
    /// signed with its own token; any other is refused (403).
    pub fn accounts_only(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            auth_token: None,
            by_account: HashMap::new(),
        }
    }

    /// Requests of the Twilio account `account_sid` are signed with `auth_token` (a relay
    /// taking the messages of several Twilio accounts).
    #[must_use]
    pub fn account(
        mut self,
        account_sid: impl Into<String>,
        auth_token: impl Into<Secret>,
    ) -> Self {
        self.by_account
            .insert(account_sid.into(), auth_token.into());
        self
    }

    /// The token a request of `account_sid` must be signed with, if this relay takes its
    /// requests.
    pub(super) fn token(&self, account_sid: Option<&str>) -> Option<&Secret> {
        account_sid
            .and_then(|sid| self.by_account.get(sid))
            .or(self.auth_token.as_ref())
    }
}
