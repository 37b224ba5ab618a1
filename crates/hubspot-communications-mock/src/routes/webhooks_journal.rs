//! HubSpot's webhooks journal (2026-03): the global journal (`/webhooks-journal/journal/…`),
//! one account's (`journal-local`, `installPortalId`), subscriptions and their filters, and CRM
//! snapshots. Entries are read from the journal's log (`webhooks_journal`); each answer names
//! an entry by its offset and a pre-signed URL of its file on the file host. An offset the
//! journal no longer holds (past the retention) or never held is a 404, as HubSpot answers it.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::extract::{Body, Call};
use super::input::json_body;
use super::query::Query;
use crate::error::ApiError;
use crate::lock::lock;
use crate::state::Shared;
use crate::webhooks_journal::log::{Condition, Found, OPERATORS, ReadView, owner_of, type_id};
use crate::webhooks_journal::{JournalAction, ObjectSubscription, SubscriptionRequest};

type Answer = Result<Response, ApiError>;

const JOURNAL: &str = "/webhooks-journal/journal/2026-03";
const LOCAL: &str = "/webhooks-journal/journal-local/2026-03";
const SUBSCRIPTIONS: &str = "/webhooks-journal/subscriptions/2026-03";
const SNAPSHOTS: &str = "/webhooks-journal/snapshots/2026-03/crm";
/// The most entries one batch answers (HubSpot does not say; the fake's choice).
const MAX_COUNT: u32 = 1000;

pub(super) fn router() -> Router<Arc<Shared>> {
    let mut router = Router::new();
    for (base, local) in [(JOURNAL, false), (LOCAL, true)] {
        router = router
            .route(
                &format!("{base}/earliest"),
                get(move |s, u| earliest(s, u, local)),
            )
            .route(
                &format!("{base}/latest"),
                get(move |s, u| latest(s, u, local)),
            )
            .route(
                &format!("{base}/offset/{{offset}}/next"),
                get(move |c| next(c, local)),
            )
            .route(
                &format!("{base}/batch/earliest/{{count}}"),
                get(move |c| batch_earliest(c, local)),
            )
            .route(
                &format!("{base}/batch/latest/{{count}}"),
                get(move |c| batch_latest(c, local)),
            )
            .route(
                &format!("{base}/batch/{{offset}}/next/{{count}}"),
                get(move |c| batch_next(c, local)),
            )
            .route(
                &format!("{base}/batch/read"),
                post(move |s, u, b| batch_read(s, u, b, local)),
            )
            .route(&format!("{base}/status/{{status_id}}"), get(status));
    }
    router
        .route(SUBSCRIPTIONS, get(subscriptions).post(upsert))
        .route(
            &format!("{SUBSCRIPTIONS}/{{subscription_id}}"),
            get(subscription).delete(unsubscribe),
        )
        .route(
            &format!("{SUBSCRIPTIONS}/portals/{{portal_id}}"),
            delete(unsubscribe_portal),
        )
        .route(&format!("{SUBSCRIPTIONS}/filters"), post(add_filter))
        .route(
            &format!("{SUBSCRIPTIONS}/filters/{{filter_id}}"),
            get(filter).delete(remove_filter),
        )
        .route(
            &format!("{SUBSCRIPTIONS}/filters/subscription/{{subscription_id}}"),
            get(filters_of),
        )
        .route(SNAPSHOTS, post(snapshot))
}

/// Whether the request sees the fake's account: the global journal does, a local one only
/// without `installPortalId` or with the fake's.
fn visible(shared: &Shared, query: &Query, local: bool) -> Result<bool, ApiError> {
    if !local {
        return Ok(true);
    }
    match query.one("installPortalId") {
        None => Ok(true),
        Some(id) => id
            .parse::<u64>()
            .map(|id| id == shared.journal.settings.portal_id)
            .map_err(|_| ApiError::validation(format!("installPortalId {id:?} is not a number"))),
    }
}

fn count(text: &str) -> Result<usize, ApiError> {
    match text.parse::<u32>() {
        Ok(count) if (1..=MAX_COUNT).contains(&count) => Ok(count as usize),
        _ => Err(ApiError::validation(format!(
            "count must be a whole number from 1 to {MAX_COUNT}, not {text:?}"
        ))),
    }
}

