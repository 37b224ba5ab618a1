//! Associations between messages and records, from either end: the guide's v3 form and the
//! v4 endpoints. HubSpot stores an association once and shows it from both sides.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};

use super::association_spec::{from_spec, from_v3_path};
use super::extract::{Body, Call};
use super::input::{is_communications, json_value, parse_id, parse_kind};
use super::message::{MESSAGE_DEFAULTS, associations_json};
use super::paging::{Offset, after_in_query};
use crate::association::{Associated, AssociationType};
use crate::error::ApiError;
use crate::label::{Labels, Side};
use crate::lock::lock;
use crate::object::timestamp;
use crate::object_type::{ObjectType, RecordId};
use crate::property::PropertyOwner;
use crate::state::Shared;
use crate::store::Store;

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

/// The two ends of an association path, whichever end it starts from: a live message and an
/// existing record.
pub(super) struct Link {
    pub(super) message: u64,
    pub(super) record: RecordId,
    pub(super) side: Side,
}

/// Which end a path's types start from, and the kind of record at the other end. HubSpot
/// keeps associations between any two types; the fake keeps those between messages and
/// records.
pub(super) fn ends(from_type: &str, to_type: &str) -> Result<(Side, ObjectType), ApiError> {
    if is_communications(from_type) {
        Ok((Side::FromMessage, parse_kind(to_type)?))
    } else if is_communications(to_type) {
        Ok((Side::FromRecord, parse_kind(from_type)?))
    } else {
        Err(ApiError::not_found(format!(
            "This fake stores associations between communications and records, not between {from_type} and {to_type}"
        )))
    }
}

impl Link {
    pub(super) fn find(
        store: &Store,
        from_type: &str,
        from: &str,
        to_type: &str,
        to: &str,
    ) -> Result<Self, ApiError> {
        let (side, kind) = ends(from_type, to_type)?;
        let (message, record) = match side {
            Side::FromMessage => (from, to),
            Side::FromRecord => (to, from),
        };
        let id = parse_id(message)?;
        if store.live(id).is_none() {
            return Err(ApiError::not_found(format!(
                "No communication with id {message}"
            )));
        }
        let found = RecordId {
            kind,
            id: parse_id(record)?,
        };
        // An archived (deleted) record is as absent as an archived message: HubSpot's API
        // reads neither, and associates with neither.
        if store
            .live_object(PropertyOwner::Record(kind), found.id)
            .is_none()
        {
            return Err(ApiError::not_found(format!(
                "No {} with id {record}",
                kind.singular()
            )));
        }
        Ok(Self {
            message: id,
            record: found,
            side,
        })
    }

    /// The path's from and to object type ids and ids.
    pub(super) fn pair(&self) -> (&'static str, String, &'static str, String) {
        let message = ("0-18", self.message.to_string());
        let record = (self.record.kind.type_id(), self.record.id.to_string());
        let ((from_type, from), (to_type, to)) = match self.side {
            Side::FromMessage => (message, record),
            Side::FromRecord => (record, message),
        };
        (from_type, from, to_type, to)
    }

    /// `LabelsBetweenObjectPair`: the pair and the labels between them.
    pub(super) fn labels_json(&self, store: &Store, labels: &Labels) -> Value {
        let names: Vec<String> = store
            .associations_of(self.message, self.record.kind)
            .into_iter()
            .filter(|associated| associated.id == self.record.id)
            .flat_map(|associated| associated.types)
            .filter_map(|how| labels.label(self.record.kind, how))
            .collect();
        let (from_type, from, to_type, to) = self.pair();
        json!({
            "fromObjectTypeId": from_type, "fromObjectId": from,
            "toObjectTypeId": to_type, "toObjectId": to, "labels": names
        })
    }
}

/// `AssociationSpecWithLabel`s of stored types, seen from `side`.
pub(super) fn types_json(
    labels: &Labels,
    kind: ObjectType,
    types: &[AssociationType],
    side: Side,
) -> Vec<Value> {
    types
        .iter()
        .map(|how| {
            let mut spec =
                json!({"category": how.category(), "typeId": labels.type_id(kind, *how, side)});
            if let Some(label) = labels.label(kind, *how) {
                spec["label"] = json!(label);
            }
            spec
        })
        .collect()
}

