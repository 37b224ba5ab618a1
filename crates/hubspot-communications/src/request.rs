//! The one request path: every call of the facade goes through [`Client::execute`], where rate
//! limiting, retries, error mapping and tracing live, once.

use std::future::Future;
use std::time::Duration;

use hubspot_communications_raw as raw;
use raw::types::HubSpotError;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiError, Error, RateLimitPolicy, TransportError, TransportErrorKind};

/// What a call does, as far as the request path cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    ListCommunications,
    CreateCommunication,
    GetCommunication,
    UpdateCommunication,
    ArchiveCommunication,
    BatchRead,
    BatchCreate,
    BatchUpdate,
    BatchUpsert,
    BatchArchive,
    Search,
    Associate,
    RemoveAssociation,
    CreateAssociation,
    CreateDefaultAssociation,
    ListAssociations,
    ArchiveAssociations,
    CreateObject,
    GetObject,
    UpdateObject,
    ArchiveObject,
}

impl Operation {
    /// The raw client's name for the operation (also the tracing field).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ListCommunications => "list_communications",
            Self::CreateCommunication => "create_communication",
            Self::GetCommunication => "get_communication",
            Self::UpdateCommunication => "update_communication",
            Self::ArchiveCommunication => "archive_communication",
            Self::BatchRead => "batch_read_communications",
            Self::BatchCreate => "batch_create_communications",
            Self::BatchUpdate => "batch_update_communications",
            Self::BatchUpsert => "batch_upsert_communications",
            Self::BatchArchive => "batch_archive_communications",
            Self::Search => "search_communications",
            Self::Associate => "associate_communication",
            Self::RemoveAssociation => "remove_communication_association",
            Self::CreateAssociation => "create_association",
            Self::CreateDefaultAssociation => "create_default_association",
            Self::ListAssociations => "list_associations",
            Self::ArchiveAssociations => "archive_associations",
            Self::CreateObject => "create_object",
            Self::GetObject => "get_object",
            Self::UpdateObject => "update_object",
            Self::ArchiveObject => "archive_object",
        }
    }

    /// Whether sending the call twice has the effect of sending it once. Creates are not: a
    /// create retried after HubSpot acted on it logs the message twice on a customer's timeline.
    pub(crate) fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Self::CreateCommunication | Self::BatchCreate | Self::CreateObject
        )
    }

    fn is_search(self) -> bool {
        self == Self::Search
    }
}

type RawResult<T> = Result<raw::ResponseValue<T>, raw::Error<HubSpotError>>;

impl Client {
    /// Sends one call through the limiter, retrying what may be retried, and maps the answer.
    ///
    /// `call` builds and sends the raw request; it runs once per attempt.
    pub(crate) async fn execute<'a, T, F, Fut>(
        &'a self,
        operation: Operation,
        call: F,
    ) -> Result<T, Error>
    where
        F: Fn(&'a raw::Client) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let span = tracing::info_span!(
            "hubspot",
            operation = operation.name(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            waited_ms = tracing::field::Empty,
            correlation_id = tracing::field::Empty,
        );
        async {
            let limiter = if operation.is_search() {
                &self.inner.search_limiter
            } else {
                &self.inner.limiter
            };
            let mut attempt = 1;
            loop {
                let waited = limiter.acquire().await;
                let span = tracing::Span::current();
                span.record("attempt", attempt);
                span.record("waited_ms", waited.as_millis() as u64);
                let outcome = call(&self.inner.raw).await;
                if let Some(headers) = response_headers(&outcome) {
                    limiter.observe(headers);
                }
                let error = match outcome {
                    Ok(answer) => {
                        span.record("status", answer.status().as_u16());
                        return Ok(answer.into_inner());
                    }
                    Err(error) => map_error(operation, error).await,
                };
                if let Some(status) = error.status() {
                    span.record("status", status);
                }
                if let Some(id) = error.api().and_then(|api| api.correlation_id.as_deref()) {
                    span.record("correlation_id", id);
                }
                match self.retry_delay(operation, &error, attempt) {
                    Some(delay) => {
                        tracing::warn!(%error, delay_ms = delay.as_millis() as u64, "retrying");
                        let until = tokio::time::Instant::now().checked_add(delay);
                        if let Some(until) = until.filter(|_| error.is_rate_limited()) {
                            limiter.pause_until(until);
                        }
                        tokio::time::sleep(delay).await;
                        attempt += 1;
                    }
                    None => {
                        tracing::debug!(%error, "failed");
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// How long to wait before retrying, or `None` to give the error to the caller.
    fn retry_delay(&self, operation: Operation, error: &Error, attempt: u32) -> Option<Duration> {
        let policy = &self.inner.retry;
        if !policy.allows(attempt) {
            return None;
        }
        let retry = match error {
            Error::Api(api) => match api.status {
                429 => api.policy_name != Some(RateLimitPolicy::Daily),
                503 => true,
                502 | 504 => operation.is_idempotent(),
                _ => false,
            },
            Error::Transport(t) => {
                t.kind == TransportErrorKind::Connect || operation.is_idempotent()
            }
            Error::InvalidResponse { .. } => operation.is_idempotent(),
            _ => false,
        };
        if !retry {
            return None;
        }
        policy.wait(attempt, error.api().and_then(|api| api.retry_after))
    }
}

fn response_headers<T>(outcome: &RawResult<T>) -> Option<&reqwest::header::HeaderMap> {
    match outcome {
        Ok(answer) => Some(answer.headers()),
        Err(raw::Error::ErrorResponse(answer)) => Some(answer.headers()),
        Err(raw::Error::UnexpectedResponse(response)) => Some(response.headers()),
        Err(_) => None,
    }
}

async fn map_error(operation: Operation, error: raw::Error<HubSpotError>) -> Error {
    let transport = |kind, source| {
        Error::Transport(TransportError {
            kind,
            operation: operation.name(),
            source,
        })
    };
    match error {
        raw::Error::ErrorResponse(answer) => {
            let status = answer.status().as_u16();
            let headers = answer.headers().clone();
            Error::Api(Box::new(ApiError::new(
                status,
                &headers,
                Some(answer.into_inner()),
            )))
        }
        raw::Error::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.ok();
            let parsed = body.and_then(|b| serde_json::from_slice::<HubSpotError>(&b).ok());
            Error::Api(Box::new(ApiError::new(status, &headers, parsed)))
        }
        raw::Error::CommunicationError(source) | raw::Error::InvalidUpgrade(source) => {
            let kind = if source.is_connect() {
                TransportErrorKind::Connect
            } else if source.is_timeout() {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Interrupted
            };
            transport(kind, source)
        }
        raw::Error::ResponseBodyError(source) => {
            let kind = if source.is_timeout() {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Interrupted
            };
            transport(kind, source)
        }
        raw::Error::InvalidResponsePayload(_, error) => Error::InvalidResponse {
            status: None,
            message: error.to_string(),
        },
        raw::Error::InvalidRequest(message) | raw::Error::Custom(message) => {
            Error::InvalidInput(message)
        }
    }
}