/// `JournalFetchResponse` of the entry at `index`.
fn fetched(shared: &Shared, view: &ReadView<'_>, index: usize) -> Value {
    let entry = &view.entries()[index];
    let offset = shared.journal.offset(entry.sequence);
    let (url, expires_at) = shared.journal.presign(&offset);
    json!({
        "currentOffset": offset,
        "url": url,
        "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    })
}

fn batch(results: Vec<Value>) -> Response {
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    axum::Json(json!({
        "status": "COMPLETE",
        "results": results,
        "requestedAt": now,
        "startedAt": now,
        "completedAt": now,
    }))
    .into_response()
}

fn none_yet() -> ApiError {
    ApiError::not_found("The journal holds no entry")
}

fn gone(offset: &str) -> ApiError {
    ApiError::not_found(format!("Offset {offset} has expired or does not exist"))
}

async fn earliest(State(shared): State<Arc<Shared>>, uri: Uri, local: bool) -> Answer {
    let visible = visible(&shared, &Query::parse(&uri), local)?;
    shared.journal.read(|view| {
        if !visible || view.entries().is_empty() {
            return Err(none_yet());
        }
        Ok(axum::Json(fetched(&shared, view, 0)).into_response())
    })
}

async fn latest(State(shared): State<Arc<Shared>>, uri: Uri, local: bool) -> Answer {
    let visible = visible(&shared, &Query::parse(&uri), local)?;
    shared.journal.read(|view| {
        let len = view.entries().len();
        if !visible || len == 0 {
            return Err(none_yet());
        }
        Ok(axum::Json(fetched(&shared, view, len - 1)).into_response())
    })
}

/// The entry after `offset`; 404 for an offset the journal does not hold, and (the fake's
/// choice: the spec lists no other answer) for the newest entry's, with its own message.
async fn next(Call(shared, offset, query): Call<String>, local: bool) -> Answer {
    let visible = visible(&shared, &query, local)?;
    shared.journal.read(|view| match view.find(&offset) {
        Found::At(index) if visible => {
            if index + 1 < view.entries().len() {
                Ok(axum::Json(fetched(&shared, view, index + 1)).into_response())
            } else {
                Err(ApiError::not_found(format!(
                    "No entry follows offset {offset} yet"
                )))
            }
        }
        _ => Err(gone(&offset)),
    })
}

async fn batch_earliest(Call(shared, count_text, query): Call<String>, local: bool) -> Answer {
    let count = count(&count_text)?;
    let visible = visible(&shared, &query, local)?;
    Ok(shared.journal.read(|view| {
        let len = if visible { view.entries().len() } else { 0 };
        batch(
            (0..len.min(count))
                .map(|i| fetched(&shared, view, i))
                .collect(),
        )
    }))
}

async fn batch_latest(Call(shared, count_text, query): Call<String>, local: bool) -> Answer {
    let count = count(&count_text)?;
    let visible = visible(&shared, &query, local)?;
    Ok(shared.journal.read(|view| {
        let len = if visible { view.entries().len() } else { 0 };
        batch(
            (len.saturating_sub(count)..len)
                .map(|i| fetched(&shared, view, i))
                .collect(),
        )
    }))
}

/// Up to `count` entries after `offset`: none once caught up; 404 for an offset the journal
/// does not hold.
async fn batch_next(
    Call(shared, (offset, count_text), query): Call<(String, String)>,
    local: bool,
) -> Answer {
    let count = count(&count_text)?;
    let visible = visible(&shared, &query, local)?;
    shared.journal.read(|view| match view.find(&offset) {
        Found::At(index) if visible => {
            let end = view.entries().len().min(index + 1 + count);
            Ok(batch(
                (index + 1..end)
                    .map(|i| fetched(&shared, view, i))
                    .collect(),
            ))
        }
        _ => Err(gone(&offset)),
    })
}

/// The entries at the offsets given (new URLs for them); 207 with an error naming the offsets
/// the journal does not hold.
async fn batch_read(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    Body(body): Body,
    local: bool,
) -> Answer {
    let visible = visible(&shared, &Query::parse(&uri), local)?;
    let body = json_body(&body)?;
    let inputs: Vec<String> = body
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("inputs is required"))?
        .iter()
        .map(|input| {
            input
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| ApiError::validation("every input is an offset string"))
        })
        .collect::<Result<_, _>>()?;
    if inputs.len() > MAX_COUNT as usize {
        return Err(ApiError::validation(format!(
            "at most {MAX_COUNT} inputs, not {}",
            inputs.len()
        )));
    }
    Ok(shared.journal.read(|view| {
        let mut results = Vec::new();
        let mut missing = Vec::new();
        for offset in inputs {
            match view.find(&offset) {
                Found::At(index) if visible => results.push(fetched(&shared, view, index)),
                _ => missing.push(offset),
            }
        }
        if missing.is_empty() {
            return batch(results);
        }
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let answer = json!({
            "status": "COMPLETE",
            "results": results,
            "requestedAt": now,
            "startedAt": now,
            "completedAt": now,
            "numErrors": 1,
            "errors": [{
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "Offsets have expired or do not exist",
                "context": {"offsets": missing},
                "errors": [],
                "links": {},
            }],
        });
        (StatusCode::MULTI_STATUS, axum::Json(answer)).into_response()
    }))
}

