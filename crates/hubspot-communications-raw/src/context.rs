//! What the client carries for its hooks: headers, a replaceable bearer token, the answer cap.

use crate::limit::DEFAULT_MAX_RESPONSE_BYTES;

/// What the client carries for its hooks: the headers added to every request (such as
/// `Authorization: Bearer …`), a bearer token that can be replaced while the client is in use
/// ([`BearerToken`]), and the cap on what is read of an answer.
///
/// The headers are added by the client's request hook, so they work with any
/// `reqwest::Client`, including one built by the caller. Mark secret values sensitive
/// ([`HeaderValue::set_sensitive`](reqwest::header::HeaderValue::set_sensitive)) so that
/// `Debug` does not print them.
#[derive(Debug, Clone)]
pub struct ClientContext {
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) bearer: Option<BearerToken>,
    pub(crate) max_response_bytes: u64,
}

/// A bearer token that can be replaced while clients send with it: an OAuth access token,
/// refreshed every 30 minutes. Clones share the token; every request reads the current one
/// when it is sent ([`ClientContext::with_bearer_token`]).
///
/// `Debug` never prints the token.
#[derive(Clone)]
pub struct BearerToken(std::sync::Arc<std::sync::RwLock<reqwest::header::HeaderValue>>);

impl BearerToken {
    /// `Authorization: Bearer <token>`, marked sensitive. Fails if the token is not a valid
    /// header value (e.g. it holds a line break).
    pub fn new(token: &str) -> Result<Self, reqwest::header::InvalidHeaderValue> {
        Ok(Self(std::sync::Arc::new(std::sync::RwLock::new(
            bearer_value(token)?,
        ))))
    }

    /// Replaces the token for every clone: requests sent from now on carry `token`. Fails,
    /// leaving the token as it was, if `token` is not a valid header value.
    pub fn set(&self, token: &str) -> Result<(), reqwest::header::InvalidHeaderValue> {
        let value = bearer_value(token)?;
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = value;
        Ok(())
    }

    /// The current `Authorization` value.
    pub fn header_value(&self) -> reqwest::header::HeaderValue {
        // A writer cannot panic half-way through replacing a `HeaderValue`: a poisoned lock
        // still holds a whole one.
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// `Bearer <token>` as a sensitive header value.
fn bearer_value(
    token: &str,
) -> Result<reqwest::header::HeaderValue, reqwest::header::InvalidHeaderValue> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {token}"))?;
    value.set_sensitive(true);
    Ok(value)
}

impl Default for ClientContext {
    fn default() -> Self {
        Self::new(reqwest::header::HeaderMap::new())
    }
}

impl From<reqwest::header::HeaderMap> for ClientContext {
    fn from(headers: reqwest::header::HeaderMap) -> Self {
        Self::new(headers)
    }
}

impl ClientContext {
    /// These headers on every request, and the default cap on answers
    /// ([`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn new(headers: reqwest::header::HeaderMap) -> Self {
        Self {
            headers,
            bearer: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// `Authorization: Bearer <token>`, marked sensitive, and the default cap on answers. Fails
    /// if the token is not a valid header value (e.g. it holds a line break).
    pub fn bearer(token: &str) -> Result<Self, reqwest::header::InvalidHeaderValue> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, bearer_value(token)?);
        Ok(Self::new(headers))
    }

    /// The same context sending `token`'s current value as `Authorization` on every request
    /// (in place of any `Authorization` among its headers), so that whoever holds a clone of
    /// `token` can replace it while the client is in use.
    ///
    /// ```
    /// use hubspot_communications_raw::{BearerToken, ClientContext};
    ///
    /// let token = BearerToken::new("first-access-token").expect("a valid token");
    /// let context = ClientContext::default().with_bearer_token(token.clone());
    /// // … a client built on `context` sends `Bearer first-access-token` …
    /// token.set("refreshed-access-token").expect("a valid token");
    /// // … and from now on `Bearer refreshed-access-token`.
    /// assert_eq!(
    ///     context.bearer_token().unwrap().header_value(),
    ///     "Bearer refreshed-access-token"
    /// );
    /// ```
    #[must_use]
    pub fn with_bearer_token(mut self, token: BearerToken) -> Self {
        self.bearer = Some(token);
        self
    }

    /// The replaceable bearer token the context sends, if it has one.
    pub fn bearer_token(&self) -> Option<&BearerToken> {
        self.bearer.as_ref()
    }

    /// The same context with another cap on what is read of an answer's body, in bytes. A
    /// larger body fails with [`ResponseTooLarge`](crate::ResponseTooLarge) (at once when its Content-Length says so,
    /// otherwise as soon as the cap is passed), and no more than the cap is buffered.
    #[must_use]
    pub fn with_max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The cap on what is read of an answer's body, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// The headers added to every request.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The headers added to every request, to change.
    pub fn headers_mut(&mut self) -> &mut reqwest::header::HeaderMap {
        &mut self.headers
    }
}
