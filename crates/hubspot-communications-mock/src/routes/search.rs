//! Search: filter groups, sorts, free text, paging and HubSpot's 10,000-result cap.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::extract::Body;
use super::input::json_body;
use super::message::MESSAGE_DEFAULTS;
use super::paging::{Offset, after_in_body};
use crate::error::ApiError;
use crate::object::Object;
use crate::property::PropertyOwner;
use crate::schema::{Key, Schema};
use crate::state::{Shared, lock};

/// The most results one query can page through.
const CAP: u64 = 10_000;
/// HubSpot's limits: filter groups per search, filters per group and in all, `query` length.
const MAX_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 10;
const MAX_FILTERS: usize = 25;
const MAX_QUERY: usize = 3_000;
/// The operators HubSpot's search knows.
const OPERATORS: [&str; 13] = [
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];
const OWNER: PropertyOwner = PropertyOwner::Communication;

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new().route("/crm/v3/objects/communications/search", post(search))
}

async fn search(State(shared): State<Arc<Shared>>, Body(body): Body) -> Result<Response, ApiError> {
    let request = json_body(&body)?;
    let limit = match request.get("limit") {
        None | Some(Value::Null) => 10,
        Some(value) => match value.as_u64() {
            Some(n @ 1..=200) => n as usize,
            _ => {
                return Err(ApiError::validation(format!(
                    "limit must be between 1 and 200, not {value}"
                )));
            }
        },
    };
    let after = after_in_body(request.get("after"))?;
    let page = Offset::new(after, limit);
    if page.end > CAP {
        return Err(ApiError::validation(format!(
            "Search can return at most {CAP} results; after {after} with limit {limit} goes past it"
        )));
    }
    let groups = request
        .get("filterGroups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_limits(&groups)?;
    let query = request.get("query").and_then(Value::as_str);
    if let Some(text) = query.filter(|q| q.chars().count() > MAX_QUERY) {
        return Err(ApiError::validation(format!(
            "query must be at most {MAX_QUERY} characters, not {}",
            text.chars().count()
        ))
        .detail(
            "query",
            "TOO_LONG",
            format!("at most {MAX_QUERY} characters"),
        ));
    }
    let query = query.map(str::to_lowercase);
    let schema = &shared.schema;
    let properties: Vec<String> = request
        .get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let properties = schema.known(OWNER, &properties);

    let store = lock(&shared.store);
    let mut found: Vec<&Object> = store
        .communications
        .values()
        .filter(|m| m.archived_at.is_none())
        .filter(|m| groups.is_empty() || groups.iter().any(|g| matches_group(schema, m, g)))
        .filter(|m| {
            query
                .as_ref()
                .is_none_or(|q| text_of(m).contains(q.as_str()))
        })
        .collect();
    for sort in request
        .get("sorts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .rev()
    {
        let (name, descending) = match sort {
            Value::String(s) => (s.trim_start_matches('-').to_owned(), s.starts_with('-')),
            other => (
                other
                    .get("propertyName")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                other.get("direction").and_then(Value::as_str) == Some("DESCENDING"),
            ),
        };
        // Stable sorts, last key first: the first sort decides, later ones break ties.
        found.sort_by(|a, b| {
            let key = |m: &Object| m.properties.get(&name).map(|v| schema.key(OWNER, &name, v));
            let order = compare(key(a).as_ref(), key(b).as_ref());
            if descending { order.reverse() } else { order }
        });
    }
    let total = found.len();
    let results: Vec<Value> = found
        .iter()
        .skip(page.skip)
        .take(limit)
        .map(|m| m.to_json(&properties, &[], &MESSAGE_DEFAULTS))
        .collect();
    let mut body = json!({"total": total, "results": results});
    if let Some(paging) = page.paging(total) {
        body["paging"] = paging;
    }
    Ok(axum::Json(body).into_response())
}

fn text_of(message: &Object) -> String {
    message
        .properties
        .get("hs_communication_body")
        .map(|b| b.to_lowercase())
        .unwrap_or_default()
}

fn matches_group(schema: &Schema, message: &Object, group: &Value) -> bool {
    filters(group).all(|filter| matches_filter(schema, message, filter))
}

fn filters(group: &Value) -> impl Iterator<Item = &Value> {
    group
        .get("filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A filter value as text: HubSpot takes strings, numbers and booleans alike.
fn value_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn matches_filter(schema: &Schema, message: &Object, filter: &Value) -> bool {
    let name = filter
        .get("propertyName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = |v: &str| schema.key(OWNER, name, v);
    let actual = message.properties.get(name).map(|v| key(v));
    let value = value_text(filter.get("value"));
    let value_key = value.as_deref().map(key);
    let values: Vec<Key> = filter
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| value_text(Some(v)))
        .map(|v| key(&v))
        .collect();
    let against = |v: Option<&Key>| compare(actual.as_ref(), v);
    let is_in = |a: &Key| values.iter().any(|v| a.order(v) == Ordering::Equal);
    let has = actual.is_some();
    match filter
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "EQ" => has && against(value_key.as_ref()) == Ordering::Equal,
        "NEQ" => against(value_key.as_ref()) != Ordering::Equal,
        "LT" => has && against(value_key.as_ref()) == Ordering::Less,
        "LTE" => has && against(value_key.as_ref()) != Ordering::Greater,
        "GT" => has && against(value_key.as_ref()) == Ordering::Greater,
        "GTE" => has && against(value_key.as_ref()) != Ordering::Less,
        "BETWEEN" => {
            let high = value_text(filter.get("highValue")).map(|v| key(&v));
            has && against(value_key.as_ref()) != Ordering::Less
                && against(high.as_ref()) != Ordering::Greater
        }
        "IN" => actual.as_ref().is_some_and(is_in),
        "NOT_IN" => !actual.as_ref().is_some_and(is_in),
        "HAS_PROPERTY" => has,
        "NOT_HAS_PROPERTY" => !has,
        "CONTAINS_TOKEN" => message
            .properties
            .get(name)
            .is_some_and(|a| contains_token(a, value.as_deref().unwrap_or_default())),
        "NOT_CONTAINS_TOKEN" => !message
            .properties
            .get(name)
            .is_some_and(|a| contains_token(a, value.as_deref().unwrap_or_default())),
        _ => false,
    }
}

/// HubSpot's limits on filters: groups, filters per group and in all, known operators.
fn check_limits(groups: &[Value]) -> Result<(), ApiError> {
    let refuse = |code: &str, message: String| {
        Err(ApiError::validation(message.clone()).detail("filterGroups", code, message))
    };
    if groups.len() > MAX_GROUPS {
        return refuse(
            "TOO_MANY_FILTER_GROUPS",
            format!(
                "At most {MAX_GROUPS} filterGroups are allowed, not {}",
                groups.len()
            ),
        );
    }
    let mut total = 0;
    for group in groups {
        let count = filters(group).count();
        if count > MAX_FILTERS_PER_GROUP {
            return refuse(
                "TOO_MANY_FILTERS",
                format!(
                    "At most {MAX_FILTERS_PER_GROUP} filters are allowed in a filterGroup, not {count}"
                ),
            );
        }
        total += count;
        for filter in filters(group) {
            let operator = filter
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !OPERATORS.contains(&operator) {
                return refuse(
                    "INVALID_OPERATOR",
                    format!(
                        "Unknown filter operator {operator:?}; expected one of {}",
                        OPERATORS.join(", ")
                    ),
                );
            }
        }
    }
    if total > MAX_FILTERS {
        return refuse(
            "TOO_MANY_FILTERS",
            format!(
                "At most {MAX_FILTERS} filters are allowed across all filterGroups, not {total}"
            ),
        );
    }
    Ok(())
}

/// A word of the value matches the token; `*` in the token matches anything.
fn contains_token(value: &str, token: &str) -> bool {
    let token = token.to_lowercase();
    let parts: Vec<&str> = token.split('*').collect();
    value
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| {
            if parts.len() == 1 {
                return word == token;
            }
            let mut rest = word;
            parts
                .iter()
                .enumerate()
                .all(|(i, part)| match rest.find(part) {
                    Some(at) if i > 0 || at == 0 => {
                        rest = &rest[at + part.len()..];
                        true
                    }
                    _ => false,
                })
                && (token.ends_with('*') || rest.is_empty())
        })
}

/// Typed keys compare by type; a missing value sorts first.
fn compare(a: Option<&Key>, b: Option<&Key>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.order(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_words_and_wildcards() {
        assert!(contains_token(
            "Texted Linda about the contract.",
            "contract"
        ));
        assert!(contains_token("Texted Linda", "lin*"));
        assert!(!contains_token("Texted Linda", "lind"));
    }

    #[test]
    fn numbers_compare_as_numbers() {
        let schema = Schema::new(&[]);
        let (nine, ten) = (
            schema.key(OWNER, "hs_object_id", "9"),
            schema.key(OWNER, "hs_object_id", "10"),
        );
        assert_eq!(compare(Some(&nine), Some(&ten)), Ordering::Less);
    }
}
