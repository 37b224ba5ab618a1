//! One OpenAPI document from the operations the manifest selects in several upstream files.
//!
//! With `[[version]]`s in the manifest, each source belongs to a version and a family of
//! operations (`objects`, …) whose base path (`/crm/v3/objects`, `/crm/objects/2026-09`) is
//! stripped from its paths: an operation is keyed by its method and version-relative path, and
//! one that several versions define is merged into one, which lists them in `x-versions`. The
//! rules, each so that a client generated once speaks every version:
//!
//! - **Namespaces**: a family whose relative paths are another family's (the properties
//!   API's `GET /{objectType}` is the objects API's list) is keyed under its `[namespace]`
//!   prefix (`/properties/{objectType}`), which the generated client leaves out of its URLs.
//! - **Operations** must be the same in every version that defines them, up to prose
//!   (descriptions, summaries, examples), names (operationId, tags), `security` (the client
//!   sets its own bearer token), vendor extensions (`x-…`) and response headers (the generated
//!   client does not read them). The first version's text is kept.
//! - **Responses** are the union of every version's statuses: a status one version lists and
//!   another does not (2026-09 lists no 207 for batches; association batch archive answers 204
//!   in v4 and 200 in 2026-03) is kept, because a client must read whatever any version
//!   answers. A status two versions define differently is refused.
//! - **Components** are carried only where a selected operation reaches them. Two definitions
//!   of one component must agree up to prose, or differ only by *widening*: an optional
//!   property one version has and the other lacks (kept), or `nullable: true` on one side
//!   (kept). The merged definition reads what either version sends; anything else is refused.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::manifest::{Manifest, Source, parse_operation, relative};
use crate::{Error, Result};

/// The component sections carried into the merged document. Security schemes are left out:
/// the client authenticates with a bearer token it sets itself.
const COMPONENT_SECTIONS: [&str; 4] = ["schemas", "responses", "parameters", "requestBodies"];

/// The extension listing the versions that define a merged operation, in the manifest's order.
pub const VERSIONS_EXTENSION: &str = "x-versions";

/// Where a merged operation came from.
struct Owner<'a> {
    family: Option<&'a str>,
    file: &'a str,
    versions: Vec<&'a str>,
}

