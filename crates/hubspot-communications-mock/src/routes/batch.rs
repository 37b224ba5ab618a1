//! The batch endpoints: at most 100 inputs; 207 with per-item errors when some fail.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Value, json};

use super::association_spec::requested;
use super::extract::Body;
use super::input::{json_body, properties};
use super::message::{MESSAGE_DEFAULTS, check_id_property, resolve_id};
use super::query::Query;
use super::validate::{conflict_item, message_update, new_message};
use crate::error::{ApiError, item_error};
use crate::lock::lock;
use crate::object::timestamp;
use crate::property::PropertyOwner;
use crate::schema::Schema;
use crate::state::Shared;

type Answer = Result<Response, ApiError>;
const OWNER: PropertyOwner = PropertyOwner::Communication;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BATCH: &str = "/crm/v3/objects/communications/batch";
    Router::new()
        .route(&format!("{BATCH}/read"), post(read))
        .route(&format!("{BATCH}/create"), post(create))
        .route(&format!("{BATCH}/update"), post(update))
        .route(&format!("{BATCH}/upsert"), post(upsert))
        .route(&format!("{BATCH}/archive"), post(archive))
}

/// A batch body and its inputs.
pub(super) struct Batch {
    pub(super) body: Value,
    pub(super) inputs: Vec<Value>,
}

/// The `inputs` of a batch body, at most 100.
pub(super) fn inputs(body: &Bytes) -> Result<Batch, ApiError> {
    let body = json_body(body)?;
    let Some(inputs) = body.get("inputs").and_then(Value::as_array).cloned() else {
        return Err(ApiError::validation("inputs is required").detail(
            "inputs",
            "REQUIRED",
            "inputs is required",
        ));
    };
    if inputs.len() > 100 {
        return Err(ApiError::validation(format!(
            "Batch input limit is 100, but {} were given",
            inputs.len()
        ))
        .detail("inputs", "TOO_MANY", "at most 100 inputs"));
    }
    Ok(Batch { body, inputs })
}

/// 200/201, or 207 when some inputs failed.
pub(super) fn answer(success: StatusCode, results: Vec<Value>, errors: Vec<Value>) -> Response {
    let now = timestamp(Utc::now());
    let mut body =
        json!({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now});
    let status = if errors.is_empty() {
        success
    } else {
        body["numErrors"] = json!(errors.len());
        body["errors"] = json!(errors);
        StatusCode::MULTI_STATUS
    };
    (status, axum::Json(body)).into_response()
}

pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Refuses what HubSpot refuses of inputs named by id or by a unique property (update,
/// upsert): an `idProperty` that is not unique, an id given twice.
fn check_keyed_inputs(schema: &Schema, inputs: &[Value]) -> Result<(), ApiError> {
    for input in inputs {
        check_id_property(schema, input.get("idProperty").and_then(Value::as_str))?;
    }
    no_duplicates(ids(inputs).iter().map(String::as_str))
}

/// HubSpot refuses a batch that names one object twice, naming the repeated ids.
pub(super) fn no_duplicates<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), ApiError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut repeated = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            repeated.insert(id);
        }
    }
    if repeated.is_empty() {
        return Ok(());
    }
    let repeated: Vec<&str> = repeated.into_iter().collect();
    Err(ApiError::validation(format!(
        "Duplicate IDs found in batch input: [{}]. IDs must be unique",
        repeated.join(", ")
    ))
    .detail(
        "inputs",
        "DUPLICATE_IDS",
        format!("repeated: {}", repeated.join(", ")),
    ))
}

/// The `id` of every input, as text.
pub(super) fn ids(inputs: &[Value]) -> Vec<String> {
    inputs
        .iter()
        .map(|input| text(input.get("id")).unwrap_or_default())
        .collect()
}

pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| text(Some(v)))
        .collect()
}

