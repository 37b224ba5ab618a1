//! Single messages: list, create, read, update, archive.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::association_spec::requested;
use super::extract::{Body, Call};
use super::input::{json_body, parse_id, properties};
use super::message::{MESSAGE_DEFAULTS, message_json, resolve_id};
use super::objects::body_properties;
use super::paging::after_in_query;
use super::query::Query;
use super::validate::{conflict, write};
use crate::error::ApiError;
use crate::lock::lock;
use crate::property::PropertyOwner;
use crate::schema::Write;
use crate::state::Shared;

type Answer = Result<Response, ApiError>;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/crm/v3/objects/communications", get(list).post(create))
        .route(
            "/crm/v3/objects/communications/{id}",
            get(read).patch(update).delete(archive),
        )
}

/// Pages through messages in id order; the cursor is the next page's first id.
async fn list(State(shared): State<Arc<Shared>>, uri: Uri) -> Answer {
    let schema = shared.schema();
    let query = Query::parse(&uri);
    let limit = query.limit(10, 100)?;
    let archived = query.flag("archived")?;
    let after = after_in_query(&query)?;
    let store = lock(&shared.store);
    let mut page = store
        .communications
        .range(after..)
        .filter(|(_, message)| message.archived_at.is_some() == archived)
        .take(limit + 1);
    let results: Vec<Value> = page
        .by_ref()
        .take(limit)
        .filter_map(|(id, _)| message_json(&store, &schema, *id, &query))
        .collect();
    let mut body = json!({"results": results});
    if let Some((next, _)) = page.next() {
        body["paging"] =
            json!({"next": {"after": next.to_string(), "link": format!("?after={next}")}});
    }
    Ok(axum::Json(body).into_response())
}

async fn create(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let input = json_body(&body)?;
    let owner = PropertyOwner::Communication;
    let properties = write(&schema, owner, properties(&input)?, Write::Create)?;
    let mut store = lock(&shared.store);
    let associations = requested(&store, &shared.labels, &input)?;
    if let Some(taken) = store.taken(&schema, owner, &properties, None) {
        return Err(conflict(owner, &taken));
    }
    let id = store.create(owner, properties);
    for association in associations {
        store.associate(id, association.record, association.how);
    }
    let created = store
        .live(id)
        .map(|message| message.to_json(&[], &[], &MESSAGE_DEFAULTS));
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn read(Call(shared, id, query): Call<String>) -> Answer {
    let schema = shared.schema();
    let archived = query.flag("archived")?;
    let mut store = lock(&shared.store);
    let id = resolve_id(&mut store, &schema, &id, query.one("idProperty"))?;
    store
        .communications
        .get(&id)
        .filter(|message| message.archived_at.is_some() == archived)
        .and_then(|_| message_json(&store, &schema, id, &query))
        .map(|message| axum::Json(message).into_response())
        .ok_or_else(|| ApiError::not_found(format!("No communication with id {id}")))
}

async fn update(Call(shared, id, query): Call<String>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let owner = PropertyOwner::Communication;
    let properties = body_properties(&schema, owner, &body, Write::Update)?;
    let mut store = lock(&shared.store);
    let id = resolve_id(&mut store, &schema, &id, query.one("idProperty"))?;
    let not_found = || ApiError::not_found(format!("No communication with id {id}"));
    if store.live(id).is_none() {
        return Err(not_found());
    }
    if let Some(taken) = store.taken(&schema, owner, &properties, Some(id)) {
        return Err(conflict(owner, &taken));
    }
    let message = store.update(owner, id, properties).ok_or_else(not_found)?;
    Ok(axum::Json(message.to_json(&[], &[], &MESSAGE_DEFAULTS)).into_response())
}

async fn archive(Call(shared, id, _): Call<String>) -> Answer {
    let mut store = lock(&shared.store);
    // Archiving what is already gone answers 204, as HubSpot does.
    if let Ok(id) = parse_id(&id) {
        store.archive(PropertyOwner::Communication, id, chrono::Utc::now());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
