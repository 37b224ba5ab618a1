//! v4's association batches (`/crm/v4/associations/{from}/{to}/batch/{read,create,archive}`),
//! from either end, with per-item errors in a 207 as HubSpot answers them.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use serde_json::{Value, json};

use super::association_spec::from_spec;
use super::associations::{Link, associated, ends, types_json};
use super::extract::{Body, PathParams};
use super::input::{json_body, parse_id};
use crate::error::{ApiError, item_error};
use crate::lock::lock;
use crate::object::timestamp;
use crate::state::Shared;

type Answer = Result<Response, ApiError>;

/// The most inputs one association batch takes.
const MAX_INPUTS: usize = 1_000;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BATCH: &str = "/crm/v4/associations/{from_type}/{to_type}/batch";
    Router::new()
        .route(&format!("{BATCH}/read"), post(read))
        .route(&format!("{BATCH}/create"), post(create))
        .route(&format!("{BATCH}/archive"), post(archive))
}

/// The `inputs` of a batch body.
fn inputs(body: &bytes::Bytes) -> Result<Vec<Value>, ApiError> {
    let body = json_body(body)?;
    let Some(inputs) = body.get("inputs").and_then(Value::as_array) else {
        return Err(ApiError::validation("inputs is required").detail(
            "inputs",
            "REQUIRED",
            "inputs is required",
        ));
    };
    if inputs.len() > MAX_INPUTS {
        return Err(ApiError::validation(format!(
            "Batch input limit is {MAX_INPUTS}, but {} were given",
            inputs.len()
        )));
    }
    Ok(inputs.clone())
}

/// An id member (`{"id": "12"}`) as text.
fn id_of(value: Option<&Value>) -> String {
    match value.and_then(|v| v.get("id")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `success`, or 207 with `errors` and `numErrors` when some inputs failed.
fn answer(success: StatusCode, results: Vec<Value>, errors: Vec<Value>) -> Response {
    let now = timestamp(Utc::now());
    let mut body =
        json!({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now});
    if errors.is_empty() {
        return (success, axum::Json(body)).into_response();
    }
    body["numErrors"] = json!(errors.len());
    body["errors"] = json!(errors);
    (StatusCode::MULTI_STATUS, axum::Json(body)).into_response()
}

async fn read(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, to_type)): PathParams<(String, String)>,
    Body(body): Body,
) -> Answer {
    let (side, kind) = ends(&from_type, &to_type)?;
    let inputs = inputs(&body)?;
    let store = lock(&shared.store);
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &inputs {
        let id = id_of(Some(input));
        let found = parse_id(&id)
            .map(|n| associated(&store, side, kind, n))
            .unwrap_or_default();
        if found.is_empty() {
            errors.push(item_error(
                "VALIDATION_ERROR",
                format!("No {to_type} is associated with {from_type} {id}."),
                json!({"fromObjectId": [id]}),
            ));
            continue;
        }
        let to: Vec<Value> = found
            .iter()
            .map(|a| {
                json!({"toObjectId": a.id.to_string(), "associationTypes": types_json(&shared.labels, kind, &a.types, side)})
            })
            .collect();
        results.push(json!({"from": {"id": id}, "to": to}));
    }
    Ok(answer(StatusCode::OK, results, errors))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, to_type)): PathParams<(String, String)>,
    Body(body): Body,
) -> Answer {
    ends(&from_type, &to_type)?;
    let inputs = inputs(&body)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &inputs {
        let (from, to) = (id_of(input.get("from")), id_of(input.get("to")));
        let checked = Link::find(&store, &from_type, &from, &to_type, &to).and_then(|link| {
            let types = input
                .get("types")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|spec| from_spec(&shared.labels, spec, link.record.kind, link.side))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((link, types))
        });
        match checked {
            Ok((link, types)) => {
                for how in types {
                    store.associate(link.message, link.record, how);
                }
                results.push(link.labels_json(&store, &shared.labels));
            }
            Err(refusal) => errors.push(item_error(
                "VALIDATION_ERROR",
                refusal.message(),
                json!({"fromObjectId": [from], "toObjectId": [to]}),
            )),
        }
    }
    Ok(answer(StatusCode::CREATED, results, errors))
}

/// Removes every association between each `from` and its `to`s; what is not there is skipped.
async fn archive(
    State(shared): State<Arc<Shared>>,
    PathParams((from_type, to_type)): PathParams<(String, String)>,
    Body(body): Body,
) -> Answer {
    ends(&from_type, &to_type)?;
    let inputs = inputs(&body)?;
    let mut store = lock(&shared.store);
    for input in &inputs {
        let from = id_of(input.get("from"));
        for to in input
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let to = id_of(Some(to));
            if let Ok(link) = Link::find(&store, &from_type, &from, &to_type, &to) {
                store.dissociate_all(link.message, link.record);
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
