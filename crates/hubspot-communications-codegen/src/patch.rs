//! The project's RFC 6902 patches: each operation carries a `reason` member (which RFC 6902
//! says to ignore), and one without a reason is refused.

use serde_json::Value;

use crate::{Error, Result};

/// A parsed patch file.
#[derive(Debug, Clone)]
pub struct Patch {
    file: String,
    operations: Vec<(json_patch::PatchOperation, String)>,
}

impl Patch {
    /// Parses a patch file's JSON: an array of operations, each with a non-empty `reason`.
    pub fn parse(file: &str, json: &Value) -> Result<Self> {
        let invalid = |message: String| Error::Json {
            path: file.into(),
            message,
        };
        let items = json
            .as_array()
            .ok_or_else(|| invalid("a patch file is a JSON array of operations".into()))?;
        let mut operations = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let reason = item
                .get("reason")
                .and_then(Value::as_str)
                .filter(|reason| !reason.trim().is_empty())
                .ok_or_else(|| Error::UnexplainedPatch {
                    file: file.to_owned(),
                    index,
                })?;
            let operation = serde_json::from_value(item.clone())
                .map_err(|e| invalid(format!("operation #{index}: {e}")))?;
            operations.push((operation, reason.to_owned()));
        }
        Ok(Self {
            file: file.to_owned(),
            operations,
        })
    }

    /// Applies every operation in order, stopping at the first that does not apply.
    pub fn apply(&self, document: &mut Value) -> Result<()> {
        for (index, (operation, reason)) in self.operations.iter().enumerate() {
            json_patch::patch(document, std::slice::from_ref(operation)).map_err(|e| {
                Error::PatchFailed {
                    file: self.file.clone(),
                    index,
                    operation: operation.to_string(),
                    reason: reason.clone(),
                    message: e.to_string(),
                }
            })?;
        }
        Ok(())
    }

    /// The operations with their reasons.
    pub fn operations(&self) -> impl Iterator<Item = (&json_patch::PatchOperation, &str)> {
        self.operations
            .iter()
            .map(|(op, reason)| (op, reason.as_str()))
    }
}
