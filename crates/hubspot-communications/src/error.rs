//! One error type for every call, with what HubSpot said when it said something.

use std::collections::BTreeMap;
use std::time::Duration;

use hubspot_communications_raw::open_enum;
use hubspot_communications_raw::types::HubSpotError;

use crate::model::object_type::ObjectType;
use crate::model::unknown_value::UnknownValue;
use crate::operation::Operation;
use crate::retry::{Failure, Verdict, classify, status_failure};

/// Everything a call can fail with.
///
/// Each variant says who failed: HubSpot answered with an error ([`Error::Api`]), no answer
/// came ([`Error::Transport`]), the answer could not be used ([`Error::InvalidResponse`]), the
/// call ran out of time ([`Error::DeadlineExceeded`], [`Error::Throttled`]), the request was
/// refused before it left ([`Error::InvalidInput`], [`Error::InvalidId`],
/// [`Error::NotAssociated`], [`Error::SearchLimitReached`]), the client could not be built as
/// asked ([`Error::InvalidSetting`], [`Error::UnknownApiVersion`]), or an OAuth client's
/// refresh token was refused ([`Error::RefreshRefused`]).
///
/// Every variant can be built, for a stand-in of the client in a user's tests:
/// [`Error::Api`] from [`ApiError::new`], the others from their fields. [`Error::is_fate_unknown`] says whether HubSpot may have acted
/// on a request anyway. No token or client secret ever appears in an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HubSpot answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// HubSpot refused to refresh an OAuth client's access token, or to issue an app's own
    /// ([`Client::app`](crate::Client::app): wrong client id or secret, a scope the app lacks)
    /// (400 `BAD_REFRESH_TOKEN`: the
    /// app was uninstalled or the refresh token revoked; `BAD_CLIENT_ID`, `BAD_CLIENT_SECRET`:
    /// the app's credentials are wrong). Not retried: the account must authorize the app again
    /// (or the client be given the right credentials). The client remembers it: later calls
    /// fail with it at once, without asking HubSpot again.
    #[error("HubSpot refused to refresh the OAuth access token: {0}")]
    RefreshRefused(Box<ApiError>),
    /// No answer came: the connection failed or dropped, or the request timed out.
    #[error("{0}")]
    Transport(TransportError),
    /// HubSpot's answer could not be used: unreadable, too large, of a status the operation
    /// does not have, or contradicting itself.
    #[error("{0}")]
    InvalidResponse(Box<InvalidResponse>),
    /// The call's deadline ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)) passed.
    #[error(
        "{operation} did not finish within its deadline{}",
        if *in_flight { " (a request was out: HubSpot may have acted on it)" } else { "" }
    )]
    DeadlineExceeded {
        /// The call.
        operation: Operation,
        /// Whether a request was out when the deadline passed (else nothing was sent then).
        in_flight: bool,
    },
    /// The rate limit HubSpot reports would hold the call longer than the client waits
    /// ([`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after)); nothing was sent.
    #[error("{operation} would wait {wait:?} for the rate limit, longer than the client waits")]
    Throttled {
        /// The call.
        operation: Operation,
        /// How long the rate limit would have held it.
        wait: Duration,
    },
    /// The shared rate limit's Redis could not be reached within the call's bounds
    /// ([`RedisUnavailable::Wait`](crate::RedisUnavailable::Wait)), or refused its script;
    /// nothing was sent. Only with the `redis` feature.
    #[cfg(feature = "redis")]
    #[error("{operation} was not sent: the shared rate limit's Redis did not answer: {source}")]
    RateLimitUnavailable {
        /// The call.
        operation: Operation,
        /// Redis's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The claims that make one contact per new phone number
    /// ([`ContactClaims`](crate::ContactClaims): Redis, or a store of yours) could not be
    /// reached, or a claim was held past twice its lifetime; no contact was created for the
    /// numbers still unclaimed.
    #[error("the contact claims could not be used: {0}")]
    ClaimsUnavailable(Box<dyn std::error::Error + Send + Sync>),
    /// The webhooks journal no longer holds the entry at this offset (HubSpot keeps entries 3
    /// days) or never held it: nothing after it can be read in order, and nothing was
    /// skipped. What changed meanwhile is lost to the journal: read the objects' state again
    /// (a snapshot, a list), then go on from
    /// [`JournalStart::Latest`](crate::journal::JournalStart::Latest) or the earliest entry.
    #[error(
        "the webhooks journal no longer holds offset {offset} (entries are kept 3 days), or never did"
    )]
    JournalOffsetGone {
        /// The offset the journal was to go on after.
        offset: crate::journal::JournalOffset,
    },
    /// A journal position could not be read or written
    /// ([`Checkpoint`](crate::journal::Checkpoint): a file, Redis, or a store of yours).
    #[error("the journal checkpoint could not be used: {0}")]
    CheckpointUnavailable(Box<dyn std::error::Error + Send + Sync>),
    /// The request was refused before it was sent: one of its values breaks one of HubSpot's
    /// rules (a message without a body, a search over HubSpot's limits, a property name
    /// HubSpot would refuse).
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The request was refused before it was sent: an id (of a message, a record, or a value
    /// of an `idProperty`) that names nothing: blank, or a dot segment (`.`, `..`), which no
    /// HubSpot record has and no path can carry. It holds the id as given.
    #[error("{0:?} is not an id HubSpot can have")]
    InvalidId(String),
    /// The client could not be built as asked: an empty token, a timeout of zero, a Redis URL
    /// that is not one, OAuth credentials that cannot be sent.
    #[error("invalid setting: {0}")]
    InvalidSetting(String),
    /// A name that is not an API version this client speaks
    /// ([`ApiVersion`](crate::ApiVersion)'s `FromStr`); it holds the name as given.
    #[error("{0:?} is not an API version this client speaks (v3, 2026-03, 2026-09)")]
    UnknownApiVersion(String),
    /// Pinning needs the message to be associated with the record first.
    #[error(
        "message {message_id} is not associated with {object_type} {record_id}: associate it before pinning"
    )]
    NotAssociated {
        /// The message.
        message_id: String,
        /// The record's object type.
        object_type: ObjectType,
        /// The record.
        record_id: String,
    },
    /// HubSpot's search returns at most 10,000 results per query; use
    /// [`Client::search_past_cap`](crate::Client::search_past_cap) to go past it.
    #[error(
        "HubSpot's search stops at {limit} results per query; use Client::search_past_cap to read past it"
    )]
    SearchLimitReached {
        /// The cap (10,000).
        limit: u32,
    },
}

