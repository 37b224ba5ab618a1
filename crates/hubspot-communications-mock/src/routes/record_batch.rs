//! The batch endpoints of CRM records (contacts, companies, deals, tickets): read (by id or
//! by a unique property such as a contact's `email`) and create. At most 100 inputs; 207 with
//! per-item errors when some fail. Messages have their own (`batch`).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::batch::{Batch, answer, ids, inputs, no_duplicates, strings, text};
use super::extract::{Body, PathParams};
use super::input::{parse_kind, properties};
use super::objects::RECORD_DEFAULTS;
use super::query::Query;
use super::validate::{conflict_item, write};
use crate::error::{ApiError, item_error};
use crate::kind::ObjectKind;
use crate::property::PropertyOwner;
use crate::schema::{Schema, Write, canonical};
use crate::state::{Shared, lock};
use crate::store::{RecordId, Store};

type Answer = Result<Response, ApiError>;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BATCH: &str = "/crm/v3/objects/{object_type}/batch";
    Router::new()
        .route(&format!("{BATCH}/read"), post(read))
        .route(&format!("{BATCH}/create"), post(create))
}

/// HubSpot's name of a kind in batch messages: `CONTACT`.
fn upper(kind: ObjectKind) -> String {
    kind.singular().to_ascii_uppercase()
}

/// Refuses an `idProperty` that is not a unique property of the kind, as HubSpot does.
fn check_id_property(
    schema: &Schema,
    kind: ObjectKind,
    name: Option<&str>,
) -> Result<(), ApiError> {
    match name {
        Some(name) if !schema.is_unique(kind.into(), name) => Err(ApiError::validation(format!(
            "{name} is not a unique property of {} and cannot be used as idProperty",
            kind.plural()
        ))
        .detail(
            "idProperty",
            "INVALID_ID_PROPERTY",
            "must name a unique property",
        )),
        _ => Ok(()),
    }
}

/// The record of `kind` an input names: by id, or by the value of a unique property (read as
/// HubSpot keeps it: a contact's e-mail address in any case).
fn resolve(
    store: &mut Store,
    kind: ObjectKind,
    id: &str,
    id_property: Option<&str>,
) -> Option<u64> {
    match id_property.filter(|p| *p != "hs_object_id") {
        None => id.parse().ok(),
        Some(property) => {
            let value = canonical(kind.into(), property, id.to_owned());
            store.find_record_by(kind, property, &value)
        }
    }
}

async fn read(
    State(shared): State<Arc<Shared>>,
    PathParams(object_type): PathParams<String>,
    uri: Uri,
    Body(body): Body,
) -> Answer {
    let schema = shared.schema();
    let kind = parse_kind(&object_type)?;
    let owner = PropertyOwner::Record(kind);
    let archived = Query::parse(&uri).flag("archived")?;
    let Batch { body, inputs } = inputs(&body)?;
    let properties = schema.known(owner, &strings(body.get("properties")));
    let history = schema.known(owner, &strings(body.get("propertiesWithHistory")));
    let id_property = body.get("idProperty").and_then(Value::as_str);
    check_id_property(&schema, kind, id_property)?;
    let ids = ids(&inputs);
    no_duplicates(ids.iter().map(String::as_str))?;
    let mut store = lock(&shared.store);
    let (mut results, mut missing) = (Vec::new(), Vec::new());
    for id in ids {
        let found = resolve(&mut store, kind, &id, id_property)
            .and_then(|n| store.records.get(&RecordId { kind, id: n }));
        match found {
            Some(record) if record.archived_at.is_some() == archived => {
                results.push(record.to_json(&properties, &history, &RECORD_DEFAULTS));
            }
            _ => missing.push(id),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![item_error(
            "OBJECT_NOT_FOUND",
            format!(
                "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
                upper(kind)
            ),
            json!({"ids": missing}),
        )]
    };
    Ok(answer(StatusCode::OK, results, errors))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    PathParams(object_type): PathParams<String>,
    Body(body): Body,
) -> Answer {
    let schema = shared.schema();
    let kind = parse_kind(&object_type)?;
    let owner = PropertyOwner::Record(kind);
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
        let associations = input
            .get("associations")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if associations {
            errors.push(item_error(
                "VALIDATION_ERROR",
                "The fake does not associate records with records; create the record, then associate messages with it",
                context(),
            ));
            continue;
        }
        let written = properties(input)
            .map_err(|_| item_error("VALIDATION_ERROR", "properties is required", context()))
            .and_then(|p| write(&schema, owner, p, Write::Create).map_err(|e| e.item(context())));
        let properties = match written {
            Ok(properties) => properties,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        if properties
            .get("hs_pinned_engagement_id")
            .is_some_and(|p| !p.is_empty())
        {
            errors.push(item_error(
                "VALIDATION_ERROR",
                "A new record has no associated activity to pin",
                context(),
            ));
            continue;
        }
        if let Some(taken) = store.taken(&schema, owner, &properties, None) {
            errors.push(conflict_item(owner, &taken, context()));
            continue;
        }
        let id = store.create_record(kind, properties);
        let Some(record) = store.records.get(&RecordId { kind, id }) else {
            continue;
        };
        let mut created = record.to_json(&[], &[], &RECORD_DEFAULTS);
        if let Some(trace) = &trace {
            created["objectWriteTraceId"] = json!(trace);
        }
        results.push(created);
    }
    Ok(answer(StatusCode::CREATED, results, errors))
}
