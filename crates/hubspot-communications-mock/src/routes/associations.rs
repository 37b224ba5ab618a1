//! Associations of a message: the guide's v3 form and the v4 endpoints.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};

use super::association_spec::{from_spec, from_v3_path};
use super::extract::{Body, PathParams};
use super::input::{is_communications, json_body, parse_id, parse_kind};
use super::message::{MESSAGE_DEFAULTS, associations_json};
use super::paging::{Offset, after_in_query};
use super::query::Query;
use crate::association::AssociationType;
use crate::error::ApiError;
use crate::object::timestamp;
use crate::state::{Shared, lock};
use crate::store::{RecordId, Store};

type Answer = Result<Response, ApiError>;

/// Four segments of a path: from type and id, to type and id (or, in v3, to type, to id
/// and association type).
type Ends = (String, String, String, String);

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/crm/v3/objects/communications/{id}/associations/{to_type}/{to_id}/{type_id}",
            put(associate_v3).delete(remove_v3),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}",
            put(associate_default),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}",
            get(list),
        )
        .route(
            "/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}/{to_id}",
            put(associate_labelled).delete(remove_all),
        )
}

/// The two ends of an association path: a live message and an existing record.
struct Link {
    message: u64,
    record: RecordId,
}

impl Link {
    fn find(
        store: &Store,
        from_type: &str,
        from: &str,
        to_type: &str,
        to: &str,
    ) -> Result<Self, ApiError> {
        if !is_communications(from_type) {
            return Err(ApiError::not_found(format!(
                "This fake stores associations from communications, not {from_type}"
            )));
        }
        let message = parse_id(from)?;
        if store.live(message).is_none() {
            return Err(ApiError::not_found(format!(
                "No communication with id {from}"
            )));
        }
        let kind = parse_kind(to_type)?;
        let record = RecordId {
            kind,
            id: parse_id(to)?,
        };
        if !store.records.contains_key(&record) {
            return Err(ApiError::not_found(format!(
                "No {} with id {to}",
                kind.singular()
            )));
        }
        Ok(Self { message, record })
    }
}

async fn associate_v3(
    State(shared): State<Arc<Shared>>,
    PathParams((id, to_type, to_id, type_id)): PathParams<Ends>,
) -> Answer {
    let mut store = lock(&shared.store);
    let link = Link::find(&store, "communications", &id, &to_type, &to_id)?;
    let how = from_v3_path(&type_id, link.record.kind)?;
    store.associate(link.message, link.record, how);
    let mut body = store
        .live(link.message)
        .map(|message| message.to_json(&[], &[], &MESSAGE_DEFAULTS))
        .unwrap_or_default();
    body["associations"] = associations_json(&store, link.message, &[link.record.kind]);
    Ok(axum::Json(body).into_response())
}

async fn remove_v3(
    State(shared): State<Arc<Shared>>,
    PathParams((id, to_type, to_id, type_id)): PathParams<Ends>,
) -> Answer {
    let mut store = lock(&shared.store);
    let link = Link::find(&store, "communications", &id, &to_type, &to_id)?;
    let how = from_v3_path(&type_id, link.record.kind)?;
    store.dissociate(link.message, link.record, how);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn associate_labelled(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, from_id, to_type, to_id)): PathParams<Ends>,
    Body(body): Body,
) -> Answer {
    let specs = json_body(&body)?;
    let Some(specs) = specs.as_array() else {
        return Err(ApiError::validation(
            "The body is an array of {associationCategory, associationTypeId}",
        ));
    };
    let mut store = lock(&shared.store);
    let link = Link::find(&store, &from_type, &from_id, &to_type, &to_id)?;
    let types = specs
        .iter()
        .map(|spec| from_spec(spec, link.record.kind))
        .collect::<Result<Vec<_>, _>>()?;
    for how in types {
        store.associate(link.message, link.record, how);
    }
    let labels: Vec<String> = store
        .associations_of(link.message, link.record.kind)
        .into_iter()
        .filter(|associated| associated.record == link.record.id)
        .flat_map(|associated| associated.types)
        .filter_map(AssociationType::label)
        .collect();
    let body = json!({
        "fromObjectTypeId": "0-18", "fromObjectId": link.message.to_string(),
        "toObjectTypeId": link.record.kind.type_id(), "toObjectId": link.record.id.to_string(),
        "labels": labels
    });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

async fn associate_default(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, from_id, to_type, to_id)): PathParams<Ends>,
) -> Answer {
    let mut store = lock(&shared.store);
    let link = Link::find(&store, &from_type, &from_id, &to_type, &to_id)?;
    let how = AssociationType::HubSpot(link.record.kind);
    store.associate(link.message, link.record, how);
    let now = timestamp(chrono::Utc::now());
    let body = json!({
        "status": "COMPLETE", "startedAt": now, "completedAt": now,
        "results": [{
            "from": {"id": link.message.to_string()}, "to": {"id": link.record.id.to_string()},
            "associationSpec": {"associationCategory": how.category(), "associationTypeId": how.id()}
        }]
    });
    Ok(axum::Json(body).into_response())
}

async fn list(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, from_id, to_type)): PathParams<(String, String, String)>,
    uri: Uri,
) -> Answer {
    let query = Query::parse(&uri);
    let limit = query.limit(500, 500)?;
    let page = Offset::new(after_in_query(&query)?, limit);
    let store = lock(&shared.store);
    if !is_communications(&from_type) {
        return Err(ApiError::not_found(format!(
            "This fake stores associations from communications, not {from_type}"
        )));
    }
    let message = parse_id(&from_id)?;
    let kind = parse_kind(&to_type)?;
    let all = store.associations_of(message, kind);
    let results: Vec<Value> = all
        .iter()
        .skip(page.skip)
        .take(limit)
        .map(|associated| {
            let types: Vec<Value> = associated
                .types
                .iter()
                .map(|how| {
                    json!({"category": how.category(), "typeId": how.id(), "label": how.label()})
                })
                .collect();
            json!({"toObjectId": associated.record.to_string(), "associationTypes": types})
        })
        .collect();
    let mut body = json!({"results": results});
    if let Some(paging) = page.paging(all.len()) {
        body["paging"] = paging;
    }
    Ok(axum::Json(body).into_response())
}

async fn remove_all(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, from_id, to_type, to_id)): PathParams<Ends>,
) -> Answer {
    let mut store = lock(&shared.store);
    let link = Link::find(&store, &from_type, &from_id, &to_type, &to_id)?;
    store.dissociate_all(link.message, link.record);
    Ok(StatusCode::NO_CONTENT.into_response())
}