impl Error {
    /// The HTTP status HubSpot answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) | Self::RefreshRefused(api) => Some(api.status),
            Self::InvalidResponse(invalid) => invalid.status,
            _ => None,
        }
    }

    /// HubSpot's error details, if it answered with an error.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) | Self::RefreshRefused(api) => Some(api),
            _ => None,
        }
    }

    /// The call that failed, for errors of a call that was under way.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::Api(api) | Self::RefreshRefused(api) => Some(api.operation),
            Self::Transport(transport) => Some(transport.operation),
            Self::InvalidResponse(invalid) => Some(invalid.operation),
            Self::DeadlineExceeded { operation, .. } | Self::Throttled { operation, .. } => {
                Some(*operation)
            }
            #[cfg(feature = "redis")]
            Self::RateLimitUnavailable { operation, .. } => Some(*operation),
            _ => None,
        }
    }

    /// Whether HubSpot refused the request's values (400 `VALIDATION_ERROR`): a property it
    /// does not have or an invalid value, or, from version 2026-09 on writes, one of the
    /// account's validation rules (a conditionally required property, a required field of the
    /// record form, an association permission). HubSpot's message says which; see
    /// [`ApiError::message`] and [`ApiError::details`].
    pub fn is_validation_error(&self) -> bool {
        self.api().is_some_and(|api| {
            api.status == 400 && api.category == Some(ErrorCategory::ValidationError)
        })
    }

    /// The scopes HubSpot said the call needs, when it refused it for a token without them
    /// (403 `MISSING_SCOPES`): e.g. `crm.schemas.contacts.write` for creating a contact
    /// property. Empty for any other error.
    pub fn missing_scopes(&self) -> Vec<String> {
        self.api().map(ApiError::missing_scopes).unwrap_or_default()
    }

    /// Whether HubSpot refused the request's access token as expired (401
    /// `EXPIRED_AUTHENTICATION`).
    pub(crate) fn is_expired_authentication(&self) -> bool {
        matches!(self, Self::Api(api) if api.status == 401
            && api.category == Some(ErrorCategory::ExpiredAuthentication))
    }

    /// Whether HubSpot refused the call for its rate limits (429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// The rate-limit policy a 429 names (`DAILY` is not worth retrying today).
    pub fn rate_limit_policy(&self) -> Option<&RateLimitPolicy> {
        self.api().and_then(|api| api.policy_name.as_ref())
    }

    /// Whether the request or the whole call ran out of time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(t) if t.kind == TransportErrorKind::Timeout)
            || matches!(self, Self::DeadlineExceeded { .. })
    }

    /// Whether HubSpot may have acted on the request although no answer says so: a create
    /// that failed this way may or may not have created the message. Reads never are. The
    /// rule is one table, in the docs of [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_fate_unknown(&self) -> bool {
        self.verdict().is_some_and(|verdict| verdict.fate_unknown)
    }

    /// Whether this is a failure the client retries: the same call may succeed later. The
    /// client has already retried it as far as its [`RetryPolicy`](crate::RetryPolicy)
    /// allowed (a create only where HubSpot cannot have acted on it).
    pub fn is_retryable(&self) -> bool {
        self.verdict().is_some_and(|verdict| verdict.retry)
    }

    /// The classification of a failure of a call under way; `None` for refusals before sending.
    pub(crate) fn verdict(&self) -> Option<Verdict> {
        let failure = match self {
            Self::Api(api) | Self::RefreshRefused(api) => {
                status_failure(api.status, api.policy_name == Some(RateLimitPolicy::Daily))
            }
            Self::Transport(t) if t.kind == TransportErrorKind::Connect => Failure::NotConnected,
            Self::Transport(_) => Failure::Lost,
            Self::InvalidResponse(invalid) => match invalid.problem {
                ResponseProblem::Undecodable(_) => Failure::Unreadable,
                ResponseProblem::UnexpectedStatus => Failure::UnexpectedStatus,
                ResponseProblem::TooLarge { .. } => Failure::TooLarge,
                ResponseProblem::RepeatedCursor(_) | ResponseProblem::Unaccounted => {
                    Failure::Inconsistent
                }
            },
            Self::DeadlineExceeded {
                in_flight: true, ..
            } => Failure::DeadlineInFlight,
            Self::DeadlineExceeded { .. } | Self::Throttled { .. } => Failure::NotSent,
            #[cfg(feature = "redis")]
            Self::RateLimitUnavailable { .. } => Failure::NotSent,
            _ => return None,
        };
        let operation = self.operation()?;
        Some(classify(operation.effect(), failure))
    }
}

