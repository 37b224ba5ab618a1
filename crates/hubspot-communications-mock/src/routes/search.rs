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
use crate::state::{Shared, lock};

/// The most results one query can page through.
const CAP: u64 = 10_000;

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
    let query = request
        .get("query")
        .and_then(Value::as_str)
        .map(str::to_lowercase);
    let properties: Vec<String> = request
        .get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();

    let store = lock(&shared.store);
    let mut found: Vec<&Object> = store
        .communications
        .values()
        .filter(|m| m.archived_at.is_none())
        .filter(|m| groups.is_empty() || groups.iter().any(|g| matches_group(m, g)))
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
        found.sort_by(|a, b| {
            let order = compare(a.properties.get(&name), b.properties.get(&name));
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

fn matches_group(message: &Object, group: &Value) -> bool {
    group
        .get("filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|filter| matches_filter(message, filter))
}

fn matches_filter(message: &Object, filter: &Value) -> bool {
    let name = filter
        .get("propertyName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let actual = message.properties.get(name);
    let value = filter.get("value").and_then(Value::as_str);
    let values: Vec<&str> = filter
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let against = |v: Option<&str>| compare(actual, v.map(str::to_owned).as_ref());
    match filter
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "EQ" => actual.is_some() && against(value) == Ordering::Equal,
        "NEQ" => against(value) != Ordering::Equal,
        "LT" => actual.is_some() && against(value) == Ordering::Less,
        "LTE" => actual.is_some() && against(value) != Ordering::Greater,
        "GT" => actual.is_some() && against(value) == Ordering::Greater,
        "GTE" => actual.is_some() && against(value) != Ordering::Less,
        "BETWEEN" => {
            let high = filter.get("highValue").and_then(Value::as_str);
            actual.is_some()
                && against(value) != Ordering::Less
                && against(high) != Ordering::Greater
        }
        "IN" => actual.is_some_and(|a| values.iter().any(|v| a.eq_ignore_ascii_case(v))),
        "NOT_IN" => actual.is_none_or(|a| !values.iter().any(|v| a.eq_ignore_ascii_case(v))),
        "HAS_PROPERTY" => actual.is_some(),
        "NOT_HAS_PROPERTY" => actual.is_none(),
        "CONTAINS_TOKEN" => actual.is_some_and(|a| contains_token(a, value.unwrap_or_default())),
        "NOT_CONTAINS_TOKEN" => {
            !actual.is_some_and(|a| contains_token(a, value.unwrap_or_default()))
        }
        _ => false,
    }
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

/// Numbers compare as numbers, everything else as case-insensitive text; a missing value
/// sorts first.
fn compare(a: Option<&String>, b: Option<&String>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.to_lowercase().cmp(&b.to_lowercase()),
        },
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
        assert_eq!(
            compare(Some(&"9".into()), Some(&"10".into())),
            Ordering::Less
        );
    }
}
