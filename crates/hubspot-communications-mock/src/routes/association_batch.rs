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
use super::batch::{Batch, Outcome, Refused, inputs, text};
use super::extract::{Body, Call};
use super::input::parse_id;
use crate::error::{ApiError, item_error};
use crate::label::Side;
use crate::lock::lock;
use crate::object_type::ObjectType;
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
        let Batch { inputs, .. } = inputs(&body, MAX_INPUTS)?;
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

async fn read(batch: Opened) -> Answer {
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