/// Writes an error as its text: outcomes are serialized for reports, and an error's sources
/// (a `reqwest::Error`) have no data form.
#[cfg(feature = "serde")]
pub(crate) fn as_text<S: serde::Serializer>(
    error: &std::sync::Arc<Error>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(error)
}

/// An answer of HubSpot's that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidResponse {
    /// The call.
    pub operation: Operation,
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// What is wrong with it.
    pub problem: ResponseProblem,
}

/// What is wrong with an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseProblem {
    /// The body is not what the operation answers (not JSON, truncated, another shape).
    Undecodable(String),
    /// A status the operation does not have (a redirect, an undocumented success).
    UnexpectedStatus,
    /// The body is longer than the client reads
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A paging cursor given twice: following it would loop forever.
    RepeatedCursor(String),
    /// A batch answer that accounts for neither a result nor an error for an input.
    Unaccounted,
}

impl InvalidResponse {
    /// An answer to `operation`, of `status` if known, with `problem`.
    pub fn new(operation: Operation, status: Option<u16>, problem: ResponseProblem) -> Self {
        Self {
            operation,
            status,
            problem,
        }
    }

    /// The error of an answer to `operation` with this problem.
    pub(crate) fn error(
        operation: Operation,
        status: Option<u16>,
        problem: ResponseProblem,
    ) -> Error {
        Error::InvalidResponse(Box::new(Self::new(operation, status, problem)))
    }
}

