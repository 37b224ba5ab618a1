//! The one request path: every call of the facade goes through [`Client::execute`], where rate
//! limiting, retries, error mapping and tracing live, once.

mod attempt;
mod batch;
mod paging;

pub use attempt::Attempt;
pub(crate) use attempt::AttemptCallback;
pub(crate) use batch::{Batch, Named, position, traced};
pub use paging::Paged;

use std::future::Future;
use std::time::Duration;

use hubspot_communications_raw as raw;
use raw::types::HubSpotError;
use tokio::time::Instant;
use tracing::Instrument;

use crate::client::{Client, RawClients};
use crate::error::{
    ApiError, Error, InvalidResponse, ResponseProblem, TransportError, TransportErrorKind,
};
use crate::operation::Operation;
use crate::rate_limit::Refusal;

/// What a raw call answers.
pub(crate) type RawResult<T> = Result<raw::ResponseValue<T>, raw::Error<HubSpotError>>;

impl Client {
    /// Sends a call of the generated client (**unstable**: the `unstable-raw` feature) through
    /// the one request path: it waits for the rate limiter, is retried as `operation`'s effect
    /// allows (name the operation closest to what the call does: a read, an idempotent write
    /// or a create), is traced, and fails with this crate's [`Error`]. `call` runs once per
    /// attempt.
    ///
    /// ```no_run
    /// use hubspot_communications::{Client, Operation};
    ///
    /// # async fn run(client: Client) -> Result<(), hubspot_communications::Error> {
    /// let stored = client
    ///     .execute_raw(Operation::GetCommunication, |raw| {
    ///         raw.objects.get_object().object_type("communications").object_id("1").send()
    ///     })
    ///     .await?;
    /// println!("{:?}", stored.properties);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "unstable-raw")]
    pub async fn execute_raw<'a, T, F, Fut>(
        &'a self,
        operation: Operation,
        call: F,
    ) -> Result<T, Error>
    where
        F: Fn(&'a RawClients) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        self.execute(operation, call).await
    }

    /// Sends one call through the limiter, retrying what may be retried, and maps the answer.
    ///
    /// `call` builds and sends the raw request; it runs once per attempt. The whole call,
    /// waits and retries included, ends by the client's deadline if it has one.
    pub(crate) async fn execute<'a, T, F, Fut>(
        &'a self,
        operation: Operation,
        call: F,
    ) -> Result<T, Error>
    where
        F: Fn(&'a RawClients) -> Fut,
        Fut: Future<Output = RawResult<T>>,
    {
        let span = tracing::info_span!(
            "hubspot",
            operation = operation.name(),
            account_id = tracing::field::Empty,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            waited_ms = tracing::field::Empty,
            correlation_id = tracing::field::Empty,
        );
        async {
            let inner = &self.inner;
            // The OAuth token endpoint is not the account's API, and the webhooks journal is
            // exempt from its limits: they take no turn of them.
            let limiter = match operation {
                _ if operation.is_rate_limit_exempt() => None,
                _ if operation.is_search() => Some(&inner.search_limiter),
                _ => Some(&inner.limiter),
            };
            let deadline = inner.deadline.and_then(|d| Instant::now().checked_add(d));
            let mut attempt = 1;
            // An OAuth client refreshes once per call on a 401 EXPIRED_AUTHENTICATION.
            let mut reauthorized = false;
            loop {
                // The token endpoint needs no access token: the refresh itself comes here.
                let sent_token = match &inner.auth {
                    Some(auth) if !operation.is_token_request() => {
                        let fresh = auth.fresh(self);
                        Some(match deadline {
                            Some(deadline) => tokio::time::timeout_at(deadline, fresh)
                                .await
                                .map_err(|_| Error::DeadlineExceeded {
                                    operation,
                                    in_flight: false,
                                })??,
                            None => fresh.await?,
                        })
                    }
                    _ => None,
                };
                if let Some(id) = self.account_id() {
                    tracing::Span::current().record("account_id", id);
                }
                let permit = match limiter {
                    Some(limiter) => Some(
                        limiter
                            .acquire(inner.retry.longest_wait(), deadline)
                            .await
                            .map_err(|refusal| match refusal {
                                Refusal::TooLong(wait) => Error::Throttled { operation, wait },
                                Refusal::Deadline => Error::DeadlineExceeded {
                                    operation,
                                    in_flight: false,
                                },
                                #[cfg(feature = "redis")]
                                Refusal::Unavailable(source) => Error::RateLimitUnavailable {
                                    operation,
                                    source: Box::new(source),
                                },
                            })?,
                    ),
                    None => None,
                };
                let waited = permit.as_ref().map_or(Duration::ZERO, |p| p.waited);
                let span = tracing::Span::current();
                span.record("attempt", attempt);
                span.record("waited_ms", waited.as_millis() as u64);
                let outcome = match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, call(&inner.raw)).await,
                    None => Ok(call(&inner.raw).await),
                };
                if let (Some(limiter), Some(permit)) = (limiter, permit) {
                    limiter.finished(permit).await;
                }
                if let Some(report) = &inner.on_attempt {
                    report(&Attempt {
                        operation,
                        number: attempt,
                        waited,
                        status: match &outcome {
                            Ok(Ok(answer)) => Some(answer.status().as_u16()),
                            Ok(Err(error)) => error.status().map(|status| status.as_u16()),
                            Err(_) => None,
                        },
                    });
                }
                let outcome = outcome.map_err(|_| Error::DeadlineExceeded {
                    operation,
                    in_flight: true,
                })?;
                if let (Some(limiter), Some(headers)) = (limiter, response_headers(&outcome)) {
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
                if let (Some(auth), Some(sent)) = (&inner.auth, sent_token)
                    && !reauthorized
                    && error.is_expired_authentication()
                {
                    // HubSpot says the token expired before the client thought: refresh (unless
                    // another call already has) and send again, once; a request HubSpot refused
                    // for its token was not acted on.
                    tracing::debug!(%error, "the access token expired early: refreshing");
                    reauthorized = true;
                    auth.expired(self, sent).await?;
                    attempt += 1;
                    continue;
                }
                let delay = self
                    .retry_delay(&error, attempt)
                    // A retry that could not finish by the deadline is not started.
                    .filter(|delay| deadline.is_none_or(|d| Instant::now() + *delay < d));
                match delay {
                    Some(delay) => {
                        tracing::warn!(%error, delay_ms = delay.as_millis() as u64, "retrying");
                        let until = Instant::now().checked_add(delay);
                        if let (Some(limiter), Some(until)) =
                            (limiter, until.filter(|_| error.is_rate_limited()))
                        {
                            limiter.pause_until(until).await;
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

    /// How long to wait before retrying, or `None` to give the error to the caller. What is
    /// retried is decided by `classify`, once for the request path and for `Error`.
    fn retry_delay(&self, error: &Error, attempt: u32) -> Option<Duration> {
        let policy = &self.inner.retry;
        if !policy.allows(attempt) || !error.is_retryable() {
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
    let transport = |kind, source| Error::Transport(TransportError::new(kind, operation, source));
    let invalid = |status, problem| InvalidResponse::error(operation, status, problem);
    match error {
        raw::Error::ErrorResponse(answer) => {
            let status = answer.status().as_u16();
            let headers = answer.headers().clone();
            let body = answer.into_inner();
            answered(ApiError::from_answer(
                operation,
                status,
                &headers,
                Some(body),
            ))
        }
        raw::Error::UnexpectedResponse(response) => {
            // Statuses of 400 and up are the operations' `4XX`/`5XX` answers; any other is one
            // the operation does not have (a redirect, a success it does not document).
            let status = response.status().as_u16();
            if status < 400 {
                return invalid(Some(status), ResponseProblem::UnexpectedStatus);
            }
            let headers = response.headers().clone();
            let body = response.bytes().await.ok();
            let parsed = body.and_then(|b| serde_json::from_slice::<HubSpotError>(&b).ok());
            answered(ApiError::from_answer(operation, status, &headers, parsed))
        }
        raw::Error::CommunicationError(source)
        | raw::Error::InvalidUpgrade(source)
        | raw::Error::ResponseBodyError(source) => {
            if let Some(too_large) = raw::response_too_large(&source) {
                return invalid(
                    source.status().map(|s| s.as_u16()),
                    ResponseProblem::TooLarge {
                        limit: too_large.limit,
                    },
                );
            }
            let kind = if source.is_connect() {
                TransportErrorKind::Connect
            } else if source.is_timeout() {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Interrupted
            };
            transport(kind, source)
        }
        raw::Error::InvalidResponsePayload(_, error) => {
            invalid(None, ResponseProblem::Undecodable(error.to_string()))
        }
        // The raw client refuses a path parameter that cannot be one segment (its ids).
        raw::Error::InvalidRequest(message) | raw::Error::Custom(message) => {
            Error::InvalidInput(message)
        }
    }
}

/// An error answer; from the token endpoint, any 4xx but a 429 is HubSpot refusing the
/// refresh (an unknown or revoked refresh token, wrong app credentials): its own error, never
/// retried.
fn answered(api: ApiError) -> Error {
    let refused = (400..500).contains(&api.status) && api.status != 429;
    if api.operation.is_token_request() && refused {
        Error::RefreshRefused(Box::new(api))
    } else {
        Error::Api(Box::new(api))
    }
}
