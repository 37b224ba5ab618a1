//! The routes, and what they share: query parsing, JSON bodies, message validation.

mod associations;
mod batch;
mod communications;
mod objects;
mod search;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;
use crate::server::{Shared, gate};
use crate::store::ObjectKind;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    const MESSAGE: &str = "/crm/v3/objects/communications/{id}";
    Router::new()
        .route(
            "/crm/v3/objects/communications",
            get(communications::list).post(communications::create),
        )
        .route(
            MESSAGE,
            get(communications::read)
                .patch(communications::update)
                .delete(communications::archive),
        )
        .route(
            "/crm/v3/objects/communications/batch/read",
            post(batch::read),
        )
        .route(
            "/crm/v3/objects/communications/batch/create",
            post(batch::create),
        )
        .route(
            "/crm/v3/objects/communications/batch/update",
            post(batch::update),
        )
        .route(
            "/crm/v3/objects/communications/batch/upsert",
            post(batch::upsert),
        )
        .route(
            "/crm/v3/objects/communications/batch/archive",
            post(batch::archive),
        )
        .route(
            "/crm/v3/objects/communications/search",
            post(search::search),
        )
        .route(
            "/crm/v3/objects/communications/{id}/associations/{to_type}/{to_id}/{type_id}",
            put(associations::associate_v3).delete(associations::remove_v3),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}",
            put(associations::associate_default),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}",
            get(associations::list),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}/{to_id}",
            put(associations::associate_labelled).delete(associations::remove_all),
        )
        .route("/crm/v3/objects/{object_type}", post(objects::create))
        .route(
            "/crm/v3/objects/{object_type}/{id}",
            get(objects::read)
                .patch(objects::update)
                .delete(objects::archive),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

async fn not_found(uri: Uri) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "OBJECT_NOT_FOUND",
        format!("No route for {}", uri.path()),
    )
    .into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "VALIDATION_ERROR",
        format!("{} does not support this method", uri.path()),
    )
    .into_response()
}

/// A query string's parameters; arrays given repeated (`a=1&a=2`) or comma-separated (`a=1,2`).
pub(crate) struct Query(BTreeMap<String, Vec<String>>);

impl Query {
    pub(crate) fn parse(uri: &Uri) -> Self {
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        {
            params
                .entry(key.into_owned())
                .or_default()
                .push(value.into_owned());
        }
        Self(params)
    }

    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        self.0
            .get(name)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    pub(crate) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.one(name) {
            None => Ok(false),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ApiError::validation(format!(
                "{name} must be true or false, not {other}"
            ))),
        }
    }

    pub(crate) fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.one("limit") {
            None => Ok(default),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::validation(format!(
                    "limit must be between 1 and {max}, not {text}"
                ))),
            },
        }
    }
}

/// Parses a JSON body, answering HubSpot's 400 when it is not JSON.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Invalid input JSON: {e}")))
}

/// The `properties` object of an input as strings (numbers and booleans are accepted, as
/// HubSpot does; `null` clears).
pub(crate) fn properties(input: &Value) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(object) = input.get("properties").and_then(Value::as_object) else {
        return Err(ApiError::validation("properties is required").detail(
            "properties",
            "REQUIRED",
            "properties is required",
        ));
    };
    object
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                _ => {
                    return Err(ApiError::validation(format!(
                        "property {name} must be a string"
                    )));
                }
            };
            Ok((name.clone(), text))
        })
        .collect()
}

pub(crate) const CHANNELS: [&str; 3] = ["WHATS_APP", "LINKEDIN_MESSAGE", "SMS"];

/// What HubSpot checks on a new message; returns the properties as stored (channel trimmed).
pub(crate) fn check_new_message(
    mut properties: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ApiError> {
    check_channel(&mut properties, true)?;
    match properties
        .get("hs_communication_logged_from")
        .map(String::as_str)
    {
        Some("CRM") => Ok(properties),
        Some(other) => Err(ApiError::validation(format!(
            "hs_communication_logged_from must be CRM, not {other}"
        ))
        .detail(
            "hs_communication_logged_from",
            "INVALID_OPTION",
            "must be CRM",
        )),
        None => Err(
            ApiError::validation("hs_communication_logged_from is required").detail(
                "hs_communication_logged_from",
                "REQUIRED",
                "must be CRM",
            ),
        ),
    }
}

/// The channel, if present (required on creates), must be one HubSpot knows.
pub(crate) fn check_channel(
    properties: &mut BTreeMap<String, String>,
    required: bool,
) -> Result<(), ApiError> {
    const NAME: &str = "hs_communication_channel_type";
    match properties.get_mut(NAME) {
        Some(channel) if CHANNELS.contains(&channel.trim()) => {
            *channel = channel.trim().to_owned();
            Ok(())
        }
        Some(channel) if channel.is_empty() && !required => Ok(()),
        Some(channel) => Err(ApiError::validation(format!(
            "Property values were not valid: {channel:?} is not a valid channel (WHATS_APP, LINKEDIN_MESSAGE, SMS)"
        ))
        .detail(NAME, "INVALID_OPTION", format!("{channel:?} was not one of the allowed options"))),
        None if required => Err(ApiError::validation(format!("{NAME} is required")).detail(NAME, "REQUIRED", "required")),
        None => Ok(()),
    }
}

/// An id in a path: HubSpot's ids are numbers.
pub(crate) fn parse_id(id: &str) -> Result<u64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("No object with id {id}")))
}

pub(crate) fn parse_kind(name: &str) -> Result<ObjectKind, ApiError> {
    ObjectKind::parse(name)
        .ok_or_else(|| ApiError::validation(format!("Unknown object type {name}")))
}

/// The properties a message returns when none are asked for.
pub(crate) const MESSAGE_DEFAULTS: [&str; 5] = [
    "hs_communication_channel_type",
    "hs_communication_logged_from",
    "hs_communication_body",
    "hs_timestamp",
    "hubspot_owner_id",
];