impl std::fmt::Display for InvalidResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubSpot's answer to {}", self.operation)?;
        if let Some(status) = self.status {
            write!(f, " ({status})")?;
        }
        match &self.problem {
            ResponseProblem::Undecodable(why) => write!(f, " could not be read: {why}"),
            ResponseProblem::UnexpectedStatus => {
                f.write_str(" has a status the operation does not have")
            }
            ResponseProblem::TooLarge { limit } => {
                write!(f, " is longer than the {limit} bytes the client reads")
            }
            ResponseProblem::RepeatedCursor(cursor) => {
                write!(f, " gave the paging cursor {cursor:?} a second time")
            }
            ResponseProblem::Unaccounted => {
                f.write_str(" accounts for neither a result nor an error for this input")
            }
        }
    }
}

/// An error answer from HubSpot, with every field of its error body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The call.
    pub operation: Operation,
    /// The HTTP status.
    pub status: u16,
    /// HubSpot's category, e.g. `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`, `RATE_LIMITS`; on
    /// the OAuth token endpoint, the error's code (`BAD_REFRESH_TOKEN`).
    pub category: Option<ErrorCategory>,
    /// A more specific category, when given.
    pub sub_category: Option<serde_json::Value>,
    /// HubSpot's message.
    pub message: String,
    /// The id HubSpot support asks for.
    pub correlation_id: Option<String>,
    /// Per-field details.
    pub details: Vec<ErrorDetail>,
    /// Context, e.g. the ids or property names at fault.
    pub context: BTreeMap<String, Vec<String>>,
    /// On a 429: which limit was reached.
    pub policy_name: Option<RateLimitPolicy>,
    /// On a 429 or 503: how long HubSpot asks to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubSpot answered {}", self.status)?;
        if let Some(category) = &self.category {
            write!(f, " {category}")?;
        }
        write!(f, ": {}", self.message)?;
        for detail in &self.details {
            match &detail.field {
                Some(field) => write!(f, "; {field}: {}", detail.message)?,
                None => write!(f, "; {}", detail.message)?,
            }
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " (correlation id {id})")?;
        }
        Ok(())
    }
}

/// One per-field detail of an error; [`ErrorDetail::new`] and its fields build one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// What is wrong.
    pub message: String,
    /// The field or parameter at fault.
    pub field: Option<String>,
    /// HubSpot's code, e.g. `INVALID_OPTION`.
    pub code: Option<String>,
    /// Context, e.g. the scopes a 403 `MISSING_SCOPES` asks for
    /// (`requiredGranularScopes`).
    pub context: BTreeMap<String, Vec<String>>,
}

impl ErrorDetail {
    /// A detail saying `message`, naming no field.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: None,
            code: None,
            context: BTreeMap::new(),
        }
    }
}

open_enum! {
    unknown = UnknownValue;
    /// HubSpot's category of an error (its `category`; on the OAuth token endpoint, the
    /// error's code).
    #[cfg_attr(
        feature = "serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(into = "String", from = "String")
    )]
    pub enum ErrorCategory {
        /// A value HubSpot refused: a property it does not have, an invalid value, or one of
        /// the account's validation rules (2026-09).
        ValidationError = "VALIDATION_ERROR",
        /// No object has that id.
        ObjectNotFound = "OBJECT_NOT_FOUND",
        /// A rate limit was reached (with a [`RateLimitPolicy`]).
        RateLimits = "RATE_LIMITS",
        /// The access token expired: refresh it.
        ExpiredAuthentication = "EXPIRED_AUTHENTICATION",
        /// The access token is not one HubSpot knows.
        InvalidAuthentication = "INVALID_AUTHENTICATION",
        /// The token lacks a scope the call needs ([`ApiError::missing_scopes`]).
        MissingScopes = "MISSING_SCOPES",
        /// The request conflicts with what exists (a property name taken, say).
        Conflict = "CONFLICT",
        /// The OAuth refresh token was refused: the app was uninstalled or the token revoked.
        BadRefreshToken = "BAD_REFRESH_TOKEN",
        /// The OAuth app's client id is wrong.
        BadClientId = "BAD_CLIENT_ID",
        /// The OAuth app's client secret is wrong.
        BadClientSecret = "BAD_CLIENT_SECRET",
    }
}

