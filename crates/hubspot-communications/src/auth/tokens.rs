//! Keeping an OAuth access token fresh: one refresh at a time, however many calls (and clones)
//! need one, sent through a [`TokenEndpoint`] (the client's one request path, which this module
//! does not know: the client holds the manager, not the other way round).
//!
//! The token every raw client sends lives in a [`raw::BearerToken`]; a refresh replaces it.
//! Calls check, without locking, whether the token is still good for a while; one that finds
//! it due takes the refresh lock, looks again (another call may have refreshed while it
//! waited) and refreshes only if it must. A call answered 401 `EXPIRED_AUTHENTICATION`
//! refreshes only if no one has since it sent: 50 calls that meet the same expired token cause
//! one refresh. A refresh HubSpot refuses (a revoked app, an unknown refresh token) is
//! remembered: later calls fail at once with it instead of asking again.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hubspot_communications_raw as raw;
use raw::{
    AccessTokenResponse, ClientCredentialsTokenBody, ClientCredentialsTokenResponse,
    CreateTokenBody,
};
use raw::{ClientCredentialsGrantType, CreateTokenBodyGrantType};

use super::credentials::{AppCredentials, OAuthCredentials, OAuthTokens, RefreshCallback};
use super::secret::Secret;
use crate::error::{ApiError, Error, InvalidResponse, ResponseProblem};
use crate::operation::Operation;

/// A boxed `Send` future: the request path calls the manager, and the manager's refresh calls
/// the request path (the compiler cannot prove that cycle `Send` through opaque futures).
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a refresh goes: HubSpot's token endpoint, through the client's request path.
pub(crate) trait TokenEndpoint: Sync {
    /// Sends a token request.
    fn create_token(
        &self,
        body: CreateTokenBody,
    ) -> BoxFuture<'_, Result<AccessTokenResponse, Error>>;
    /// Asks for an app's own token (the client-credentials grant).
    fn create_client_credentials_token(
        &self,
        body: ClientCredentialsTokenBody,
    ) -> BoxFuture<'_, Result<ClientCredentialsTokenResponse, Error>>;
    /// Learns the account's id from a token answer's `hub_id`.
    fn learn_account_id(&self, hub_id: u64);
    /// The account's id, once known.
    fn account_id(&self) -> Option<u64>;
}

/// The access token of an OAuth client, and how to get the next one.
pub(crate) struct TokenManager {
    client_id: String,
    client_secret: Secret,
    /// What the raw clients send.
    bearer: raw::BearerToken,
    /// Held while refreshing; what only a refresh needs.
    state: tokio::sync::Mutex<State>,
    /// When the current token is due for a refresh, in milliseconds since the Unix epoch
    /// (0: now). Read without the lock.
    refresh_at_ms: AtomicU64,
    /// Counts refreshes: a call remembers the one its request carried.
    generation: AtomicU64,
    margin: Duration,
    on_refresh: Option<RefreshCallback>,
}

struct State {
    grant: Grant,
    /// HubSpot's refusal of the grant (the refresh token, the app's credentials), once it
    /// refused it.
    refused: Option<ApiError>,
}

/// How the next access token is asked for.
enum Grant {
    /// An account's refresh token (an installed app's token for that account).
    Refresh(Secret),
    /// The app's own credentials (the client-credentials grant), with the scopes asked for.
    ClientCredentials { scope: Option<String> },
}

/// What a token answer gave, whichever the grant.
struct Issued {
    access_token: String,
    expires_in: i64,
    hub_id: Option<i32>,
    /// The refresh token to keep (the refresh grant's).
    refresh_token: Option<String>,
}

