//! HubSpot's OAuth token endpoint: a form-encoded `refresh_token` grant, exchanged for a new
//! access token (living `Config::access_token_lifetime`) and a new refresh token; or the
//! `client_credentials` grant, an app's own token (the webhooks journal's). Refusals are 400s
//! with the error's code in `status`, as HubSpot's token endpoint answers them.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::extract::Body;
use crate::error::ApiError;
use crate::lock::lock;
use crate::state::Shared;
use crate::versions::DATE_VERSIONS;

/// The versions of the token endpoint: `/oauth/<version>/token`. v1 answers without
/// `token_use`, as HubSpot documents it; v3 is what the date versions are behind.
const VERSIONS: [&str; 2] = ["v1", "v3"];

/// Whether `path` is the token endpoint of some version (no bearer token, no account limits).
pub(crate) fn is_token_path(path: &str) -> bool {
    path.strip_prefix("/oauth/")
        .and_then(|rest| rest.strip_suffix("/token"))
        .is_some_and(|version| VERSIONS.contains(&version) || DATE_VERSIONS.contains(&version))
}

pub(super) fn router() -> Router<Arc<Shared>> {
    VERSIONS
        .iter()
        .chain(DATE_VERSIONS.iter())
        .fold(Router::new(), |router, version| {
            let v1 = *version == "v1";
            router.route(
                &format!("/oauth/{version}/token"),
                post(move |state, body| token(state, body, v1)),
            )
        })
}

async fn token(State(shared): State<Arc<Shared>>, Body(body): Body, v1: bool) -> Response {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if field("grant_type") == Some("client_credentials") {
        let issued = lock(&shared.oauth).client_credentials(
            field("client_id"),
            field("client_secret"),
            Instant::now(),
        );
        return match issued {
            Ok((token, lifetime)) => {
                let mut answer = json!({
                    "token_type": "bearer",
                    "access_token": token,
                    "expires_in": lifetime.as_secs(),
                    "scopes": field("scope").unwrap_or_default().split_whitespace().collect::<Vec<_>>(),
                });
                if !v1 {
                    answer["token_use"] = json!("client_credentials");
                }
                axum::Json(answer).into_response()
            }
            Err(refusal) => {
                let (code, message) = refusal.code_and_message();
                ApiError::oauth(StatusCode::BAD_REQUEST, code, message).into_response()
            }
        };
    }
    let exchanged = lock(&shared.oauth).exchange(
        field("grant_type"),
        field("client_id"),
        field("client_secret"),
        field("refresh_token"),
        Instant::now(),
    );
    let issued = match exchanged {
        Ok(issued) => issued,
        Err(refusal) => {
            let (code, message) = refusal.code_and_message();
            return ApiError::oauth(StatusCode::BAD_REQUEST, code, message).into_response();
        }
    };
    let mut answer = json!({
        "token_type": "bearer",
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "expires_in": issued.expires_in.as_secs(),
        "hub_id": issued.hub_id,
    });
    if !v1 {
        answer["token_use"] = json!("access_token");
    }
    axum::Json(answer).into_response()
}
