//! Reading what a request sends: JSON bodies, `properties`, ids and object types in paths.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;
use crate::object_type::ObjectType;

/// Parses a JSON body, answering HubSpot's 400 when it is not JSON.
pub(crate) fn json_value(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::validation(format!("Invalid input JSON: {e}")))
}

/// Parses a JSON body that must be an object, as every body but the labelled association's is:
/// HubSpot reads bodies into typed objects and refuses anything else (an array, a string, a
/// number, `null`) with a 400 `Invalid input JSON … Cannot deserialize …` (as its answers to
/// HubSpot's PHP SDK users show), never with an answer to an empty request.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    let value = json_value(body)?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(not_of_type(&value, "an object", "the request body"))
    }
}

/// HubSpot's 400 for a JSON value of the wrong type where its request type says another.
pub(crate) fn not_of_type(value: &Value, expected: &str, at: &str) -> ApiError {
    let found = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ApiError::validation(format!(
        "Invalid input JSON: Cannot deserialize {at}: expected {expected}, found {found}"
    ))
}

/// The `properties` object of an input as strings (numbers and booleans are accepted, as
/// HubSpot does; `null` clears).
pub(crate) fn properties(input: &Value) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(object) = input.get("properties").and_then(Value::as_object) else {
        return Err(ApiError::validation("properties is required").detail(
            "properties",
            "REQUIRED",
            "properties is required",
        ));
    };
    object
        .iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                _ => {
                    return Err(ApiError::validation(format!(
                        "property {name} must be a string"
                    )));
                }
            };
            Ok((name.clone(), text))
        })
        .collect()
}

/// An id in a path: HubSpot's ids are numbers.
pub(crate) fn parse_id(id: &str) -> Result<u64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::not_found(format!("No object with id {id}")))
}

/// An object type in a path, by name or type id.
pub(crate) fn parse_kind(name: &str) -> Result<ObjectType, ApiError> {
    ObjectType::parse(name)
        .ok_or_else(|| ApiError::validation(format!("Unknown object type {name}")))
}

/// Whether a path's object type names communications, the only type associations start from.
pub(crate) fn is_communications(object_type: &str) -> bool {
    matches!(object_type, "communications" | "communication" | "0-18")
}