impl TokenManager {
    /// The manager of `credentials`, and the bearer token the raw clients are to send. Fails
    /// if a credential cannot be sent (empty, or not printable ASCII).
    pub(crate) fn new(
        credentials: OAuthCredentials,
        margin: Duration,
        on_refresh: Option<RefreshCallback>,
    ) -> Result<Self, Error> {
        let OAuthCredentials {
            client_id,
            client_secret,
            refresh_token,
            access_token,
            account_id: _,
        } = credentials;
        for (what, value) in [
            ("client id", client_id.as_str()),
            ("client secret", client_secret.expose()),
            ("refresh token", refresh_token.expose()),
        ] {
            if !usable(value) {
                return Err(Error::InvalidSetting(format!(
                    "the OAuth {what} is empty or holds characters other than printable ASCII"
                )));
            }
        }
        let (token, refresh_at_ms) = match &access_token {
            Some((token, expires_at)) => {
                if !usable(token.expose()) {
                    return Err(Error::InvalidSetting(
                        "the access token is empty or holds characters other than printable ASCII"
                            .into(),
                    ));
                }
                // The lifetime left is unknown: the whole margin applies.
                let due = expires_at.checked_sub(margin).unwrap_or(UNIX_EPOCH);
                (token.expose(), millis(due))
            }
            // Refreshed before the first call.
            None => ("", 0),
        };
        let bearer = raw::BearerToken::new(token).map_err(|_| {
            Error::InvalidSetting("the access token cannot be sent in a header".into())
        })?;
        Ok(Self {
            client_id,
            client_secret,
            bearer,
            state: tokio::sync::Mutex::new(State {
                grant: Grant::Refresh(refresh_token),
                refused: None,
            }),
            refresh_at_ms: AtomicU64::new(refresh_at_ms),
            generation: AtomicU64::new(0),
            margin,
            on_refresh,
        })
    }

    /// The keeper of an app's own token (the client-credentials grant), asked for before the
    /// first call. Fails if a credential cannot be sent.
    pub(crate) fn app(credentials: AppCredentials, margin: Duration) -> Result<Self, Error> {
        let AppCredentials {
            client_id,
            client_secret,
            scopes,
        } = credentials;
        for (what, value) in [
            ("client id", client_id.as_str()),
            ("client secret", client_secret.expose()),
        ] {
            if !usable(value) {
                return Err(Error::InvalidSetting(format!(
                    "the app's {what} is empty or holds characters other than printable ASCII"
                )));
            }
        }
        if let Some(scope) = scopes.iter().find(|scope| !usable(scope)) {
            return Err(Error::InvalidSetting(format!(
                "the scope {scope:?} is empty or holds characters other than printable ASCII"
            )));
        }
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        Ok(Self {
            client_id,
            client_secret,
            bearer: raw::BearerToken::new("").map_err(|_| {
                Error::InvalidSetting("an empty token cannot be sent in a header".into())
            })?,
            state: tokio::sync::Mutex::new(State {
                grant: Grant::ClientCredentials { scope },
                refused: None,
            }),
            refresh_at_ms: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            margin,
            on_refresh: None,
        })
    }

    /// The token the raw clients send.
    pub(crate) fn bearer(&self) -> raw::BearerToken {
        self.bearer.clone()
    }

    /// The generation of a token fit to send (refreshed first if due): what to give
    /// [`expired`](Self::expired) if HubSpot says it expired anyway.
    pub(crate) async fn fresh(&self, endpoint: &dyn TokenEndpoint) -> Result<u64, Error> {
        if let Some(generation) = self.usable_now() {
            return Ok(generation);
        }
        let mut state = self.state.lock().await;
        // Another call may have refreshed while this one waited for the lock.
        if let Some(generation) = self.usable_now() {
            return Ok(generation);
        }
        self.refresh(endpoint, &mut state).await?;
        Ok(self.generation.load(Ordering::Acquire))
    }

    /// HubSpot answered 401 `EXPIRED_AUTHENTICATION` to a request that carried the token of
    /// generation `sent`: refreshes, unless another call already has since.
    pub(crate) async fn expired(
        &self,
        endpoint: &dyn TokenEndpoint,
        sent: u64,
    ) -> Result<(), Error> {
        let mut state = self.state.lock().await;
        if self.generation.load(Ordering::Acquire) != sent {
            return Ok(());
        }
        self.refresh(endpoint, &mut state).await
    }

    /// The current generation, if its token is not due for a refresh.
    fn usable_now(&self) -> Option<u64> {
        let generation = self.generation.load(Ordering::Acquire);
        (millis(SystemTime::now()) < self.refresh_at_ms.load(Ordering::Acquire))
            .then_some(generation)
    }

