//! Single messages: list, create, read, update, archive.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::{
    MESSAGE_DEFAULTS, Query, check_channel, check_new_message, json_body, parse_id, properties,
};
use crate::error::ApiError;
use crate::server::{Shared, lock};
use crate::store::{AssociationType, ObjectKind, Store};

type Answer = Result<Response, ApiError>;

pub(crate) async fn list(State(shared): State<Arc<Shared>>, uri: Uri) -> Answer {
    let query = Query::parse(&uri);
    let limit = query.limit(10, 100)?;
    let archived = query.flag("archived")?;
    let after: u64 = match query.one("after") {
        None => 0,
        Some(after) => after
            .parse()
            .map_err(|_| ApiError::validation(format!("Invalid after cursor {after}")))?,
    };
    let store = lock(&shared.store);
    let mut page = store
        .communications
        .range(after..)
        .filter(|(_, message)| message.archived_at.is_some() == archived)
        .take(limit + 1);
    let results: Vec<Value> = page
        .by_ref()
        .take(limit)
        .map(|(id, _)| message_json(&store, *id, &query))
        .collect();
    let mut body = json!({"results": results});
    if let Some((next, _)) = page.next() {
        body["paging"] =
            json!({"next": {"after": next.to_string(), "link": format!("?after={next}")}});
    }
    Ok(axum::Json(body).into_response())
}

pub(crate) async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let input = json_body(&body)?;
    let properties = check_new_message(properties(&input)?)?;
    let mut store = lock(&shared.store);
    let associations = parse_associations(&store, &input)?;
    let id = store.create_communication(properties);
    for (kind, record, association) in associations {
        store.associate(id, kind, record, association);
    }
    let created = store.communications[&id].to_json(&[], &[], &MESSAGE_DEFAULTS);
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Answer {
    let query = Query::parse(&uri);
    let archived = query.flag("archived")?;
    let mut store = lock(&shared.store);
    let id = resolve_id(&mut store, &id, query.one("idProperty"))?;
    match store.communications.get(&id) {
        Some(message) if message.archived_at.is_some() == archived => {
            Ok(axum::Json(message_json(&store, id, &query)).into_response())
        }
        _ => Err(ApiError::not_found(format!(
            "No communication with id {id}"
        ))),
    }
}

pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Answer {
    let query = Query::parse(&uri);
    let input = json_body(&body)?;
    let mut properties = properties(&input)?;
    check_channel(&mut properties, false)?;
    if properties
        .get("hs_communication_logged_from")
        .is_some_and(|v| v != "CRM")
    {
        return Err(ApiError::validation(
            "hs_communication_logged_from must be CRM",
        ));
    }
    let mut store = lock(&shared.store);
    let id = resolve_id(&mut store, &id, query.one("idProperty"))?;
    let message = store
        .update_communication(id, properties)
        .ok_or_else(|| ApiError::not_found(format!("No communication with id {id}")))?;
    Ok(axum::Json(message.to_json(&[], &[], &MESSAGE_DEFAULTS)).into_response())
}

pub(crate) async fn archive(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let mut store = lock(&shared.store);
    // Archiving what is already gone answers 204, as HubSpot does.
    if let Some(message) = parse_id(&id).ok().and_then(|id| store.live_mut(id)) {
        message.archived_at = Some(chrono::Utc::now());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A message with the properties, history and associations a query asks for.
pub(crate) fn message_json(store: &Store, id: u64, query: &Query) -> Value {
    let message = &store.communications[&id];
    let mut body = message.to_json(
        &query.list("properties"),
        &query.list("propertiesWithHistory"),
        &MESSAGE_DEFAULTS,
    );
    let asked: Vec<ObjectKind> = query
        .list("associations")
        .iter()
        .filter_map(|n| ObjectKind::parse(n))
        .collect();
    if !asked.is_empty() {
        body["associations"] = associations_json(store, id, &asked);
    }
    body
}

/// `{contacts: {results: [{id, type}]}}` for the asked kinds that have associations.
pub(crate) fn associations_json(store: &Store, id: u64, kinds: &[ObjectKind]) -> Value {
    let mut map = Map::new();
    for kind in kinds {
        let results: Vec<Value> = store
            .associations_of(id, *kind)
            .into_iter()
            .flat_map(|(record, types)| {
                types.into_iter().map(move |(category, type_id)| {
                    let name = if category == "HUBSPOT_DEFINED" && type_id == kind.default_type_id()
                    {
                        format!("communication_to_{}", kind.singular())
                    } else {
                        type_id.to_string()
                    };
                    json!({"id": record.to_string(), "type": name})
                })
            })
            .collect();
        if !results.is_empty() {
            map.insert(kind.plural().to_owned(), json!({"results": results}));
        }
    }
    Value::Object(map)
}

/// The `associations` of a create input: each record must exist, each type must fit it.
pub(crate) fn parse_associations(
    store: &Store,
    input: &Value,
) -> Result<Vec<(ObjectKind, u64, AssociationType)>, ApiError> {
    let mut out = Vec::new();
    for association in input
        .get("associations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let to = association.pointer("/to/id").map(|id| match id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let Some(record) = to.as_deref().and_then(|id| id.parse::<u64>().ok()) else {
            return Err(ApiError::validation(
                "associations[].to.id must be a record id",
            ));
        };
        let Some(kind) = ObjectKind::ALL
            .into_iter()
            .find(|k| store.records.contains_key(&(*k, record)))
        else {
            return Err(ApiError::validation(format!(
                "No record with id {record} to associate with"
            )));
        };
        for spec in association
            .get("types")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push((kind, record, association_type(spec, kind)?));
        }
    }
    Ok(out)
}

/// `{associationCategory, associationTypeId}`, checked against the record's kind.
pub(crate) fn association_type(spec: &Value, kind: ObjectKind) -> Result<(String, i32), ApiError> {
    let category = spec
        .get("associationCategory")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let type_id = spec
        .get("associationTypeId")
        .and_then(Value::as_i64)
        .unwrap_or_default() as i32;
    match category {
        "HUBSPOT_DEFINED" if ObjectKind::of_default_type(type_id) == Some(kind) => {
            Ok((category.into(), type_id))
        }
        "HUBSPOT_DEFINED" => Err(ApiError::validation(format!(
            "{type_id} is not a valid association type from a communication to a {}",
            kind.singular()
        ))),
        "USER_DEFINED" | "INTEGRATOR_DEFINED" if type_id > 0 => Ok((category.into(), type_id)),
        _ => Err(ApiError::validation(format!(
            "Invalid association category {category:?}"
        ))),
    }
}

/// A path id, or the message whose `id_property` has that value.
pub(crate) fn resolve_id(
    store: &mut Store,
    id: &str,
    id_property: Option<&str>,
) -> Result<u64, ApiError> {
    match id_property.filter(|p| *p != "hs_object_id") {
        None => parse_id(id),
        Some(property) => store
            .find_by(property, id)
            .ok_or_else(|| ApiError::not_found(format!("No communication with {property} = {id}"))),
    }
}
