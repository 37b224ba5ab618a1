//! Associations of a message: the guide's v3 form and the v4 endpoints.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::communications::{association_type, associations_json};
use super::{MESSAGE_DEFAULTS, Query, json_body, parse_id, parse_kind};
use crate::error::ApiError;
use crate::server::{Shared, lock};
use crate::store::{ObjectKind, Store, timestamp};

type Answer = Result<Response, ApiError>;

/// The message and record of a path; both must exist.
fn pair(
    store: &Store,
    from_type: &str,
    from: &str,
    to_type: &str,
    to: &str,
) -> Result<(u64, ObjectKind, u64), ApiError> {
    if !matches!(from_type, "communications" | "communication" | "0-18") {
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
    let record = parse_id(to)?;
    if !store.records.contains_key(&(kind, record)) {
        return Err(ApiError::not_found(format!(
            "No {} with id {to}",
            kind.singular()
        )));
    }
    Ok((message, kind, record))
}

/// A v3 association type in a path: numeric, or a default type's snake-case name.
fn v3_type(type_id: &str, kind: ObjectKind) -> Result<(String, i32), ApiError> {
    let id = match type_id.parse::<i32>() {
        Ok(id) => id,
        Err(_) if type_id == format!("communication_to_{}", kind.singular()) => {
            kind.default_type_id()
        }
        Err(_) => {
            return Err(ApiError::validation(format!(
                "Unknown association type {type_id}"
            )));
        }
    };
    let category = if ObjectKind::of_default_type(id).is_some() {
        "HUBSPOT_DEFINED"
    } else {
        "USER_DEFINED"
    };
    association_type(
        &json!({"associationCategory": category, "associationTypeId": id}),
        kind,
    )
}

pub(crate) async fn associate_v3(
    State(shared): State<Arc<Shared>>,
    Path((id, to_type, to_id, type_id)): Path<(String, String, String, String)>,
) -> Answer {
    let mut store = lock(&shared.store);
    let (message, kind, record) = pair(&store, "communications", &id, &to_type, &to_id)?;
    let association = v3_type(&type_id, kind)?;
    store.associate(message, kind, record, association);
    let mut body = store.communications[&message].to_json(&[], &[], &MESSAGE_DEFAULTS);
    body["associations"] = associations_json(&store, message, &[kind]);
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn remove_v3(
    State(shared): State<Arc<Shared>>,
    Path((id, to_type, to_id, type_id)): Path<(String, String, String, String)>,
) -> Answer {
    let mut store = lock(&shared.store);
    let (message, kind, record) = pair(&store, "communications", &id, &to_type, &to_id)?;
    let association = v3_type(&type_id, kind)?;
    if let Some(types) = store
        .associations
        .get_mut(&message)
        .and_then(|r| r.get_mut(&(kind, record)))
    {
        types.remove(&association);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn associate_labelled(
    State(shared): State<Arc<Shared>>,
    Path((from_type, from_id, to_type, to_id)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Answer {
    let specs = json_body(&body)?;
    let Some(specs) = specs.as_array() else {
        return Err(ApiError::validation(
            "The body is an array of {associationCategory, associationTypeId}",
        ));
    };
    let mut store = lock(&shared.store);
    let (message, kind, record) = pair(&store, &from_type, &from_id, &to_type, &to_id)?;
    let types = specs
        .iter()
        .map(|spec| association_type(spec, kind))
        .collect::<Result<Vec<_>, _>>()?;
    for association in types {
        store.associate(message, kind, record, association);
    }
    let labels: Vec<String> = store
        .associations_of(message, kind)
        .into_iter()
        .filter(|(r, _)| *r == record)
        .flat_map(|(_, types)| types)
        .filter(|(category, _)| category != "HUBSPOT_DEFINED")
        .map(|(_, id)| format!("Label {id}"))
        .collect();
    let body = json!({
        "fromObjectTypeId": "0-18", "fromObjectId": message.to_string(),
        "toObjectTypeId": kind.type_id(), "toObjectId": record.to_string(), "labels": labels
    });
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

pub(crate) async fn associate_default(
    State(shared): State<Arc<Shared>>,
    Path((from_type, from_id, to_type, to_id)): Path<(String, String, String, String)>,
) -> Answer {
    let mut store = lock(&shared.store);
    let (message, kind, record) = pair(&store, &from_type, &from_id, &to_type, &to_id)?;
    store.associate(
        message,
        kind,
        record,
        ("HUBSPOT_DEFINED".into(), kind.default_type_id()),
    );
    let now = timestamp(chrono::Utc::now());
    let body = json!({
        "status": "COMPLETE", "startedAt": now, "completedAt": now,
        "results": [{
            "from": {"id": message.to_string()}, "to": {"id": record.to_string()},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": kind.default_type_id()}
        }]
    });
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path((from_type, from_id, to_type)): Path<(String, String, String)>,
    uri: Uri,
) -> Answer {
    let query = Query::parse(&uri);
    let limit = query.limit(500, 500)?;
    let after: usize = query.one("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let store = lock(&shared.store);
    if !matches!(
        from_type.as_str(),
        "communications" | "communication" | "0-18"
    ) {
        return Err(ApiError::not_found(format!(
            "This fake stores associations from communications, not {from_type}"
        )));
    }
    let message = parse_id(&from_id)?;
    let kind = parse_kind(&to_type)?;
    let all = store.associations_of(message, kind);
    let results: Vec<Value> = all
        .iter()
        .skip(after)
        .take(limit)
        .map(|(record, types)| {
            let types: Vec<Value> = types
                .iter()
                .map(|(category, id)| {
                    let label = (category != "HUBSPOT_DEFINED").then(|| format!("Label {id}"));
                    json!({"category": category, "typeId": id, "label": label})
                })
                .collect();
            json!({"toObjectId": record.to_string(), "associationTypes": types})
        })
        .collect();
    let mut body = json!({"results": results});
    if after + limit < all.len() {
        body["paging"] = json!({"next": {"after": (after + limit).to_string()}});
    }
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn remove_all(
    State(shared): State<Arc<Shared>>,
    Path((from_type, from_id, to_type, to_id)): Path<(String, String, String, String)>,
) -> Answer {
    let mut store = lock(&shared.store);
    let (message, kind, record) = pair(&store, &from_type, &from_id, &to_type, &to_id)?;
    if let Some(records) = store.associations.get_mut(&message) {
        records.remove(&(kind, record));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