/// Merges the selected operations of each `(source, document)` into one document.
///
/// The components the selected operations reach are carried over (pruning after patching, see
/// [`prune_unreachable`], drops what patches made unreachable); see the module's rules for
/// what several sources may define twice.
pub fn merge(manifest: &Manifest, sources: &[(&Source, Value)]) -> Result<Value> {
    let mut paths = Map::new();
    let mut owners: BTreeMap<(String, String), Owner> = BTreeMap::new();
    let mut components: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    let mut component_owner: BTreeMap<(String, String), &str> = BTreeMap::new();

    for (source, document) in sources {
        let base = manifest.base(source).map_err(|message| Error::Manifest {
            path: "client.toml".into(),
            message,
        })?;
        let mut reached = Vec::new();
        for operation in &source.operations {
            let (method, path) = parse_operation(operation).expect("checked by Manifest::load");
            let item = document.pointer(&format!("/paths/{}", escape(path)));
            let Some(body) = item.and_then(|item| item.get(&method)) else {
                return Err(Error::MissingOperation {
                    file: source.file.clone(),
                    operation: operation.clone(),
                });
            };
            collect_refs(body, &mut reached);
            let path = match base {
                Some(base) => relative(base, path).expect("checked by Manifest::load"),
                None => path,
            };
            // A family with a namespace is keyed under its prefix (its relative paths are
            // another family's); a path of another family must not look like one of those.
            let path = match manifest.namespace(source.family.as_deref()) {
                Some(prefix) => format!("{prefix}{path}"),
                None if manifest.client_path(path) != path => {
                    return Err(Error::Manifest {
                        path: "client.toml".into(),
                        message: format!(
                            "`{operation}` in {}: its relative path begins with a [namespace] prefix of another family",
                            source.file
                        ),
                    });
                }
                None => path.to_owned(),
            };
            let path = path.as_str();
            let key = (method.clone(), path.to_owned());
            let shown = format!("{} {path}", method.to_uppercase());
            let entry = paths
                .entry(path.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            let shared = item.and_then(|item| item.get("parameters"));
            match owners.get_mut(&key) {
                None => {
                    if let Some(shared) = shared {
                        entry["parameters"] = shared.clone();
                    }
                    entry[method.as_str()] = body.clone();
                    owners.insert(
                        key,
                        Owner {
                            family: source.family.as_deref(),
                            file: &source.file,
                            versions: source.version.as_deref().into_iter().collect(),
                        },
                    );
                }
                Some(owner) => {
                    let version = source.version.as_deref();
                    let again = version.is_none_or(|v| owner.versions.contains(&v));
                    if again || owner.family != source.family.as_deref() {
                        return Err(Error::DuplicateOperation {
                            operation: shown,
                            first: owner.file.to_owned(),
                            second: source.file.clone(),
                        });
                    }
                    let conflict = |what: String| Error::OperationConflict {
                        operation: shown.clone(),
                        first: owner.file.to_owned(),
                        second: source.file.clone(),
                        what,
                    };
                    if shared.map(without_prose) != entry.get("parameters").map(without_prose) {
                        return Err(conflict("the path's parameters".into()));
                    }
                    let merged = &mut entry[method.as_str()];
                    merge_operation(merged, body).map_err(conflict)?;
                    owner.versions.extend(version);
                }
            }
        }

        let reached = reachable(document, reached);
        for section in COMPONENT_SECTIONS {
            let Some(Value::Object(defined)) = document.pointer(&format!("/components/{section}"))
            else {
                continue;
            };
            let merged = components.entry(section).or_default();
            for (name, value) in defined {
                if !reached.contains(&format!("#/components/{section}/{}", escape(name))) {
                    continue;
                }
                let key = (section.to_owned(), name.clone());
                match merged.get(name) {
                    None => {
                        merged.insert(name.clone(), value.clone());
                        component_owner.insert(key, &source.file);
                    }
                    Some(existing) => match widen(existing, value) {
                        Some(wider) => {
                            merged.insert(name.clone(), wider);
                        }
                        None => {
                            return Err(Error::SchemaConflict {
                                name: format!("{section}/{name}"),
                                first: component_owner[&key].to_owned(),
                                second: source.file.clone(),
                            });
                        }
                    },
                }
            }
        }
    }

    if !manifest.versions.is_empty() {
        for ((method, path), owner) in &owners {
            paths[path.as_str()][method.as_str()][VERSIONS_EXTENSION] = json!(owner.versions);
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

/// Merges another version's definition of an operation into `merged`: equal up to prose,
/// names, security, extensions and response headers; responses are the union of both
/// versions' statuses, a status both define defined alike. Returns what differs otherwise.
fn merge_operation(merged: &mut Value, other: &Value) -> Result<(), String> {
    let without_responses = |value: &Value| {
        let mut value = without_prose(value);
        if let Some(map) = value.as_object_mut() {
            map.remove("responses");
        }
        value
    };
    if without_responses(merged) != without_responses(other) {
        let (Some(a), Some(b)) = (merged.as_object(), other.as_object()) else {
            return Err("the operation".into());
        };
        let differs: BTreeSet<&String> = a
            .keys()
            .chain(b.keys())
            .filter(|key| key.as_str() != "responses")
            .filter(|key| a.get(*key).map(without_prose) != b.get(*key).map(without_prose))
            .collect();
        return Err(format!("{differs:?}"));
    }
    let Some(Value::Object(theirs)) = other.get("responses") else {
        return Ok(());
    };
    let ours = merged["responses"]
        .as_object_mut()
        .ok_or_else(|| "responses".to_owned())?;
    for (status, response) in theirs {
        match ours.get(status) {
            None => {
                ours.insert(status.clone(), response.clone());
            }
            Some(existing) if without_prose(existing) == without_prose(response) => {}
            Some(_) => return Err(format!("the {status} response")),
        }
    }
    Ok(())
}

/// The widest of two definitions of one component: the first if they agree up to prose;
/// otherwise, if they differ only by optional properties one of them lacks and by `nullable`,
/// their union (nullable where either is). `None` if they differ in anything else.
fn widen(a: &Value, b: &Value) -> Option<Value> {
    if without_prose(a) == without_prose(b) {
        return Some(a.clone());
    }
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        return None;
    };
    let mut out = a.clone();
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        match (key.as_str(), a.get(key), b.get(key)) {
            (prose, _, theirs) if is_prose(prose) => {
                if let (None, Some(theirs)) = (a.get(key), theirs) {
                    out.insert(key.clone(), theirs.clone());
                }
            }
            ("nullable", ours, theirs) => {
                let either = [ours, theirs]
                    .into_iter()
                    .flatten()
                    .any(|v| v == &json!(true));
                out.insert(key.clone(), json!(either));
            }
            ("properties", Some(Value::Object(ours)), Some(Value::Object(theirs))) => {
                let required = |map: &Map<String, Value>, name: &str| {
                    map.get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|v| v == name))
                };
                let mut properties = ours.clone();
                for (name, theirs) in theirs {
                    let wider = match ours.get(name) {
                        Some(ours) => widen(ours, theirs)?,
                        None if required(b, name) => return None,
                        None => theirs.clone(),
                    };
                    properties.insert(name.clone(), wider);
                }
                if ours
                    .keys()
                    .any(|name| !theirs.contains_key(name) && required(a, name))
                {
                    return None;
                }
                out.insert(key.clone(), Value::Object(properties));
            }
            (_, Some(ours), Some(theirs)) => {
                out.insert(key.clone(), widen(ours, theirs)?);
            }
            _ => return None,
        }
    }
    Some(Value::Object(out))
}

/// The references reachable from `start` within `document`, transitively.
fn reachable(document: &Value, mut pending: Vec<String>) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    while let Some(reference) = pending.pop() {
        if !reached.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
        {
            collect_refs(target, &mut pending);
        }
    }
    reached
}

/// Removes the components that no operation reaches, directly or through other components,
/// so that the client holds only the types it uses.
pub fn prune_unreachable(document: &mut Value) {
    let mut pending: Vec<String> = Vec::new();
    collect_refs(&document["paths"], &mut pending);
    let reachable = reachable(document, pending);
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

/// Members that say nothing a generated client acts on: prose, names, `security` (the client
/// sets its own token), vendor extensions (`x-…`) and response headers (not read).
fn is_prose(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "summary"
            | "example"
            | "examples"
            | "operationId"
            | "tags"
            | "security"
            | "headers"
    ) || key.starts_with("x-")
}

/// The value without its prose members ([`is_prose`]), for comparing definitions. The keys of
/// a `properties` map are property names, never prose: they are all kept.
fn without_prose(value: &Value) -> Value {
    strip(value, false)
}

fn strip(value: &Value, names: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| names || !is_prose(key))
                .map(|(key, value)| (key.clone(), strip(value, !names && key == "properties")))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| strip(item, false)).collect()),
        other => other.clone(),
    }
}

/// Escapes a JSON Pointer reference token (RFC 6901).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
