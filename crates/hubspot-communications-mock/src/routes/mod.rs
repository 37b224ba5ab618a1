//! The routes, one module per area, each with its own `router()`, merged here with HubSpot's
//! answers for unknown paths and methods. Routes depend on the shared state, never on the
//! server that runs them.

mod association_batch;
mod association_spec;
mod associations;
mod batch;
mod communications;
mod extract;
mod id_property;
mod input;
mod message;
mod oauth;
mod object_batch;
mod objects;
mod paging;
mod properties;
mod query;
mod search;
mod validate;
mod webhooks_journal;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Extension};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::Shared;
use crate::versions::CalledPath;

pub use search::MAX_SEARCH_BODY_CHARS;

pub(crate) use oauth::is_token_path;

/// Every route of the fake, still needing its state.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .merge(communications::router())
        .merge(object_batch::router())
        .merge(search::router())
        .merge(associations::router())
        .merge(association_batch::router())
        .merge(objects::router())
        .merge(oauth::router())
        .merge(properties::router())
        .merge(webhooks_journal::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(extract::BODY_LIMIT))
}

/// The path the client called (a date-versioned one as it was sent, not its v3/v4 form).
fn called(uri: &Uri, called: Option<Extension<CalledPath>>) -> String {
    called.map_or_else(|| uri.path().to_owned(), |Extension(CalledPath(path))| path)
}

async fn not_found(uri: Uri, path: Option<Extension<CalledPath>>) -> Response {
    ApiError::no_route(&called(&uri, path)).into_response()
}

async fn method_not_allowed(uri: Uri, path: Option<Extension<CalledPath>>) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "VALIDATION_ERROR",
        format!("{} does not support this method", called(&uri, path)),
    )
    .into_response()
}