open_enum! {
    unknown = UnknownValue;
    /// The rate limit a 429 names (HubSpot's `policyName`).
    pub enum RateLimitPolicy {
        /// The rolling ten-second limit: waiting a moment is enough.
        TenSecondlyRolling = "TEN_SECONDLY_ROLLING",
        /// A per-second limit (search).
        Secondly = "SECONDLY",
        /// The daily limit: nothing will pass before tomorrow.
        Daily = "DAILY",
    }
}

/// A request that got no answer. The HTTP library's own error is its
/// [`source`](std::error::Error::source), not a field: it belongs to reqwest's semver, not to
/// this crate's.
#[derive(Debug, thiserror::Error)]
#[error("{kind} during {operation}: {source}")]
pub struct TransportError {
    kind: TransportErrorKind,
    operation: Operation,
    #[source]
    source: reqwest::Error,
}

impl TransportError {
    pub(crate) fn new(
        kind: TransportErrorKind,
        operation: Operation,
        source: reqwest::Error,
    ) -> Self {
        Self {
            kind,
            operation,
            source,
        }
    }

    /// What happened.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The call.
    pub fn operation(&self) -> Operation {
        self.operation
    }
}

/// The ways a request can get no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection was made: HubSpot never saw the request.
    Connect,
    /// The request or its answer took longer than the client's timeout.
    Timeout,
    /// The connection failed after the request was sent, or the answer was cut off.
    Interrupted,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect to HubSpot",
            Self::Timeout => "timed out",
            Self::Interrupted => "connection interrupted",
        })
    }
}

impl ApiError {
    /// The scopes a 403 `MISSING_SCOPES` names: every value of a context entry about scopes
    /// (`requiredGranularScopes`, `requiredScopes`, `missingScopes`, …), of the error and of
    /// its details, in order, once each. Empty for any other answer.
    pub fn missing_scopes(&self) -> Vec<String> {
        if self.status != 403 && self.category != Some(ErrorCategory::MissingScopes) {
            return Vec::new();
        }
        let contexts =
            std::iter::once(&self.context).chain(self.details.iter().map(|d| &d.context));
        let mut scopes: Vec<String> = Vec::new();
        for (key, values) in contexts.flatten() {
            if !key.to_ascii_lowercase().contains("scope") {
                continue;
            }
            for scope in values {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
        scopes
    }

    /// An error answer of `status` to `operation` with HubSpot's `message` and no other
    /// field: what a stand-in of the client answers; set the other fields as needed.
    ///
    /// ```
    /// use hubspot_communications::{ApiError, Error, ErrorCategory, Operation};
    ///
    /// let mut missing = ApiError::new(Operation::GetCommunication, 404, "Object not found");
    /// missing.category = Some(ErrorCategory::ObjectNotFound);
    /// let error = Error::Api(Box::new(missing));
    /// assert_eq!(error.status(), Some(404));
    /// assert!(!error.is_retryable());
    /// ```
    pub fn new(operation: Operation, status: u16, message: impl Into<String>) -> Self {
        Self {
            operation,
            status,
            category: None,
            sub_category: None,
            message: message.into(),
            correlation_id: None,
            details: Vec::new(),
            context: BTreeMap::new(),
            policy_name: None,
            retry_after: None,
        }
    }

    /// HubSpot's error answer, from its status, headers and body.
    pub(crate) fn from_answer(
        operation: Operation,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: Option<HubSpotError>,
    ) -> Self {
        let body = body.unwrap_or_default();
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|secs| *secs >= 0.0)
            // Beyond what a Duration holds (or infinite): as good as forever.
            .map(|secs| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
        Self {
            operation,
            status,
            // The token endpoint puts its error's code in `status`; elsewhere it is `error`.
            category: body
                .category
                .or(body.error_type)
                .or(body
                    .status
                    .filter(|status| !status.is_empty() && status != "error"))
                .map(ErrorCategory::from),
            sub_category: body.sub_category,
            message: body
                .message
                .unwrap_or_else(|| format!("HTTP {status} with no message")),
            correlation_id: body.correlation_id,
            details: body
                .errors
                .into_iter()
                .map(|e| ErrorDetail {
                    message: e.message,
                    field: e.in_,
                    code: e.code,
                    context: e.context,
                })
                .collect(),
            context: body.context,
            policy_name: body.policy_name.as_deref().map(RateLimitPolicy::from),
            retry_after,
        }
    }
}
