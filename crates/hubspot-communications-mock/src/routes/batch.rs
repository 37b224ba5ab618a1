//! HubSpot's batch shape, shared by every batch endpoint: a body's `inputs` (at most so many),
//! each input's outcome, and the answer: 200/201 with the results, or 207 with per-item
//! errors when some inputs failed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Value, json};

use super::input::{json_body, not_of_type};
use crate::error::{ApiError, item_error};
use crate::object::timestamp;

/// The most inputs a batch of objects or of property definitions takes (association
/// batches take more).
pub(super) const MAX_INPUTS: usize = 100;

/// A batch body and its inputs.
pub(super) struct Batch {
    pub(super) body: Value,
    pub(super) inputs: Vec<Value>,
}

/// The `inputs` of a batch body, at most `max`.
pub(super) fn inputs(body: &Bytes, max: usize) -> Result<Batch, ApiError> {
    let body = json_body(body)?;
    let Some(inputs) = body.get("inputs").and_then(Value::as_array).cloned() else {
        return Err(ApiError::validation("inputs is required").detail(
            "inputs",
            "REQUIRED",
            "inputs is required",
        ));
    };
    if let Some((index, input)) = inputs.iter().enumerate().find(|(_, i)| !i.is_object()) {
        return Err(not_of_type(input, "an object", &format!("inputs[{index}]")));
    }
    at_most(&inputs, max)?;
    Ok(Batch { body, inputs })
}

/// Refuses more than `max` inputs.
pub(super) fn at_most(inputs: &[Value], max: usize) -> Result<(), ApiError> {
    if inputs.len() > max {
        return Err(ApiError::validation(format!(
            "Batch input limit is {max}, but {} were given",
            inputs.len()
        ))
        .detail("inputs", "TOO_MANY", format!("at most {max} inputs")));
    }
    Ok(())
}

/// Why one input has no result.
pub(super) enum Refused {
    /// Its own per-item error.
    Error(Value),
    /// What it names is not there: HubSpot names every such input in one error.
    Missing(String),
}

impl From<Value> for Refused {
    fn from(error: Value) -> Self {
        Self::Error(error)
    }
}

/// What became of a batch's inputs.
pub(super) struct Outcome {
    results: Vec<Value>,
    errors: Vec<Value>,
    missing: Vec<String>,
}

impl Outcome {
    /// Runs `each` over the inputs, in order.
    pub(super) fn run<T>(
        inputs: impl IntoIterator<Item = T>,
        mut each: impl FnMut(T) -> Result<Value, Refused>,
    ) -> Self {
        let mut outcome = Self {
            results: Vec::new(),
            errors: Vec::new(),
            missing: Vec::new(),
        };
        for input in inputs {
            match each(input) {
                Ok(result) => outcome.results.push(result),
                Err(Refused::Error(error)) => outcome.errors.push(error),
                Err(Refused::Missing(name)) => outcome.missing.push(name),
            }
        }
        outcome
    }

    /// Adds the one `OBJECT_NOT_FOUND` error naming every missing input (in `context[key]`;
    /// `message` words it), if any was.
    pub(super) fn not_found(
        mut self,
        message: impl FnOnce(&[String]) -> String,
        key: &str,
    ) -> Self {
        if !self.missing.is_empty() {
            let message = message(&self.missing);
            let context = json!({ key: self.missing });
            self.errors
                .push(item_error("OBJECT_NOT_FOUND", message, context));
        }
        self
    }

    /// The first per-item error, if any input failed.
    pub(super) fn first_error(&self) -> Option<&Value> {
        self.errors.first()
    }

    /// `success`, or 207 with `errors` and `numErrors` when some inputs failed.
    pub(super) fn answer(self, success: StatusCode) -> Response {
        debug_assert!(self.missing.is_empty() || !self.errors.is_empty());
        let now = timestamp(Utc::now());
        let mut body = json!({"status": "COMPLETE", "results": self.results, "startedAt": now, "completedAt": now});
        if self.errors.is_empty() {
            return (success, axum::Json(body)).into_response();
        }
        body["numErrors"] = json!(self.errors.len());
        body["errors"] = json!(self.errors);
        (StatusCode::MULTI_STATUS, axum::Json(body)).into_response()
    }
}

/// An id as text: HubSpot takes `"12"` and `12` alike.
pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The `id` of every input, as text: each must be given, as a string or a number (HubSpot
/// refuses the whole body otherwise, as it cannot read it into its request type).
pub(super) fn ids(inputs: &[Value]) -> Result<Vec<String>, ApiError> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, input)| required_text(input.get("id"), &format!("inputs[{index}].id")))
        .collect()
}

/// A field that must be a string (or a number, which HubSpot reads as one).
pub(super) fn required_text(value: Option<&Value>, at: &str) -> Result<String, ApiError> {
    match value {
        None | Some(Value::Null) => Err(ApiError::validation(format!("{at} is required")).detail(
            at,
            "REQUIRED",
            format!("{at} is required"),
        )),
        Some(value) => text(Some(value)).ok_or_else(|| not_of_type(value, "a string", at)),
    }
}

/// A field that may be absent (or `null`), else a string (or a number).
pub(super) fn optional_text(value: Option<&Value>, at: &str) -> Result<Option<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => required_text(Some(value), at).map(Some),
    }
}

/// A list of names (`properties`, `propertiesWithHistory`), as text.
pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| text(Some(v)))
        .collect()
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
