//! CRM records: create, read, update (with pinning), archive.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;

use super::extract::{Body, Call};
use super::input::{json_body, parse_id, parse_kind, properties};
use super::validate::{conflict, write};
use crate::error::ApiError;
use crate::lock::lock;
use crate::object_type::RecordId;
use crate::property::PropertyOwner;
use crate::schema::{Schema, Write};
use crate::state::Shared;
use crate::store::Store;

type Answer = Result<Response, ApiError>;
pub(super) const PINNED: &str = "hs_pinned_engagement_id";
pub(super) const RECORD_DEFAULTS: [&str; 5] =
    ["email", "firstname", "lastname", "name", "dealname"];

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/crm/v3/objects/{object_type}", post(create))
        .route(
            "/crm/v3/objects/{object_type}/{id}",
            get(read).patch(update).delete(archive),
        )
}

async fn create(Call(shared, object_type, _): Call<String>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let owner = PropertyOwner::Record(parse_kind(&object_type)?);
    let properties = body_properties(&schema, owner, &body, Write::Create)?;
    if properties.get(PINNED).is_some_and(|p| !p.is_empty()) {
        return Err(ApiError::validation(
            "A new record has no associated activity to pin",
        ));
    }
    let mut store = lock(&shared.store);
    if let Some(taken) = store.taken(&schema, owner, &properties, None) {
        return Err(conflict(owner, &taken));
    }
    let id = store.create(owner, properties);
    let record = store
        .object(owner, id)
        .map(|record| record.to_json(&[], &[], &RECORD_DEFAULTS));
    Ok((StatusCode::CREATED, axum::Json(record)).into_response())
}

/// A single write's `properties` as stored, by the owner's definitions.
pub(super) fn body_properties(
    schema: &Schema,
    owner: PropertyOwner,
    body: &Bytes,
    how: Write,
) -> Result<BTreeMap<String, String>, ApiError> {
    Ok(write(schema, owner, properties(&json_body(body)?)?, how)?)
}

async fn read(Call(shared, (object_type, id), query): Call<(String, String)>) -> Answer {
    let schema = shared.schema();
    let kind = parse_kind(&object_type)?;
    let store = lock(&shared.store);
    let record = store
        .records
        .get(&RecordId {
            kind,
            id: parse_id(&id)?,
        })
        .filter(|r| r.archived_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("No {} with id {id}", kind.singular())))?;
    let owner = PropertyOwner::Record(kind);
    Ok(axum::Json(record.to_json(
        &schema.known(owner, &query.list("properties")),
        &schema.known(owner, &query.list("propertiesWithHistory")),
        &RECORD_DEFAULTS,
    ))
    .into_response())
}

/// Pinning is a property update: `hs_pinned_engagement_id` must name a message associated with
/// the record (the guide's rule).
async fn update(
    Call(shared, (object_type, id), _): Call<(String, String)>,
    Body(body): Body,
) -> Answer {
    let schema = shared.schema();
    let owner = PropertyOwner::Record(parse_kind(&object_type)?);
    let properties = body_properties(&schema, owner, &body, Write::Update)?;
    let mut store = lock(&shared.store);
    let not_found = || ApiError::not_found(format!("No {} with id {id}", owner.singular()));
    let id = parse_id(&id)?;
    if store.live_object(owner, id).is_none() {
        return Err(not_found());
    }
    if let Some(refusal) = pin_refusal(&store, owner, id, &properties) {
        return Err(ApiError::validation(refusal).detail(
            PINNED,
            "INVALID_PINNED_ENGAGEMENT",
            "the activity must be associated with the record",
        ));
    }
    if let Some(taken) = store.taken(&schema, owner, &properties, Some(id)) {
        return Err(conflict(owner, &taken));
    }
    let object = store.update(owner, id, properties).ok_or_else(not_found)?;
    Ok(axum::Json(object.to_json(&[], &[], &RECORD_DEFAULTS)).into_response())
}

/// HubSpot's refusal of a pin (`hs_pinned_engagement_id`) of a message that is not
/// associated with the record, if the write pins one (messages pin nothing).
pub(super) fn pin_refusal(
    store: &Store,
    owner: PropertyOwner,
    id: u64,
    properties: &BTreeMap<String, String>,
) -> Option<String> {
    let PropertyOwner::Record(kind) = owner else {
        return None;
    };
    let pinned = properties.get(PINNED).filter(|p| !p.is_empty())?;
    let record = RecordId { kind, id };
    let associated = pinned
        .parse::<u64>()
        .ok()
        .is_some_and(|m| store.live(m).is_some() && store.is_associated(m, record));
    (!associated).then(|| {
        format!(
            "Property values were not valid: engagement {pinned} is not associated with {} {id}",
            kind.singular(),
        )
    })
}

async fn archive(Call(shared, (object_type, id), _): Call<(String, String)>) -> Answer {
    let kind = parse_kind(&object_type)?;
    let mut store = lock(&shared.store);
    if let Ok(id) = parse_id(&id) {
        store.archive(kind.into(), id, chrono::Utc::now());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
