//! v4's association batches (`/crm/v4/associations/{from}/{to}/batch/{read,create,archive}`),
//! from either end, with per-item errors in a 207 as HubSpot answers them.

use std::sync::Arc;

use axum::RequestExt;
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::association_spec::from_spec;
use super::associations::{Link, associated, ends, types_json};
use super::batch::{Batch, Outcome, Refused, at_most, inputs, required_text, text};
use super::extract::{Body, Call};
use super::input::{not_of_type, parse_id};
use crate::error::{ApiError, item_error};
use crate::label::Side;
use crate::lock::lock;
use crate::object_type::ObjectType;
use crate::state::Shared;

type Answer = Result<Response, ApiError>;

/// The most inputs an association batch read takes (HubSpot's associations guide: 1,000).
const MAX_READ_INPUTS: usize = 1_000;
/// The most inputs an association batch create takes (HubSpot's associations guide: 2,000).
const MAX_CREATE_INPUTS: usize = 2_000;
/// The most inputs an association batch archive takes: HubSpot's guide gives no figure; the
/// fake takes the read's 1,000 (an assumption, written in its README).
const MAX_ARCHIVE_INPUTS: usize = 1_000;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BATCH: &str = "/crm/v4/associations/{from_type}/{to_type}/batch";
    Router::new()
        .route(&format!("{BATCH}/read"), post(read))
        .route(&format!("{BATCH}/create"), post(create))
        .route(&format!("{BATCH}/archive"), post(archive))
}

/// An association batch as its handlers start from it, once its path's types are ones the
/// fake keeps associations between: which end they start from, the kind of record at the
/// other end, and the inputs.
struct Opened {
    shared: Arc<Shared>,
    from_type: String,
    to_type: String,
    side: Side,
    kind: ObjectType,
    inputs: Vec<Value>,
}

impl FromRequest<Arc<Shared>> for Opened {
    type Rejection = ApiError;

    async fn from_request(mut request: Request, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let Call(shared, (from_type, to_type), _): Call<(String, String)> =
            request.extract_parts_with_state(shared).await?;
        let Body(body) = Body::from_request(request, &shared).await?;
        let (side, kind) = ends(&from_type, &to_type)?;
        let Batch { inputs, .. } = inputs(&body, MAX_CREATE_INPUTS)?;
        Ok(Self {
            shared,
            from_type,
            to_type,
            side,
            kind,
            inputs,
        })
    }
}

/// An id member (`{"id": "12"}`) as text.
fn id_of(value: Option<&Value>) -> String {
    text(value.and_then(|v| v.get("id"))).unwrap_or_default()
}

/// Refuses a body whose inputs HubSpot cannot read: each named member (`from`, `to`, or the
/// input itself for `None`) must be an object whose `id` is a string or a number; `to` of an
/// archive is a list of such objects.
fn check_ids(inputs: &[Value], members: &[Option<&str>], to_is_list: bool) -> Result<(), ApiError> {
    for (index, input) in inputs.iter().enumerate() {
        for member in members {
            let (value, at) = match member {
                None => (Some(input), format!("inputs[{index}]")),
                Some(name) => (input.get(*name), format!("inputs[{index}].{name}")),
            };
            let items: Vec<(Option<&Value>, String)> =
                match (value, *member == Some("to") && to_is_list) {
                    (Some(Value::Array(items)), true) => items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| (Some(item), format!("{at}[{i}]")))
                        .collect(),
                    (Some(other), true) => return Err(not_of_type(other, "an array", &at)),
                    (value, _) => vec![(value, at)],
                };
            for (item, at) in items {
                match item {
                    Some(Value::Object(object)) => {
                        required_text(object.get("id"), &format!("{at}.id"))?;
                    }
                    Some(other) => return Err(not_of_type(other, "an object", &at)),
                    None => {
                        return Err(ApiError::validation(format!("{at} is required")));
                    }
                }
            }
        }
    }
    Ok(())
}

async fn read(batch: Opened) -> Answer {
    at_most(&batch.inputs, MAX_READ_INPUTS)?;
    check_ids(&batch.inputs, &[None], false)?;
    let Opened { side, kind, .. } = batch;
    let store = lock(&batch.shared.store);
    let outcome = Outcome::run(&batch.inputs, |input| {
        let id = id_of(Some(input));
        let found = parse_id(&id)
            .map(|n| associated(&store, side, kind, n))
            .unwrap_or_default();
        if found.is_empty() {
            let (from_type, to_type) = (&batch.from_type, &batch.to_type);
            return Err(Refused::Error(item_error(
                "VALIDATION_ERROR",
                format!("No {to_type} is associated with {from_type} {id}."),
                json!({"fromObjectId": [id]}),
            )));
        }
        let to: Vec<Value> = found
            .iter()
            .map(|a| {
                json!({"toObjectId": a.id.to_string(), "associationTypes": types_json(&batch.shared.labels, kind, &a.types, side)})
            })
            .collect();
        Ok(json!({"from": {"id": id}, "to": to}))
    });
    Ok(outcome.answer(StatusCode::OK))
}

async fn create(batch: Opened) -> Answer {
    check_ids(&batch.inputs, &[Some("from"), Some("to")], false)?;
    let mut store = lock(&batch.shared.store);
    let outcome = Outcome::run(&batch.inputs, |input| {
        let (from, to) = (id_of(input.get("from")), id_of(input.get("to")));
        let refused = |refusal: ApiError| {
            let context = json!({"fromObjectId": [from], "toObjectId": [to]});
            Refused::Error(item_error("VALIDATION_ERROR", refusal.message(), context))
        };
        let link =
            Link::find(&store, &batch.from_type, &from, &batch.to_type, &to).map_err(refused)?;
        let types = input
            .get("types")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|spec| from_spec(&batch.shared.labels, spec, link.record.kind, link.side))
            .collect::<Result<Vec<_>, _>>()
            .map_err(refused)?;
        for how in types {
            store.associate(link.message, link.record, how);
        }
        Ok(link.labels_json(&store, &batch.shared.labels))
    });
    Ok(outcome.answer(StatusCode::CREATED))
}

/// Removes every association between each `from` and its `to`s; what is not there is skipped.
async fn archive(batch: Opened) -> Answer {
    at_most(&batch.inputs, MAX_ARCHIVE_INPUTS)?;
    check_ids(&batch.inputs, &[Some("from"), Some("to")], true)?;
    let mut store = lock(&batch.shared.store);
    for input in &batch.inputs {
        let from = id_of(input.get("from"));
        for to in input
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let to = id_of(Some(to));
            if let Ok(link) = Link::find(&store, &batch.from_type, &from, &batch.to_type, &to) {
                store.dissociate_all(link.message, link.record);
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
