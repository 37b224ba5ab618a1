//! The batch endpoints of messages and CRM records (contacts, companies, deals, tickets):
//! read (by id or by a unique property such as a contact's `email`), create, update (by id
//! or a unique property) and upsert (by a unique property); messages also archive. At most
//! 100 inputs; 207 with per-item errors when some fail.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use chrono::Utc;
use serde_json::{Value, json};

use super::association_spec::{Requested, requested};
use super::batch::{
    Batch, MAX_INPUTS, Outcome, Refused, ids, inputs, no_duplicates, optional_text, strings, text,
};
use super::extract::{Body, Call};
use super::id_property::{check_id_property, check_keyed_inputs, resolve};
use super::input::{parse_kind, properties};
use super::message::MESSAGE_DEFAULTS;
use super::objects::{PINNED, RECORD_DEFAULTS, pin_refusal};
use super::validate::{conflict_item, input_properties, write};
use crate::error::{ApiError, item_error};
use crate::label::Labels;
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
        .route(&format!("{BATCH}/create"), writes(Op::Create))
        .route(&format!("{BATCH}/update"), writes(Op::Update))
        .route(&format!("{BATCH}/upsert"), writes(Op::Upsert))
        .route(
            "/crm/v3/objects/communications/batch/archive",
            post(archive),
        )
}

/// The object type a batch path names: `communications`, or a record kind.
fn owner(object_type: &str) -> Result<PropertyOwner, ApiError> {
    if object_type == "communications" {
        return Ok(PropertyOwner::Communication);
    }
    parse_kind(object_type).map(PropertyOwner::Record)
}

/// The properties an object of `owner` answers with when none are asked for.
fn defaults(owner: PropertyOwner) -> &'static [&'static str] {
    match owner {
        PropertyOwner::Communication => &MESSAGE_DEFAULTS,
        PropertyOwner::Record(_) => &RECORD_DEFAULTS,
    }
}

/// HubSpot's name of an object type in batch messages: `COMMUNICATION`, `CONTACT`.
fn upper(owner: PropertyOwner) -> String {
    owner.singular().to_ascii_uppercase()
}

async fn read(Call(shared, object_type, query): Call<String>, Body(body): Body) -> Answer {
    let schema = shared.schema();
    let owner = owner(&object_type)?;
    let archived = query.flag("archived")?;
    let Batch { body, inputs } = inputs(&body, MAX_INPUTS)?;
    let properties = schema.known(owner, &strings(body.get("properties")));
    let history = schema.known(owner, &strings(body.get("propertiesWithHistory")));
    let id_property = body.get("idProperty").and_then(Value::as_str);
    check_id_property(&schema, owner, id_property)?;
    let ids = ids(&inputs)?;
    no_duplicates(ids.iter().map(String::as_str))?;
    let mut store = lock(&shared.store);
    let outcome = Outcome::run(ids, |id| {
        resolve(&mut store, owner, &id, id_property)
            .and_then(|n| store.object(owner, n))
            .filter(|object| object.archived_at.is_some() == archived)
            .map(|object| object.to_json(&properties, &history, defaults(owner)))
            .ok_or(Refused::Missing(id))
    });
    let not_found = |_: &[String]| {
        format!(
            "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
            upper(owner)
        )
    };
    Ok(outcome.not_found(not_found, "ids").answer(StatusCode::OK))
}

/// A write batch: create, update (by id or a unique property) or upsert (by a unique property;
/// HubSpot upserts by `hs_object_id` only objects that exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Upsert,
}

/// The route of a write batch.
fn writes(op: Op) -> MethodRouter<Arc<Shared>> {
    post(move |call: Call<String>, body: Body| write_batch(call, body, op))
}

