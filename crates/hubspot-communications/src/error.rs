//! One error type for every call, with what HubSpot said when it said something.

use std::collections::BTreeMap;
use std::time::Duration;

use hubspot_communications_raw::types::HubSpotError;

/// Everything a call can fail with.
///
/// Each variant says who failed: HubSpot answered with an error ([`Error::Api`]), no answer
/// came ([`Error::Transport`]), the answer could not be read ([`Error::InvalidResponse`]), or
/// the request was refused before it left ([`Error::InvalidInput`], [`Error::NotAssociated`],
/// [`Error::SearchLimitReached`]). The token never appears in an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HubSpot answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No answer came: the connection failed or dropped, or the request timed out.
    #[error("{0}")]
    Transport(TransportError),
    /// HubSpot's answer could not be read (not JSON, truncated, or of an unexpected shape).
    #[error("HubSpot's answer{} could not be read: {message}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What went wrong.
        message: String,
    },
    /// The request was refused before it was sent: it breaks one of HubSpot's rules.
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// Pinning needs the message to be associated with the record first.
    #[error(
        "message {message_id} is not associated with {object_type} {record_id}: associate it before pinning"
    )]
    NotAssociated {
        /// The message.
        message_id: String,
        /// The record's object type.
        object_type: String,
        /// The record.
        record_id: String,
    },
    /// HubSpot's search returns at most 10,000 results per query; use
    /// [`Client::search_all`](crate::Client::search_all) to go past it.
    #[error(
        "HubSpot's search stops at {limit} results per query; use Client::search_all to read past it"
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
            Self::Api(api) => Some(api.status),
            Self::InvalidResponse { status, .. } => *status,
            _ => None,
        }
    }

    /// HubSpot's error details, if it answered with an error.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether HubSpot refused the call for its rate limits (429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// The rate-limit policy a 429 names (`DAILY` is not worth retrying today).
    pub fn rate_limit_policy(&self) -> Option<&RateLimitPolicy> {
        self.api().and_then(|api| api.policy_name.as_ref())
    }

    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(t) if t.kind == TransportErrorKind::Timeout)
    }

    /// Whether HubSpot may have acted on the request although no answer says so: a create that
    /// failed this way may or may not have created the message.
    pub fn is_fate_unknown(&self) -> bool {
        match self {
            Self::Transport(t) => t.kind != TransportErrorKind::Connect,
            Self::InvalidResponse { status, .. } => status.is_none_or(|s| s < 400),
            Self::Api(api) => matches!(api.status, 502 | 504),
            _ => false,
        }
    }

    /// Whether the same call could succeed later: rate limits (but not the daily one),
    /// 502/503/504, and transport failures. The client already retried these as its
    /// [`RetryPolicy`](crate::RetryPolicy) allows.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => match api.status {
                429 => api.policy_name != Some(RateLimitPolicy::Daily),
                502..=504 => true,
                _ => false,
            },
            Self::Transport(_) => true,
            _ => false,
        }
    }
}

/// An error answer from HubSpot, with every field of its error body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// HubSpot's category, e.g. `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`, `RATE_LIMITS`.
    pub category: Option<String>,
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

/// One per-field detail of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// What is wrong.
    pub message: String,
    /// The field or parameter at fault.
    pub field: Option<String>,
    /// HubSpot's code, e.g. `INVALID_OPTION`.
    pub code: Option<String>,
}

/// The rate limit a 429 names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitPolicy {
    /// The rolling ten-second limit: waiting a moment is enough.
    TenSecondlyRolling,
    /// A per-second limit (search).
    Secondly,
    /// The daily limit: nothing will pass before tomorrow.
    Daily,
    /// A policy this version does not know.
    Other(String),
}

impl std::fmt::Display for RateLimitPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TenSecondlyRolling => "TEN_SECONDLY_ROLLING",
            Self::Secondly => "SECONDLY",
            Self::Daily => "DAILY",
            Self::Other(name) => name,
        })
    }
}

impl From<&str> for RateLimitPolicy {
    fn from(name: &str) -> Self {
        match name.trim() {
            "TEN_SECONDLY_ROLLING" => Self::TenSecondlyRolling,
            "SECONDLY" => Self::Secondly,
            "DAILY" => Self::Daily,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// A request that got no answer.
#[derive(Debug, thiserror::Error)]
#[error("{kind} during {operation}: {source}")]
pub struct TransportError {
    /// What happened.
    pub kind: TransportErrorKind,
    /// The facade operation, e.g. `create_communication`.
    pub operation: &'static str,
    /// The underlying error.
    #[source]
    pub source: reqwest::Error,
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
    pub(crate) fn new(
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
            status,
            category: body.category.or(body.error_type),
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
                })
                .collect(),
            context: body.context,
            policy_name: body.policy_name.as_deref().map(RateLimitPolicy::from),
            retry_after,
        }
    }
}