async fn status(Call(shared, status_id, _): Call<String>) -> Answer {
    let snapshot = shared
        .journal
        .snapshot_status(&status_id)
        .ok_or_else(|| ApiError::not_found(format!("No snapshot status {status_id}")))?;
    let mut answer = json!({
        "id": status_id,
        "status": snapshot.status,
        "initiatedAt": snapshot.initiated_at,
    });
    if let Some(at) = snapshot.completed_at {
        answer["completedAt"] = json!(at);
    }
    if let Some(code) = snapshot.error_code {
        answer["errorCode"] = json!(code);
    }
    if let Some(message) = snapshot.message {
        answer["message"] = json!(message);
    }
    Ok(axum::Json(answer).into_response())
}

async fn subscriptions(State(shared): State<Arc<Shared>>) -> Answer {
    let app = shared.journal.settings.app_id;
    let results: Vec<Value> = shared
        .journal
        .subscriptions()
        .iter()
        .map(|s| s.to_json(app))
        .collect();
    Ok(axum::Json(json!({ "results": results })).into_response())
}

fn strings(body: &Value, name: &str) -> Result<Vec<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::validation(format!("{name} holds strings")))
            })
            .collect(),
        Some(_) => Err(ApiError::validation(format!("{name} is an array"))),
    }
}