async fn write_batch(
    Call(shared, object_type, _): Call<String>,
    Body(body): Body,
    op: Op,
) -> Answer {
    let schema = shared.schema();
    let owner = owner(&object_type)?;
    let Batch { inputs, .. } = inputs(&body, MAX_INPUTS)?;
    let traces = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            let at = format!("inputs[{index}].objectWriteTraceId");
            optional_text(input.get("objectWriteTraceId"), &at)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if op != Op::Create {
        check_keyed_inputs(&schema, owner, &inputs)?;
    }
    let mut store = lock(&shared.store);
    // HubSpot answers a batch create 207 (some created, some refused) only when every input
    // carries an `objectWriteTraceId` of its own (its error-handling guide); otherwise one
    // refused input refuses the whole batch and nothing is created: tried first on a copy
    // that notes nothing for webhooks.
    if op == Op::Create && !unique_traces(&traces) {
        let mut trial = store.clone();
        trial.journal = None;
        let mut writer = Writer {
            store: &mut trial,
            schema: &schema,
            labels: &shared.labels,
            owner,
        };
        let outcome = Outcome::run(&inputs, |input| writer.create(input));
        if let Some(error) = outcome.first_error() {
            return Err(ApiError::from_item(error));
        }
    }
    let mut writer = Writer {
        store: &mut store,
        schema: &schema,
        labels: &shared.labels,
        owner,
    };
    let outcome = Outcome::run(&inputs, |input| match op {
        Op::Create => writer.create(input),
        Op::Update => writer.update(input),
        Op::Upsert => writer.upsert(input),
    });
    let success = match op {
        Op::Create => StatusCode::CREATED,
        Op::Update | Op::Upsert => StatusCode::OK,
    };
    // Only updates name inputs that are not there; an upsert creates what is missing.
    let not_found = |_: &[String]| format!("Could not find some {} objects", upper(owner));
    Ok(outcome.not_found(not_found, "ids").answer(success))
}

/// Whether every input carries an `objectWriteTraceId`, none the same as another's.
fn unique_traces(traces: &[Option<String>]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    traces
        .iter()
        .all(|trace| trace.as_deref().is_some_and(|t| seen.insert(t)))
}

/// Writes the inputs of one batch, under one lock of the store.
struct Writer<'a> {
    store: &'a mut Store,
    schema: &'a Schema,
    labels: &'a Labels,
    owner: PropertyOwner,
}