    /// Asks for a new access token (exchanging the refresh token, or with the app's own
    /// credentials), hands the new tokens of a refresh to the callback, then makes the raw
    /// clients send the new access token.
    async fn refresh(&self, endpoint: &dyn TokenEndpoint, state: &mut State) -> Result<(), Error> {
        if let Some(refused) = &state.refused {
            return Err(Error::RefreshRefused(Box::new(refused.clone())));
        }
        let (operation, asked) = match &state.grant {
            Grant::Refresh(refresh_token) => {
                let body = CreateTokenBody {
                    grant_type: Some(CreateTokenBodyGrantType::RefreshToken),
                    client_id: Some(self.client_id.clone()),
                    client_secret: Some(self.client_secret.expose().to_owned()),
                    refresh_token: Some(refresh_token.expose().to_owned()),
                    ..CreateTokenBody::default()
                };
                let asked = endpoint.create_token(body).await.map(|answer| Issued {
                    access_token: answer.access_token,
                    expires_in: answer.expires_in,
                    hub_id: answer.hub_id,
                    refresh_token: Some(answer.refresh_token),
                });
                (Operation::RefreshAccessToken, asked)
            }
            Grant::ClientCredentials { scope } => {
                let body = ClientCredentialsTokenBody {
                    client_id: self.client_id.clone(),
                    client_secret: self.client_secret.expose().to_owned(),
                    grant_type: ClientCredentialsGrantType::ClientCredentials,
                    scope: scope.clone(),
                };
                let asked = endpoint
                    .create_client_credentials_token(body)
                    .await
                    .map(|answer| Issued {
                        access_token: answer.access_token,
                        expires_in: answer.expires_in,
                        hub_id: None,
                        refresh_token: None,
                    });
                (Operation::CreateAppToken, asked)
            }
        };
        let answer = match asked {
            Ok(answer) => answer,
            Err(Error::RefreshRefused(refused)) => {
                state.refused = Some((*refused).clone());
                return Err(Error::RefreshRefused(refused));
            }
            Err(error) => return Err(error),
        };
        let invalid = |why: &str| {
            InvalidResponse::error(
                operation,
                Some(200),
                ResponseProblem::Undecodable(why.to_owned()),
            )
        };
        if !usable(&answer.access_token)
            || answer.refresh_token.as_deref().is_some_and(|t| !usable(t))
        {
            return Err(invalid(
                "a token is empty or holds characters other than printable ASCII",
            ));
        }
        let lifetime = u64::try_from(answer.expires_in)
            .map(Duration::from_secs)
            .map_err(|_| invalid("expires_in is negative"))?;
        let now = SystemTime::now();
        // Past what a clock holds: as good as never expiring; refreshed again in a year.
        let expires_at = now
            .checked_add(lifetime)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        if let Some(hub_id) = answer.hub_id.and_then(|id| u64::try_from(id).ok()) {
            endpoint.learn_account_id(hub_id);
        }
        if let Some(refresh_token) = answer.refresh_token {
            let tokens = OAuthTokens {
                access_token: Secret::new(answer.access_token.clone()),
                expires_at,
                refresh_token: Secret::new(refresh_token),
                account_id: endpoint.account_id(),
            };
            // Stored before any call sends the new token.
            if let Some(callback) = &self.on_refresh {
                callback(&tokens);
            }
            state.grant = Grant::Refresh(tokens.refresh_token);
        }
        self.bearer
            .set(&answer.access_token)
            .map_err(|_| invalid("the access token cannot be sent in a header"))?;
        // Refreshed `margin` before expiry, or half-way through a short life.
        let due = expires_at
            .checked_sub(self.margin.min(lifetime / 2))
            .unwrap_or(now);
        self.refresh_at_ms.store(millis(due), Ordering::Release);
        self.generation.fetch_add(1, Ordering::AcqRel);
        tracing::debug!(
            expires_in_s = lifetime.as_secs(),
            "refreshed the OAuth access token"
        );
        Ok(())
    }
}

/// Milliseconds since the Unix epoch (0 before it).
fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Whether a credential can be sent: not empty, printable ASCII (HubSpot's are).
fn usable(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_graphic())
}