/// What one object is associated with, across the path's types, seen from its side.
pub(super) fn associated(store: &Store, side: Side, kind: ObjectType, id: u64) -> Vec<Associated> {
    match side {
        Side::FromMessage => store.associations_of(id, kind),
        Side::FromRecord => store.messages_of(RecordId { kind, id }),
    }
}

/// The ends and the association type of a v3 path (from a message).
fn v3_link(
    store: &Store,
    labels: &Labels,
    (id, to_type, to_id, type_id): &Ends,
) -> Result<(Link, AssociationType), ApiError> {
    let link = Link::find(store, "communications", id, to_type, to_id)?;
    let how = from_v3_path(labels, type_id, link.record.kind)?;
    Ok((link, how))
}

/// The ends of a v4 path.
fn v4_link(store: &Store, (from_type, from_id, to_type, to_id): &Ends) -> Result<Link, ApiError> {
    Link::find(store, from_type, from_id, to_type, to_id)
}

async fn associate_v3(Call(shared, ends, _): Call<Ends>) -> Answer {
    let mut store = lock(&shared.store);
    let (link, how) = v3_link(&store, &shared.labels, &ends)?;
    store.associate(link.message, link.record, how);
    let mut body = store
        .live(link.message)
        .map(|message| message.to_json(&[], &[], &MESSAGE_DEFAULTS))
        .unwrap_or_default();
    body["associations"] = associations_json(&store, link.message, &[link.record.kind]);
    Ok(axum::Json(body).into_response())
}

async fn remove_v3(Call(shared, ends, _): Call<Ends>) -> Answer {
    let mut store = lock(&shared.store);
    let (link, how) = v3_link(&store, &shared.labels, &ends)?;
    store.dissociate(link.message, link.record, how);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn associate_labelled(Call(shared, ends, _): Call<Ends>, Body(body): Body) -> Answer {
    let specs = json_value(&body)?;
    let Some(specs) = specs.as_array() else {
        return Err(ApiError::validation(
            "The body is an array of {associationCategory, associationTypeId}",
        ));
    };
    let mut store = lock(&shared.store);
    let link = v4_link(&store, &ends)?;
    let types = specs
        .iter()
        .map(|spec| from_spec(&shared.labels, spec, link.record.kind, link.side))
        .collect::<Result<Vec<_>, _>>()?;
    for how in types {
        store.associate(link.message, link.record, how);
    }
    let body = link.labels_json(&store, &shared.labels);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

async fn associate_default(Call(shared, ends, _): Call<Ends>) -> Answer {
    let mut store = lock(&shared.store);
    let link = v4_link(&store, &ends)?;
    let how = AssociationType::HubSpot(link.record.kind);
    store.associate(link.message, link.record, how);
    let now = timestamp(chrono::Utc::now());
    let (_, from, _, to) = link.pair();
    let type_id = shared.labels.type_id(link.record.kind, how, link.side);
    let body = json!({
        "status": "COMPLETE", "startedAt": now, "completedAt": now,
        "results": [{
            "from": {"id": from}, "to": {"id": to},
            "associationSpec": {"associationCategory": how.category(), "associationTypeId": type_id}
        }]
    });
    Ok(axum::Json(body).into_response())
}

async fn list(
    Call(shared, (from_type, from_id, to_type), query): Call<(String, String, String)>,
) -> Answer {
    let limit = query.limit(500, 500)?;
    let page = Offset::new(after_in_query(&query)?, limit);
    let (side, kind) = ends(&from_type, &to_type)?;
    let id = parse_id(&from_id)?;
    let store = lock(&shared.store);
    let all = associated(&store, side, kind, id);
    let results: Vec<Value> = all
        .iter()
        .skip(page.skip)
        .take(limit)
        .map(|associated| {
            let types = types_json(&shared.labels, kind, &associated.types, side);
            json!({"toObjectId": associated.id.to_string(), "associationTypes": types})
        })
        .collect();
    let mut body = json!({"results": results});
    if let Some(paging) = page.paging(all.len()) {
        body["paging"] = paging;
    }
    Ok(axum::Json(body).into_response())
}

async fn remove_all(Call(shared, ends, _): Call<Ends>) -> Answer {
    let mut store = lock(&shared.store);
    let link = v4_link(&store, &ends)?;
    store.dissociate_all(link.message, link.record);
    Ok(StatusCode::NO_CONTENT.into_response())
}
