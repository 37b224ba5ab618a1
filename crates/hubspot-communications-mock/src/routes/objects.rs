//! CRM records: create, read, update (with pinning), archive.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::{Query, json_body, parse_id, parse_kind, properties};
use crate::error::ApiError;
use crate::server::{Shared, lock};

type Answer = Result<Response, ApiError>;
const PINNED: &str = "hs_pinned_engagement_id";
const RECORD_DEFAULTS: [&str; 5] = ["email", "firstname", "lastname", "name", "dealname"];

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Path(object_type): Path<String>,
    body: Bytes,
) -> Answer {
    let kind = parse_kind(&object_type)?;
    let properties = properties(&json_body(&body)?)?;
    if properties.contains_key(PINNED) {
        return Err(ApiError::validation(
            "A new record has no associated activity to pin",
        ));
    }
    let mut store = lock(&shared.store);
    let id = store.create_record(kind, properties);
    let record = store.records[&(kind, id)].to_json(&[], &[], &RECORD_DEFAULTS);
    Ok((StatusCode::CREATED, axum::Json(record)).into_response())
}

pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    Path((object_type, id)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let query = Query::parse(&uri);
    let kind = parse_kind(&object_type)?;
    let store = lock(&shared.store);
    let record = store
        .records
        .get(&(kind, parse_id(&id)?))
        .filter(|r| r.archived_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("No {} with id {id}", kind.singular())))?;
    Ok(axum::Json(record.to_json(
        &query.list("properties"),
        &query.list("propertiesWithHistory"),
        &RECORD_DEFAULTS,
    ))
    .into_response())
}

/// Pinning is a property update: `hs_pinned_engagement_id` must name a message associated with
/// the record (the guide's rule).
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Path((object_type, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let kind = parse_kind(&object_type)?;
    let properties = properties(&json_body(&body)?)?;
    let mut store = lock(&shared.store);
    let record = parse_id(&id)?;
    if store
        .records
        .get(&(kind, record))
        .is_none_or(|r| r.archived_at.is_some())
    {
        return Err(ApiError::not_found(format!(
            "No {} with id {id}",
            kind.singular()
        )));
    }
    if let Some(pinned) = properties.get(PINNED).filter(|p| !p.is_empty()) {
        let associated = pinned
            .parse::<u64>()
            .ok()
            .is_some_and(|m| store.live(m).is_some() && store.is_associated(m, kind, record));
        if !associated {
            return Err(ApiError::validation(format!(
                "Property values were not valid: engagement {pinned} is not associated with {} {id}",
                kind.singular()
            ))
            .detail(PINNED, "INVALID_PINNED_ENGAGEMENT", "the activity must be associated with the record"));
        }
    }
    let object = store
        .records
        .get_mut(&(kind, record))
        .expect("checked above");
    object.apply(properties, chrono::Utc::now());
    Ok(axum::Json(object.to_json(&[], &[], &RECORD_DEFAULTS)).into_response())
}

pub(crate) async fn archive(
    State(shared): State<Arc<Shared>>,
    Path((object_type, id)): Path<(String, String)>,
) -> Answer {
    let kind = parse_kind(&object_type)?;
    let mut store = lock(&shared.store);
    if let Some(record) = parse_id(&id)
        .ok()
        .and_then(|id| store.records.get_mut(&(kind, id)))
    {
        record.archived_at.get_or_insert_with(chrono::Utc::now);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
