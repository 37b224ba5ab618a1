//! What every request goes through before its route: bearer authentication (a private-app
//! token, or an OAuth access token: alive, expired or unknown), the daily limit, the rolling
//! windows (general and search, the OAuth account's own for its tokens) with HubSpot's
//! headers, then the seeded fault draw. The OAuth token endpoint takes no bearer token and
//! counts against no account's limits.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rand::Rng;

use crate::connection::Hangup;
use crate::error::ApiError;
use crate::faults::FaultKind;
use crate::lock::lock;
use crate::oauth::Check;
use crate::rate_limit::Windows;
use crate::rate_limit::daily_headers;
use crate::state::Shared;

/// The middleware: refuses, or runs the route with the fault (if any) the draw picked.
pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let count = shared.counters.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if crate::routes::is_token_path(request.uri().path()) {
        return run(&shared, request, next, HeaderMap::new()).await;
    }
    let identity = match authenticate(&shared, &request) {
        Ok(identity) => identity,
        Err(refusal) => return refusal.into_response(),
    };
    // The webhooks journal's calls are exempt from the daily and ten-secondly limits.
    if request.uri().path().starts_with("/webhooks-journal/") {
        return run(&shared, request, next, HeaderMap::new()).await;
    }
    let daily = shared.config.daily_limit;
    let over_daily = daily.is_some_and(|limit| count > limit);
    let search = request.uri().path().ends_with("/search");
    let judge = |windows: &mut Windows| {
        let window = windows.for_request(search);
        // A request refused for the day does not count against the rolling window.
        let verdict = if over_daily {
            window.peek(Instant::now())
        } else {
            window.admit(Instant::now())
        };
        let mut headers = HeaderMap::new();
        window.headers(&verdict, &mut headers);
        daily_headers(daily, count, &mut headers);
        (verdict, headers)
    };
    let (verdict, mut limit_headers) = match identity {
        Identity::PrivateApp => judge(&mut lock(&shared.windows)),
        Identity::Account(hub_id) => {
            let mut oauth = lock(&shared.oauth);
            match oauth.account(hub_id) {
                Some(account) => {
                    let judged = judge(&mut account.windows);
                    account.stats.requests += 1;
                    account.stats.rate_limited += u64::from(over_daily || !judged.0.allowed);
                    judged
                }
                // Tokens are issued only to configured accounts.
                None => judge(&mut lock(&shared.windows)),
            }
        }
    };
    if over_daily {
        shared.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
        let mut response = ApiError::rate_limited("DAILY", 3600).into_response();
        response.headers_mut().extend(limit_headers.drain());
        return response;
    }
    if !verdict.allowed {
        shared.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
        let policy = if search {
            "SECONDLY"
        } else {
            "TEN_SECONDLY_ROLLING"
        };
        let mut response = ApiError::rate_limited(policy, verdict.retry_after_secs).into_response();
        response.headers_mut().extend(limit_headers.drain());
        return response;
    }
    run(&shared, request, next, limit_headers).await
}

/// Runs the route with the fault (if any) the draw picked, and adds `limit_headers`.
async fn run(shared: &Shared, request: Request, next: Next, limit_headers: HeaderMap) -> Response {
    let fault = pick_fault(shared, request.uri().path());
    let hangup = request.extensions().get::<Hangup>().cloned();
    let mut response = match fault {
        Some(FaultKind::RateLimited) => {
            ApiError::rate_limited("TEN_SECONDLY_ROLLING", 1).into_response()
        }
        Some(FaultKind::InternalError) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Injected failure",
        )
        .into_response(),
        Some(FaultKind::BadGateway) => {
            ApiError::new(StatusCode::BAD_GATEWAY, "BAD_GATEWAY", "Bad gateway").into_response()
        }
        Some(FaultKind::Unavailable) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Service unavailable",
        )
        .into_response(),
        Some(FaultKind::DropBeforeStore) => return hang_up(hangup).await,
        Some(FaultKind::Slow) => {
            tokio::time::sleep(shared.config.faults.slow_delay).await;
            next.run(request).await
        }
        Some(FaultKind::DropAfterStore) => {
            let _ = next.run(request).await;
            return hang_up(hangup).await;
        }
        Some(FaultKind::TruncatedBody) => truncate(next.run(request).await).await,
        None => next.run(request).await,
    };
    // A scripted answer's own rate-limit headers stand (the routes set none); each has one
    // value.
    for (name, value) in limit_headers {
        if let Some(name) = name {
            response.headers_mut().entry(name).or_insert(value);
        }
    }
    response
}

/// Whose request it is.
enum Identity {
    /// A private app's token: the server's own limits.
    PrivateApp,
    /// An OAuth access token of this account: the account's limits.
    Account(u64),
}

fn authenticate(shared: &Shared, request: &Request) -> Result<Identity, ApiError> {
    let invalid = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        )
    };
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .filter(|t| !t.is_empty())
        .ok_or_else(invalid)?;
    let mut oauth = lock(&shared.oauth);
    match oauth.check(token, Instant::now()) {
        Check::Live(hub_id) => Ok(Identity::Account(hub_id)),
        Check::Expired(hub_id, ago) => {
            if let Some(account) = oauth.account(hub_id) {
                account.stats.expired += 1;
            }
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "EXPIRED_AUTHENTICATION",
                format!(
                    "The OAuth token used to make this call expired {} minute(s) ago.",
                    ago.as_secs() / 60
                ),
            ))
        }
        // Any token passes while no account and no private-app token is configured.
        Check::Unknown if shared.config.tokens.contains(token) => Ok(Identity::PrivateApp),
        Check::Unknown if shared.config.tokens.is_empty() && !oauth.has_accounts() => {
            Ok(Identity::PrivateApp)
        }
        Check::Unknown => Err(invalid()),
    }
}

/// The token of an `Authorization` value; HubSpot reads the scheme in any case.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The fault this request gets, if any, counted in the stats.
fn pick_fault(shared: &Shared, path: &str) -> Option<FaultKind> {
    let faults = &shared.config.faults;
    if !faults.applies_to(path) {
        return None;
    }
    let draw: f64 = lock(&shared.rng).random();
    let fault = faults.pick(draw)?;
    *lock(&shared.counters.faults).entry(fault).or_default() += 1;
    Some(fault)
}

async fn hang_up(hangup: Option<Hangup>) -> Response {
    if let Some(hangup) = hangup {
        hangup.hang_up();
        // The connection is being dropped; this answer is never written.
        std::future::pending::<()>().await;
    }
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Sends the first half of the body, then breaks the connection.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(half), Err(std::io::Error::other("injected truncation"))];
    Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
}
