//! What HubSpot checks on the properties of a write: the account's definitions (types,
//! options, unknown names), and what a new message must carry. Refusals name the properties
//! at fault, in HubSpot's words, both for a whole answer and for one item of a batch.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::input::properties;
use crate::error::{ApiError, item_error};
use crate::property::PropertyOwner;
use crate::schema::{Refusal, Schema, Write};
use crate::store::Taken;

/// The properties every new message must set.
const REQUIRED: [&str; 2] = [
    "hs_communication_channel_type",
    "hs_communication_logged_from",
];

/// Properties a write was refused for.
#[derive(Debug)]
pub(crate) struct Invalid(Vec<Refusal>);

impl Invalid {
    /// HubSpot's message: `Property values were not valid: [{"isValid":false,...}]`.
    fn message(&self) -> String {
        let details: Vec<Value> = self
            .0
            .iter()
            .map(|r| json!({"isValid": false, "message": r.message, "error": r.code, "name": r.name}))
            .collect();
        format!("Property values were not valid: {}", Value::Array(details))
    }

    fn names(&self) -> Vec<String> {
        self.0.iter().map(|r| r.name.clone()).collect()
    }

    /// The per-item error of a batch, with `context.propertyName` beside `context`'s members.
    pub(crate) fn item(&self, mut context: Value) -> Value {
        if let Some(map) = context.as_object_mut() {
            map.insert("propertyName".into(), json!(self.names()));
        }
        item_error("VALIDATION_ERROR", self.message(), context)
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        let message = invalid.message();
        invalid
            .0
            .iter()
            .fold(ApiError::validation(message), |error, r| {
                error.detail(&r.name, r.code, r.message.clone())
            })
    }
}

/// A write's properties as stored, by the owner's definitions; a new message must also carry
/// a channel and where it was logged from.
pub(crate) fn write(
    schema: &Schema,
    owner: PropertyOwner,
    properties: BTreeMap<String, String>,
    write: Write,
) -> Result<BTreeMap<String, String>, Invalid> {
    let missing: Vec<Refusal> = match (owner, write) {
        (PropertyOwner::Communication, Write::Create) => REQUIRED
            .iter()
            .filter(|name| properties.get(**name).is_none_or(|v| v.trim().is_empty()))
            .map(|name| Refusal {
                name: (*name).to_owned(),
                code: "REQUIRED",
                message: format!("{name} is required"),
            })
            .collect(),
        _ => Vec::new(),
    };
    match schema.check(owner, properties, write) {
        Ok(properties) if missing.is_empty() => Ok(properties),
        Ok(_) => Err(Invalid(missing)),
        Err(mut refusals) => {
            refusals.extend(missing);
            Err(Invalid(refusals))
        }
    }
}

/// A batch input's `properties` as stored, or its per-item error (with `context`).
pub(crate) fn input_properties(
    schema: &Schema,
    owner: PropertyOwner,
    input: &Value,
    write: Write,
    context: &Value,
) -> Result<BTreeMap<String, String>, Value> {
    let properties = properties(input).map_err(|_| {
        item_error(
            "VALIDATION_ERROR",
            "properties is required",
            context.clone(),
        )
    })?;
    self::write(schema, owner, properties, write).map_err(|e| e.item(context.clone()))
}

/// HubSpot's words for a write that would repeat a unique value: `Contact already exists.
/// Existing ID: 123`.
fn conflict_message(owner: PropertyOwner, taken: &Taken) -> String {
    let name = match owner {
        PropertyOwner::Communication => "communication",
        PropertyOwner::Record(kind) => kind.singular(),
    };
    let mut chars = name.chars();
    let name: String = chars
        .next()
        .map(|first| first.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect();
    format!("{name} already exists. Existing ID: {}", taken.holder)
}

/// The 409 of a single write that would repeat a unique value.
pub(crate) fn conflict(owner: PropertyOwner, taken: &Taken) -> ApiError {
    ApiError::conflict(conflict_message(owner, taken))
}

/// The per-item error of a batch input that would repeat a unique value, with
/// `context.propertyName` beside `context`'s members.
pub(crate) fn conflict_item(owner: PropertyOwner, taken: &Taken, mut context: Value) -> Value {
    if let Some(map) = context.as_object_mut() {
        map.insert("propertyName".into(), json!([taken.property]));
    }
    item_error("CONFLICT", conflict_message(owner, taken), context)
}