impl Writer<'_> {
    fn create(&mut self, input: &Value) -> Result<Value, Refused> {
        let trace = text(input.get("objectWriteTraceId"));
        let context = trace
            .as_ref()
            .map_or(json!({}), |t| json!({"objectWriteTraceId": [t]}));
        let (properties, associations) = self.new_object(input, &context)?;
        let id = self.create_one(properties, associations, &context)?;
        let mut created = self.json_of(id);
        if let Some(trace) = &trace {
            created["objectWriteTraceId"] = json!(trace);
        }
        Ok(created)
    }

    /// A create input's properties and associations: a message's must fit, a record takes
    /// none (the fake does not associate records with records).
    fn new_object(
        &self,
        input: &Value,
        context: &Value,
    ) -> Result<(BTreeMap<String, String>, Vec<Requested>), Value> {
        let refused = |message: String| item_error("VALIDATION_ERROR", message, context.clone());
        let associations = match self.owner {
            PropertyOwner::Communication => {
                let properties =
                    input_properties(self.schema, self.owner, input, Write::Create, context)?;
                let associations = requested(self.store, self.labels, input)
                    .map_err(|refusal| refused(refusal.message()))?;
                return Ok((properties, associations));
            }
            PropertyOwner::Record(_) => input
                .get("associations")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty()),
        };
        if associations {
            return Err(refused(
                "The fake does not associate records with records; create the record, then associate messages with it".to_owned(),
            ));
        }
        let properties = input_properties(self.schema, self.owner, input, Write::Create, context)?;
        Ok((properties, Vec::new()))
    }

    fn update(&mut self, input: &Value) -> Result<Value, Refused> {
        let id = text(input.get("id")).unwrap_or_default();
        let context = json!({"ids": [id]});
        let properties = input_properties(self.schema, self.owner, input, Write::Update, &context)?;
        let id_property = input.get("idProperty").and_then(Value::as_str);
        let Some(found) = self.live(&id, id_property) else {
            return Err(Refused::Missing(id));
        };
        self.update_one(found, properties, &context)?;
        Ok(self.json_of(found))
    }

    fn upsert(&mut self, input: &Value) -> Result<Value, Refused> {
        let key = text(input.get("id")).unwrap_or_default();
        let id_property = input
            .get("idProperty")
            .and_then(Value::as_str)
            .unwrap_or("hs_object_id");
        let context = json!({"ids": [key]});
        let (id, new) = self.upsert_one(input, &key, id_property, &context)?;
        let mut answer = self.json_of(id);
        // A message's answer shows the key it was upserted by, whatever its defaults.
        if self.owner == PropertyOwner::Communication {
            let stored = self
                .store
                .object(self.owner, id)
                .and_then(|o| o.properties.get(id_property).cloned());
            answer["properties"][id_property] = json!(stored.unwrap_or(key));
        }
        answer["new"] = json!(new);
        Ok(answer)
    }

    /// One upsert input: the object holding the key is updated, never a conflict; without
    /// one, an object is created with the key. The id written, and whether it is new.
    fn upsert_one(
        &mut self,
        input: &Value,
        key: &str,
        id_property: &str,
        context: &Value,
    ) -> Result<(u64, bool), Value> {
        let (schema, owner) = (self.schema, self.owner);
        let given = properties(input).map_err(|_| {
            item_error(
                "VALIDATION_ERROR",
                "properties is required",
                context.clone(),
            )
        })?;
        let existing = self.live(key, Some(id_property));
        // A record's properties are read as an update's (unknown ones ignored) even when the
        // upsert creates it; a message's only when it updates one.
        let given = match (owner, existing) {
            (PropertyOwner::Record(_), _) | (_, Some(_)) => {
                write(schema, owner, given, Write::Update).map_err(|e| e.item(context.clone()))?
            }
            (PropertyOwner::Communication, None) => given,
        };
        if let Some(id) = existing {
            self.update_one(id, given, context)?;
            return Ok((id, false));
        }
        if id_property == "hs_object_id" {
            return Err(item_error(
                "OBJECT_NOT_FOUND",
                "upsert by hs_object_id needs an existing id",
                context.clone(),
            ));
        }
        let mut properties = given;
        let key = canonical(owner, id_property, key.to_owned());
        properties.insert(id_property.to_owned(), key);
        let properties =
            write(schema, owner, properties, Write::Create).map_err(|e| e.item(context.clone()))?;
        Ok((self.create_one(properties, Vec::new(), context)?, true))
    }

    /// Creates an object unless HubSpot refuses it: a pin on a new record (it has no activity
    /// to pin), a unique value another object holds.
    fn create_one(
        &mut self,
        properties: BTreeMap<String, String>,
        associations: Vec<Requested>,
        context: &Value,
    ) -> Result<u64, Value> {
        if properties.get(PINNED).is_some_and(|p| !p.is_empty()) {
            return Err(item_error(
                "VALIDATION_ERROR",
                "A new record has no associated activity to pin",
                context.clone(),
            ));
        }
        if let Some(taken) = self.store.taken(self.schema, self.owner, &properties, None) {
            return Err(conflict_item(self.owner, &taken, context.clone()));
        }
        let id = self.store.create(self.owner, properties);
        for association in associations {
            self.store
                .associate(id, association.record, association.how);
        }
        Ok(id)
    }

    /// Updates a live object unless HubSpot refuses it: a pin of an activity not associated
    /// with the record, a unique value another object holds.
    fn update_one(
        &mut self,
        id: u64,
        properties: BTreeMap<String, String>,
        context: &Value,
    ) -> Result<(), Value> {
        if let Some(refusal) = pin_refusal(self.store, self.owner, id, &properties) {
            return Err(item_error("VALIDATION_ERROR", refusal, context.clone()));
        }
        let taken = self
            .store
            .taken(self.schema, self.owner, &properties, Some(id));
        if let Some(taken) = taken {
            return Err(conflict_item(self.owner, &taken, context.clone()));
        }
        self.store.update(self.owner, id, properties);
        Ok(())
    }

    /// An object as a write answers it: its default properties.
    fn json_of(&self, id: u64) -> Value {
        self.store
            .object(self.owner, id)
            .map(|object| object.to_json(&[], &[], defaults(self.owner)))
            .unwrap_or_default()
    }

    /// The live object an input names, by id or by its `idProperty`.
    fn live(&mut self, key: &str, id_property: Option<&str>) -> Option<u64> {
        resolve(self.store, self.owner, key, id_property)
            .filter(|id| self.store.live_object(self.owner, *id).is_some())
    }
}

async fn archive(State(shared): State<Arc<Shared>>, Body(body): Body) -> Answer {
    let Batch { inputs, .. } = inputs(&body, MAX_INPUTS)?;
    let ids = ids(&inputs)?;
    no_duplicates(ids.iter().map(String::as_str))?;
    let mut store = lock(&shared.store);
    let now = Utc::now();
    for id in ids {
        if let Ok(id) = id.parse::<u64>() {
            store.archive(PropertyOwner::Communication, id, now);
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
