//! Extractors whose refusals are HubSpot's JSON errors, not axum's plain text: a body over
//! the limit (413), a path segment that is not UTF-8 (400); and [`Call`], what a handler of a
//! path with parameters starts from, so that handlers do not each spell it out.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::query::Query;
use crate::error::ApiError;
use crate::state::Shared;

/// The largest request body accepted: axum's default, 2 MiB.
pub(crate) const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A request's whole body.
pub(crate) struct Body(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "VALIDATION_ERROR",
                    format!("The request body is larger than {BODY_LIMIT} bytes"),
                ))
            }
            Err(rejection) => Err(ApiError::rejected(
                rejection.status(),
                rejection.body_text(),
            )),
        }
    }
}

/// A route's path parameters.
pub(crate) struct PathParams<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(params)| Self(params))
            .map_err(|rejection| ApiError::rejected(rejection.status(), rejection.body_text()))
    }
}

/// A call of a route with path parameters: the fake's state, the parameters, and the query
/// string (read leniently, so it never refuses).
pub(crate) struct Call<T>(pub(crate) Arc<Shared>, pub(crate) T, pub(crate) Query);

impl<T: DeserializeOwned + Send> FromRequestParts<Arc<Shared>> for Call<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let PathParams(path) = PathParams::from_request_parts(parts, shared).await?;
        Ok(Self(Arc::clone(shared), path, Query::parse(&parts.uri)))
    }
}
