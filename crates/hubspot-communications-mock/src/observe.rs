//! The opt-in observer of [`crate::Config::observe`]: each request a route answers, with its
//! answer, buffered whole (a test layer, e.g. a spec check, reads both bodies).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::error::ApiError;

/// One request a route answered, and its answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// The request's method.
    pub method: Method,
    /// The request's path, as routed (`/crm/v3/objects/communications/12`).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The request's body.
    pub request_body: Bytes,
    /// The answer's status.
    pub status: StatusCode,
    /// The answer's body.
    pub response_body: Bytes,
}

/// A callback given every exchange the fake's routes answer.
pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// The most of a body the observer buffers; past it, the exchange is answered unobserved.
const MAX_OBSERVED: usize = 16 * 1024 * 1024;

/// The middleware: runs the route, then shows the observers the exchange. Its state is the
/// observers alone, so that the configuration can name this module's types.
pub(crate) async fn observe(
    State(observers): State<Arc<[Observer]>>,
    request: Request,
    next: Next,
) -> Response {
    if observers.is_empty() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(request_body) = axum::body::to_bytes(body, MAX_OBSERVED).await else {
        return too_large();
    };
    let (method, path) = (parts.method.clone(), parts.uri.path().to_owned());
    let query = parts.uri.query().map(str::to_owned);
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body.clone())))
        .await;
    let (parts, body) = response.into_parts();
    let Ok(response_body) = axum::body::to_bytes(body, MAX_OBSERVED).await else {
        return too_large();
    };
    let exchange = Exchange {
        method,
        path,
        query,
        request_body,
        status: parts.status,
        response_body: response_body.clone(),
    };
    for observer in observers.iter() {
        observer(&exchange);
    }
    Response::from_parts(parts, Body::from(response_body))
}

fn too_large() -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "VALIDATION_ERROR",
        format!("The body is larger than {MAX_OBSERVED} bytes"),
    )
    .into_response()
}