async fn read(State(shared): State<Arc<Shared>>, uri: Uri, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let archived = Query::parse(&uri).flag("archived")?;
    let Batch { body, inputs } = inputs(&body)?;
    let owner = PropertyOwner::Communication;
    let properties = schema.known(owner, &strings(body.get("properties")));
    let history = schema.known(owner, &strings(body.get("propertiesWithHistory")));
    let id_property = body.get("idProperty").and_then(Value::as_str);
    check_id_property(&schema, id_property)?;
    let ids = ids(&inputs);
    no_duplicates(ids.iter().map(String::as_str))?;
    let mut store = lock(&shared.store);
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for id in ids {
        match resolve_id(&mut store, &schema, &id, id_property)
            .ok()
            .and_then(|n| store.communications.get(&n))
        {
            Some(message) if message.archived_at.is_some() == archived => {
                results.push(message.to_json(&properties, &history, &MESSAGE_DEFAULTS));
            }
            _ => missing.push(id),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![item_error(
            "OBJECT_NOT_FOUND",
            "Could not get some COMMUNICATION objects, they may be deleted or not exist. Check that ids are valid.",
            json!({"ids": missing}),
        )]
    };
    Ok(answer(StatusCode::OK, results, errors))
}

async fn create(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let Batch { inputs, .. } = inputs(&body)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &inputs {
        let trace = text(input.get("objectWriteTraceId"));
        let context = || {
            trace
                .as_ref()
                .map_or(json!({}), |t| json!({"objectWriteTraceId": [t]}))
        };
        let properties = match properties(input) {
            Ok(properties) => properties,
            Err(_) => {
                errors.push(item_error(
                    "VALIDATION_ERROR",
                    "properties is required",
                    context(),
                ));
                continue;
            }
        };
        let properties = match new_message(&schema, properties) {
            Ok(properties) => properties,
            Err(invalid) => {
                errors.push(invalid.item(context()));
                continue;
            }
        };
        let checked = requested(&store, &shared.labels, input).map(|a| (properties, a));
        if let Ok((properties, _)) = &checked
            && let Some(taken) = store.taken(&schema, OWNER, properties, None)
        {
            errors.push(conflict_item(OWNER, &taken, context()));
            continue;
        }
        match checked {
            Ok((properties, associations)) => {
                let id = store.create_communication(properties);
                for association in associations {
                    store.associate(id, association.record, association.how);
                }
                let Some(message) = store.live(id) else {
                    continue;
                };
                let mut created = message.to_json(&[], &[], &MESSAGE_DEFAULTS);
                if let Some(trace) = &trace {
                    created["objectWriteTraceId"] = json!(trace);
                }
                results.push(created);
            }
            Err(refusal) => {
                errors.push(item_error("VALIDATION_ERROR", refusal.message(), context()))
            }
        }
    }
    Ok(answer(StatusCode::CREATED, results, errors))
}

async fn update(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let Batch { inputs, .. } = inputs(&body)?;
    check_keyed_inputs(&schema, &inputs)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for input in &inputs {
        let id = text(input.get("id")).unwrap_or_default();
        let id_property = input.get("idProperty").and_then(Value::as_str);
        let properties = match properties(input) {
            Ok(properties) => properties,
            Err(_) => {
                errors.push(item_error(
                    "VALIDATION_ERROR",
                    "properties is required",
                    json!({"ids": [id]}),
                ));
                continue;
            }
        };
        let properties = match message_update(&schema, properties) {
            Ok(properties) => properties,
            Err(invalid) => {
                errors.push(invalid.item(json!({"ids": [id]})));
                continue;
            }
        };
        let found = resolve_id(&mut store, &schema, &id, id_property)
            .ok()
            .filter(|n| store.live(*n).is_some());
        let taken = found.and_then(|n| store.taken(&schema, OWNER, &properties, Some(n)));
        if let Some(taken) = taken {
            errors.push(conflict_item(OWNER, &taken, json!({"ids": [id]})));
            continue;
        }
        match found.and_then(|n| store.update_communication(n, properties.clone())) {
            Some(message) => results.push(message.to_json(&[], &[], &MESSAGE_DEFAULTS)),
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        errors.push(item_error(
            "OBJECT_NOT_FOUND",
            "Could not find some COMMUNICATION objects",
            json!({"ids": missing}),
        ));
    }
    Ok(answer(StatusCode::OK, results, errors))
}

async fn upsert(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let Batch { inputs, .. } = inputs(&body)?;
    check_keyed_inputs(&schema, &inputs)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &inputs {
        let key = text(input.get("id")).unwrap_or_default();
        let id_property = input
            .get("idProperty")
            .and_then(Value::as_str)
            .unwrap_or("hs_object_id");
        let Ok(mut properties) = properties(input) else {
            errors.push(item_error(
                "VALIDATION_ERROR",
                "properties is required",
                json!({"ids": [key]}),
            ));
            continue;
        };
        let existing = resolve_id(&mut store, &schema, &key, Some(id_property))
            .ok()
            .filter(|id| store.live(*id).is_some());
        // The object holding the key is the one written, never a conflict; another unique
        // property's value held elsewhere is.
        let mut conflict = None;
        let outcome = match existing {
            Some(id) => message_update(&schema, properties).map(|properties| {
                conflict = store.taken(&schema, OWNER, &properties, Some(id));
                if conflict.is_none() {
                    store.update_communication(id, properties);
                }
                (id, false)
            }),
            None if id_property == "hs_object_id" => {
                errors.push(item_error(
                    "OBJECT_NOT_FOUND",
                    "upsert by hs_object_id needs an existing id",
                    json!({"ids": [key]}),
                ));
                continue;
            }
            None => {
                properties.insert(id_property.to_owned(), key.clone());
                new_message(&schema, properties).map(|p| {
                    conflict = store.taken(&schema, OWNER, &p, None);
                    match conflict {
                        None => (store.create_communication(p), true),
                        // Answered as a conflict below; no id is read.
                        Some(_) => (0, true),
                    }
                })
            }
        };
        if let Some(taken) = conflict {
            errors.push(conflict_item(OWNER, &taken, json!({"ids": [key]})));
            continue;
        }
        match outcome {
            Ok((id, new)) => {
                let Some(message) = store.live(id) else {
                    continue;
                };
                let stored = message.properties.get(id_property).cloned();
                let mut message = message.to_json(&[], &[], &MESSAGE_DEFAULTS);
                message["properties"][id_property] = json!(stored.unwrap_or(key));
                message["new"] = json!(new);
                results.push(message);
            }
            Err(invalid) => errors.push(invalid.item(json!({"ids": [key]}))),
        }
    }
    Ok(answer(StatusCode::OK, results, errors))
}

async fn archive(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let Batch { inputs, .. } = inputs(&body)?;
    no_duplicates(ids(&inputs).iter().map(String::as_str))?;
    let mut store = lock(&shared.store);
    let now = Utc::now();
    for input in &inputs {
        let id = text(input.get("id")).and_then(|id| id.parse::<u64>().ok());
        if let Some(id) = id {
            store.archive_communication(id, now);
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
