//! What changed in an API between two versions of an upstream file: operations and schemas
//! added, removed or altered.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde_json::Value;

/// A readable report of the differences between two versions of an OpenAPI document.
pub fn describe(old: &[u8], new: &[u8]) -> Result<String> {
    let old: Value = serde_json::from_slice(old)?;
    let new: Value = serde_json::from_slice(new)?;
    let mut out = String::new();
    section(&mut out, "operations", &operations(&old), &operations(&new));
    section(&mut out, "schemas", &schemas(&old), &schemas(&new));
    if out.is_empty() {
        out.push_str("  no operation or schema changed (descriptions or metadata only)\n");
    }
    Ok(out)
}

fn section(
    out: &mut String,
    what: &str,
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
) {
    for (name, value) in new {
        match old.get(name) {
            None => {
                let _ = writeln!(out, "  + {what}: {name}");
            }
            Some(before) if before != value => {
                let _ = writeln!(out, "  ~ {what}: {name}");
            }
            Some(_) => {}
        }
    }
    for name in old.keys().filter(|name| !new.contains_key(*name)) {
        let _ = writeln!(out, "  - {what}: {name}");
    }
}

/// `METHOD /path` to operation.
pub fn operations(document: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if method != "parameters" && !method.starts_with("x-") {
                    out.insert(
                        format!("{} {path}", method.to_uppercase()),
                        operation.clone(),
                    );
                }
            }
        }
    }
    out
}

fn schemas(document: &Value) -> BTreeMap<String, Value> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}