async fn upsert(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let body = json_body(&body)?;
    match body.get("subscriptionType").and_then(Value::as_str) {
        Some("OBJECT") => {}
        Some(other) => {
            return Err(ApiError::validation(format!(
                "The fake journals OBJECT subscriptions only, not {other}"
            )));
        }
        None => return Err(ApiError::validation("subscriptionType is required")),
    }
    let type_id_text = body
        .get("objectTypeId")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::validation("objectTypeId is required"))?;
    let object = owner_of(type_id_text)
        .ok_or_else(|| ApiError::validation(format!("Unknown objectTypeId {type_id_text:?}")))?;
    let portal_id = body
        .get("portalId")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::validation("portalId is required"))?;
    let actions = strings(&body, "actions")?
        .iter()
        .map(|name| {
            JournalAction::parse(name)
                .ok_or_else(|| ApiError::validation(format!("Unknown action {name:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if actions.is_empty() {
        return Err(ApiError::validation(
            "actions must name at least one action",
        ));
    }
    let object_ids = match body.get("objectIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| {
                id.as_u64()
                    .ok_or_else(|| ApiError::validation("objectIds holds numbers"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError::validation("objectIds is an array")),
    };
    let spec = ObjectSubscription::new(object)
        .actions(actions)
        .properties(strings(&body, "properties")?)
        .object_ids(object_ids);
    let subscription = shared
        .journal
        .upsert(SubscriptionRequest { portal_id, spec });
    Ok(axum::Json(subscription.to_json(shared.journal.settings.app_id)).into_response())
}

fn id(text: &str, what: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::validation(format!("{what} {text:?} is not a number")))
}

async fn subscription(Call(shared, id_text, _): Call<String>) -> Answer {
    let id = id(&id_text, "subscriptionId")?;
    let subscription = shared
        .journal
        .subscription(id)
        .ok_or_else(|| ApiError::not_found(format!("No subscription {id}")))?;
    Ok(axum::Json(subscription.to_json(shared.journal.settings.app_id)).into_response())
}

async fn unsubscribe(Call(shared, id_text, _): Call<String>) -> Answer {
    let id = id(&id_text, "subscriptionId")?;
    if !shared.journal.unsubscribe(id) {
        return Err(ApiError::not_found(format!("No subscription {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unsubscribe_portal(Call(shared, id_text, _): Call<String>) -> Answer {
    let portal_id = id(&id_text, "portalId")?;
    shared.journal.unsubscribe_portal(portal_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn add_filter(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let body = json_body(&body)?;
    let subscription_id = body
        .get("subscriptionId")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::validation("subscriptionId is required"))?;
    let conditions = body
        .pointer("/filter/conditions")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("filter.conditions is required"))?;
    if conditions.is_empty() {
        return Err(ApiError::validation(
            "a filter needs at least one condition",
        ));
    }
    let conditions = conditions
        .iter()
        .map(|condition| {
            let text = |name: &str| condition.get(name).and_then(Value::as_str);
            if text("filterType") != Some("CRM_OBJECT_PROPERTY") {
                return Err(ApiError::validation(
                    "filterType must be CRM_OBJECT_PROPERTY",
                ));
            }
            let operator = text("operator").unwrap_or_default();
            if !OPERATORS.contains(&operator) {
                return Err(ApiError::validation(format!(
                    "Unknown operator {operator:?}"
                )));
            }
            let property = text("property")
                .filter(|p| !p.is_empty())
                .ok_or_else(|| ApiError::validation("every condition names a property"))?;
            Ok(Condition {
                operator: operator.to_owned(),
                property: property.to_owned(),
                value: text("value").map(str::to_owned),
                values: strings(condition, "values")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let filter_id = shared
        .journal
        .add_filter(subscription_id, conditions)
        .ok_or_else(|| ApiError::not_found(format!("No subscription {subscription_id}")))?;
    Ok(axum::Json(json!({ "filterId": filter_id })).into_response())
}

async fn filter(Call(shared, id_text, _): Call<String>) -> Answer {
    let id = id(&id_text, "filterId")?;
    let filter = shared
        .journal
        .filter(id)
        .ok_or_else(|| ApiError::not_found(format!("No filter {id}")))?;
    Ok(axum::Json(filter.to_json()).into_response())
}

async fn remove_filter(Call(shared, id_text, _): Call<String>) -> Answer {
    let id = id(&id_text, "filterId")?;
    if !shared.journal.remove_filter(id) {
        return Err(ApiError::not_found(format!("No filter {id}")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn filters_of(Call(shared, id_text, _): Call<String>) -> Answer {
    let id = id(&id_text, "subscriptionId")?;
    if shared.journal.subscription(id).is_none() {
        return Err(ApiError::not_found(format!("No subscription {id}")));
    }
    let filters: Vec<Value> = shared
        .journal
        .filters_of(id)
        .iter()
        .map(|f| f.to_json())
        .collect();
    Ok(axum::Json(Value::Array(filters)).into_response())
}

async fn snapshot(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let body = json_body(&body)?;
    let requests = body
        .get("snapshotRequests")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("snapshotRequests is required"))?;
    let requests = requests
        .iter()
        .map(|request| {
            let number = |name: &str| {
                request
                    .get(name)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| ApiError::validation(format!("{name} is required")))
            };
            let type_id_text = request
                .get("objectTypeId")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::validation("objectTypeId is required"))?;
            Ok((
                number("portalId")?,
                owner_of(type_id_text),
                number("objectId")?,
                strings(request, "properties")?,
                type_id_text.to_owned(),
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let asked: Vec<_> = requests
        .iter()
        .map(|(portal, object, id, properties, _)| (*portal, *object, *id, properties.clone()))
        .collect();
    let ids = {
        let store = lock(&shared.store);
        shared.journal.snapshot(&*store, &asked)
    };
    let responses = requests
        .iter()
        .zip(ids)
        .map(|((portal, object, id, _, text), status_id)| {
            json!({
                "portalId": portal,
                "objectTypeId": object.map_or_else(|| text.clone(), |o| type_id(o).to_owned()),
                "objectId": id,
                "snapshotStatusId": status_id,
            })
        })
        .collect::<Vec<Value>>();
    Ok(axum::Json(json!({ "snapshotResponses": responses })).into_response())
}
