//! The spec's schemas as JSON Schema validators.
//!
//! OpenAPI 3.0's schema object is draft 4 with a few changes; the one the patched document
//! uses is `nullable`, which JSON Schema spells as a `"null"` type. `$ref`s point into the
//! document (`#/components/schemas/...`), so each validator's root carries the components and
//! applies the operation's schema through `allOf`.

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

/// A validator of `schema`, whose `$ref`s resolve against `schemas` (the document's
/// `components.schemas`, converted by [`to_json_schema`]).
pub(super) fn validator(schemas: &Value, schema: &Value) -> Result<Validator, String> {
    let root = json!({
        "components": { "schemas": schemas },
        "allOf": [to_json_schema(schema)],
    });
    jsonschema::options()
        // OpenAPI 3.0's dialect: draft 4 (a `$ref`'s siblings are ignored, as 3.0 says).
        .with_draft(Draft::Draft4)
        // `date-time` is part of the contract: the raw client decodes it strictly.
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| e.to_string())
}

/// `schema` with OpenAPI's `nullable: true` written as JSON Schema's `"null"` type, everywhere
/// inside it.
pub(super) fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => {
            let mut out: Map<String, Value> = object
                .iter()
                .map(|(key, value)| (key.clone(), to_json_schema(value)))
                .collect();
            if out.remove("nullable") == Some(Value::Bool(true)) {
                allow_null(&mut out);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

fn allow_null(schema: &mut Map<String, Value>) {
    let null = Value::from("null");
    match schema.get_mut("type") {
        Some(Value::String(name)) => {
            let name = Value::from(name.as_str());
            schema.insert("type".into(), Value::Array(vec![name, null.clone()]));
        }
        Some(Value::Array(names)) if !names.contains(&null) => names.push(null.clone()),
        _ => {}
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type_and_refs_resolve() {
        let schemas = to_json_schema(&json!({
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": { "type": "string" },
                    "properties": {
                        "type": "object",
                        "additionalProperties": { "type": "string", "nullable": true },
                    },
                },
            },
        }));
        let validator =
            validator(&schemas, &json!({ "$ref": "#/components/schemas/Thing" })).unwrap();
        assert!(validator.is_valid(&json!({ "id": "1", "properties": { "a": null } })));
        assert!(!validator.is_valid(&json!({ "id": 1 })));
        assert!(!validator.is_valid(&json!({ "properties": {} })));
    }
}
