//! The batch endpoints of CRM records (contacts, companies, deals, tickets): read (by id or
//! by a unique property such as a contact's `email`), create, update (by id or a unique
//! property) and upsert (by a unique property). At most 100 inputs; 207 with per-item errors
//! when some fail. Messages have their own (`batch`).

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
use super::objects::pin_refusal;
use super::query::Query;
use super::validate::{conflict_item, write};
use crate::error::{ApiError, item_error};
use crate::kind::ObjectKind;
use crate::kind::RecordId;
use crate::lock::lock;
use crate::property::PropertyOwner;
use crate::schema::{Schema, Write, canonical};
use crate::state::Shared;
use crate::store::Store;

type Answer = Result<Response, ApiError>;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BATCH: &str = "/crm/v3/objects/{object_type}/batch";
    Router::new()
        .route(&format!("{BATCH}/read"), post(read))
        .route(&format!("{BATCH}/create"), post(create))
        .route(&format!("{BATCH}/update"), post(update))
        .route(&format!("{BATCH}/upsert"), post(upsert))
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

/// Refuses what HubSpot refuses of inputs named by id or by a unique property: an
/// `idProperty` that is not unique, a record named twice (by its value as HubSpot keeps it:
/// `Linda@example.com` and `linda@example.com` are one contact).
fn check_keyed_inputs(schema: &Schema, kind: ObjectKind, inputs: &[Value]) -> Result<(), ApiError> {
    for input in inputs {
        check_id_property(
            schema,
            kind,
            input.get("idProperty").and_then(Value::as_str),
        )?;
    }
    let keys: Vec<String> = inputs
        .iter()
        .map(|input| {
            let id = text(input.get("id")).unwrap_or_default();
            match input.get("idProperty").and_then(Value::as_str) {
                Some(property) => canonical(kind.into(), property, id),
                None => id,
            }
        })
        .collect();
    no_duplicates(keys.iter().map(String::as_str))
}

/// The checked properties of a record update, or the input's per-item error.
fn update_properties(
    schema: &Schema,
    owner: PropertyOwner,
    input: &Value,
    context: &Value,
) -> Result<std::collections::BTreeMap<String, String>, Value> {
    let properties = properties(input).map_err(|_| {
        item_error(
            "VALIDATION_ERROR",
            "properties is required",
            context.clone(),
        )
    })?;
    write(schema, owner, properties, Write::Update).map_err(|e| e.item(context.clone()))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    PathParams(object_type): PathParams<String>,
    Body(body): Body,
) -> Answer {
    let schema = shared.schema();
    let kind = parse_kind(&object_type)?;
    let owner = PropertyOwner::Record(kind);
    let Batch { inputs, .. } = inputs(&body)?;
    check_keyed_inputs(&schema, kind, &inputs)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for input in &inputs {
        let id = text(input.get("id")).unwrap_or_default();
        let id_property = input.get("idProperty").and_then(Value::as_str);
        let context = json!({"ids": [id]});
        let properties = match update_properties(&schema, owner, input, &context) {
            Ok(properties) => properties,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let found = resolve(&mut store, kind, &id, id_property)
            .map(|n| RecordId { kind, id: n })
            .filter(|record| {
                store
                    .records
                    .get(record)
                    .is_some_and(|r| r.archived_at.is_none())
            });
        let Some(record) = found else {
            missing.push(id);
            continue;
        };
        if let Some(refusal) = pin_refusal(&store, record, &properties) {
            errors.push(item_error("VALIDATION_ERROR", refusal, context));
            continue;
        }
        if let Some(taken) = store.taken(&schema, owner, &properties, Some(record.id)) {
            errors.push(conflict_item(owner, &taken, context));
            continue;
        }
        if let Some(object) = store.update_record(record, properties) {
            results.push(object.to_json(&[], &[], &RECORD_DEFAULTS));
        }
    }
    if !missing.is_empty() {
        errors.push(item_error(
            "OBJECT_NOT_FOUND",
            format!("Could not find some {} objects", upper(kind)),
            json!({"ids": missing}),
        ));
    }
    Ok(answer(StatusCode::OK, results, errors))
}

/// Creates or updates records by a unique property (`idProperty`, required: HubSpot upserts
/// by `hs_object_id` only records that exist).
async fn upsert(
    State(shared): State<Arc<Shared>>,
    PathParams(object_type): PathParams<String>,
    Body(body): Body,
) -> Answer {
    let schema = shared.schema();
    let kind = parse_kind(&object_type)?;
    let owner = PropertyOwner::Record(kind);
    let Batch { inputs, .. } = inputs(&body)?;
    check_keyed_inputs(&schema, kind, &inputs)?;
    let mut store = lock(&shared.store);
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for input in &inputs {
        let key = text(input.get("id")).unwrap_or_default();
        let id_property = input
            .get("idProperty")
            .and_then(Value::as_str)
            .unwrap_or("hs_object_id");
        let context = json!({"ids": [key]});
        let properties = match update_properties(&schema, owner, input, &context) {
            Ok(properties) => properties,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        let existing = resolve(&mut store, kind, &key, Some(id_property))
            .map(|n| RecordId { kind, id: n })
            .filter(|record| {
                store
                    .records
                    .get(record)
                    .is_some_and(|r| r.archived_at.is_none())
            });
        let (id, new) = match existing {
            Some(record) => {
                if let Some(refusal) = pin_refusal(&store, record, &properties) {
                    errors.push(item_error("VALIDATION_ERROR", refusal, context));
                    continue;
                }
                if let Some(taken) = store.taken(&schema, owner, &properties, Some(record.id)) {
                    errors.push(conflict_item(owner, &taken, context));
                    continue;
                }
                store.update_record(record, properties);
                (record.id, false)
            }
            None if id_property == "hs_object_id" => {
                errors.push(item_error(
                    "OBJECT_NOT_FOUND",
                    "upsert by hs_object_id needs an existing id",
                    context,
                ));
                continue;
            }
            None => {
                let mut properties = properties;
                let key = canonical(owner, id_property, key.clone());
                properties.insert(id_property.to_owned(), key);
                let created = write(&schema, owner, properties, Write::Create)
                    .map_err(|e| e.item(context.clone()))
                    .and_then(|p| match store.taken(&schema, owner, &p, None) {
                        Some(taken) => Err(conflict_item(owner, &taken, context.clone())),
                        None if p
                            .get("hs_pinned_engagement_id")
                            .is_some_and(|v| !v.is_empty()) =>
                        {
                            Err(item_error(
                                "VALIDATION_ERROR",
                                "A new record has no associated activity to pin",
                                context.clone(),
                            ))
                        }
                        None => Ok(p),
                    });
                match created {
                    Ok(properties) => (store.create_record(kind, properties), true),
                    Err(error) => {
                        errors.push(error);
                        continue;
                    }
                }
            }
        };
        if let Some(record) = store.records.get(&RecordId { kind, id }) {
            let mut body = record.to_json(&[], &[], &RECORD_DEFAULTS);
            body["new"] = json!(new);
            results.push(body);
        }
    }
    Ok(answer(StatusCode::OK, results, errors))
}
