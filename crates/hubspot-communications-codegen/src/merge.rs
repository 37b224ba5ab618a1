//! One OpenAPI document from the operations the manifest selects in several upstream files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::manifest::{Manifest, Source, parse_operation};
use crate::{Error, Result};

/// The component sections carried into the merged document. Security schemes are left out:
/// the client authenticates with a bearer token it sets itself.
const COMPONENT_SECTIONS: [&str; 4] = ["schemas", "responses", "parameters", "requestBodies"];

/// Merges the selected operations of each `(source, document)` into one document.
///
/// Every component of every source is carried over (pruning comes after patching, see
/// [`prune_unreachable`]); a component defined by two sources must be the same in both, up to
/// descriptions and examples, and the first source's text is kept.
pub fn merge(manifest: &Manifest, sources: &[(&Source, Value)]) -> Result<Value> {
    let mut paths = Map::new();
    let mut operation_owner: BTreeMap<String, &str> = BTreeMap::new();
    let mut components: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    let mut component_owner: BTreeMap<(String, String), &str> = BTreeMap::new();

    for (source, document) in sources {
        for operation in &source.operations {
            let (method, path) = parse_operation(operation).expect("checked by Manifest::load");
            let item = document.pointer(&format!("/paths/{}", escape(path)));
            let Some(body) = item.and_then(|item| item.get(&method)) else {
                return Err(Error::MissingOperation {
                    file: source.file.clone(),
                    operation: operation.clone(),
                });
            };
            if let Some(first) = operation_owner.insert(operation.clone(), &source.file) {
                return Err(Error::DuplicateOperation {
                    operation: operation.clone(),
                    first: first.to_owned(),
                    second: source.file.clone(),
                });
            }
            let entry = paths
                .entry(path.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(shared) = item.and_then(|item| item.get("parameters")) {
                entry["parameters"] = shared.clone();
            }
            entry[method.as_str()] = body.clone();
        }

        for section in COMPONENT_SECTIONS {
            let Some(Value::Object(defined)) = document.pointer(&format!("/components/{section}"))
            else {
                continue;
            };
            let merged = components.entry(section).or_default();
            for (name, value) in defined {
                let key = (section.to_owned(), name.clone());
                match merged.get(name) {
                    None => {
                        merged.insert(name.clone(), value.clone());
                        component_owner.insert(key, &source.file);
                    }
                    Some(existing) if without_prose(existing) == without_prose(value) => {}
                    Some(_) => {
                        return Err(Error::SchemaConflict {
                            name: format!("{section}/{name}"),
                            first: component_owner[&key].to_owned(),
                            second: source.file.clone(),
                        });
                    }
                }
            }
        }
    }

    let mut info = json!({
        "title": manifest.info.title,
        "version": manifest.info.version,
    });
    if let Some(description) = &manifest.info.description {
        info["description"] = json!(description);
    }
    let servers = sources
        .first()
        .and_then(|(_, document)| document.get("servers").cloned())
        .unwrap_or_else(|| json!([]));
    Ok(json!({
        "openapi": "3.0.3",
        "info": info,
        "servers": servers,
        "paths": paths,
        "components": components,
    }))
}

/// Removes the components that no operation reaches, directly or through other components,
/// so that the client holds only the types it uses.
pub fn prune_unreachable(document: &mut Value) {
    let mut reachable: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    collect_refs(&document["paths"], &mut pending);
    while let Some(reference) = pending.pop() {
        if !reachable.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
        {
            collect_refs(target, &mut pending);
        }
    }
    if let Some(Value::Object(components)) = document.get_mut("components") {
        for (section, entries) in components.iter_mut() {
            if let Value::Object(entries) = entries {
                entries.retain(|name, _| {
                    reachable.contains(&format!("#/components/{section}/{}", escape(name)))
                });
            }
        }
        components.retain(|_, entries| entries.as_object().is_none_or(|e| !e.is_empty()));
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => out.push(reference.clone()),
                    _ => collect_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The value without `description` and `example` members, for comparing definitions.
fn without_prose(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "description" | "example"))
                .map(|(key, value)| (key.clone(), without_prose(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}

/// Escapes a JSON Pointer reference token (RFC 6901).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
