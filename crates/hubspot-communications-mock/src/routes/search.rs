//! Search of messages and of CRM records (contacts by their searchable phone properties):
//! filter groups, sorts, free text, paging and HubSpot's 10,000-result cap.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::extract::{Body, Call};
use super::input::{is_communications, json_body, parse_kind};
use super::message::MESSAGE_DEFAULTS;
use super::objects::RECORD_DEFAULTS;
use super::paging::{Offset, after_in_body};
use crate::error::ApiError;
use crate::lock::lock;
use crate::object::Object;
use crate::property::PropertyOwner;
use crate::schema::{Key, Schema};
use crate::state::Shared;

/// The most results one query can page through.
const CAP: u64 = 10_000;
/// HubSpot's limits: filter groups per search, filters per group and in all. Its search guide
/// (its Limits, as of 2026-03) says 5 groups of up to 6 filters, 18 in all; a 2024 changelog
/// had raised them to 10 and 25: the fake keeps the guide's, the stricter.
const MAX_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 6;
const MAX_FILTERS: usize = 18;
/// The most characters a search's body holds: "a query can contain a maximum of 3,000
/// characters. If the body of your request exceeds 3,000 characters, a 400 error will be
/// returned" (HubSpot's search guide, Limits).
pub const MAX_SEARCH_BODY_CHARS: usize = 3_000;
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
/// The properties free text is looked for in, by owner (HubSpot's default searchable ones).
const MESSAGE_TEXT: [&str; 1] = ["hs_communication_body"];
const RECORD_TEXT: [&str; 9] = [
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "company",
    "name",
    "domain",
    "dealname",
];

pub(super) fn router() -> Router<Arc<Shared>> {
    Router::new()
        // Its own route: `/crm/v3/objects/communications/{id}` would take it first.
        .route(
            "/crm/v3/objects/communications/search",
            post(search_communications),
        )
        .route("/crm/v3/objects/{object_type}/search", post(search_objects))
}

async fn search_communications(
    State(shared): State<Arc<Shared>>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    search(&shared, PropertyOwner::Communication, &body)
}

async fn search_objects(
    Call(shared, object_type, _): Call<String>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let owner = if is_communications(&object_type) {
        PropertyOwner::Communication
    } else {
        PropertyOwner::Record(parse_kind(&object_type)?)
    };
    search(&shared, owner, &body)
}

fn search(
    shared: &Shared,
    owner: PropertyOwner,
    body: &bytes::Bytes,
) -> Result<Response, ApiError> {
    let schema = shared.schema();
    let request = json_body(body)?;
    let chars = String::from_utf8_lossy(body).chars().count();
    if chars > MAX_SEARCH_BODY_CHARS {
        return Err(ApiError::validation(format!(
            "The search request's body holds {chars} characters; at most {MAX_SEARCH_BODY_CHARS} are allowed"
        ))
        .detail(
            "body",
            "TOO_LONG",
            format!("at most {MAX_SEARCH_BODY_CHARS} characters"),
        ));
    }
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
    let groups: Vec<Vec<Condition>> = groups
        .iter()
        .map(|group| {
            filters(group)
                .map(|f| Condition::new(&schema, owner, f))
                .collect()
        })
        .collect();
    let query = request.get("query").and_then(Value::as_str);
    let query = query.map(str::to_lowercase);
    let schema = &*schema;
    let properties: Vec<String> = request
        .get("properties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let properties = schema.known(owner, &properties);

    let mut store = lock(&shared.store);
    let mut found: Vec<&Object> = store
        .searchable(owner)
        .filter(|m| m.archived_at.is_none())
        .filter(|m| groups.is_empty() || groups.iter().any(|g| g.iter().all(|c| c.matches(m))))
        .filter(|m| {
            query
                .as_ref()
                .is_none_or(|q| text_of(owner, m).contains(q.as_str()))
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
            let key = |m: &Object| m.properties.get(&name).map(|v| schema.key(owner, &name, v));
            let order = compare(key(a).as_ref(), key(b).as_ref());
            if descending { order.reverse() } else { order }
        });
    }
    let total = found.len();
    let defaults: &[&str] = match owner {
        PropertyOwner::Communication => &MESSAGE_DEFAULTS,
        PropertyOwner::Record(_) => &RECORD_DEFAULTS,
    };
    let results: Vec<Value> = found
        .iter()
        .skip(page.skip)
        .take(limit)
        .map(|m| m.to_json(&properties, &[], defaults))
        .collect();
    let mut body = json!({"total": total, "results": results});
    if let Some(paging) = page.paging(total) {
        body["paging"] = paging;
    }
    Ok(axum::Json(body).into_response())
}

/// The text a free-text query is looked for in: the owner's default searchable properties.
fn text_of(owner: PropertyOwner, object: &Object) -> String {
    let names: &[&str] = match owner {
        PropertyOwner::Communication => &MESSAGE_TEXT,
        PropertyOwner::Record(_) => &RECORD_TEXT,
    };
    names
        .iter()
        .filter_map(|name| object.properties.get(*name))
        .map(|value| value.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
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

/// One filter, its values read once per search (as keys of the property's type) rather than
/// once per object: an `IN` of 100 numbers over 20,000 contacts stays cheap.
struct Condition<'a> {
    schema: &'a Schema,
    owner: PropertyOwner,
    name: String,
    operator: String,
    value: Option<String>,
    value_key: Option<Key>,
    high_key: Option<Key>,
    values: Vec<Key>,
    /// The text keys of `values`, for `IN` and `NOT_IN` in constant time.
    texts: std::collections::HashSet<String>,
}

impl<'a> Condition<'a> {
    fn new(schema: &'a Schema, owner: PropertyOwner, filter: &Value) -> Self {
        let name = filter
            .get("propertyName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let key = |v: &str| schema.key(owner, &name, v);
        let value = value_text(filter.get("value"));
        let values: Vec<Key> = filter
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| value_text(Some(v)))
            .map(|v| key(&v))
            .collect();
        Self {
            value_key: value.as_deref().map(key),
            high_key: value_text(filter.get("highValue")).map(|v| key(&v)),
            texts: values
                .iter()
                .filter_map(|v| match v {
                    Key::Text(text) => Some(text.clone()),
                    Key::Number(_) => None,
                })
                .collect(),
            values,
            operator: filter
                .get("operator")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            value,
            schema,
            owner,
            name,
        }
    }

    fn matches(&self, object: &Object) -> bool {
        let stored = object.properties.get(&self.name);
        let actual = stored.map(|v| self.schema.key(self.owner, &self.name, v));
        let against = |v: Option<&Key>| compare(actual.as_ref(), v);
        let is_in = |a: &Key| match a {
            Key::Text(text) => self.texts.contains(text),
            Key::Number(_) => self.values.iter().any(|v| a.order(v) == Ordering::Equal),
        };
        let has = actual.is_some();
        let token = self.value.as_deref().unwrap_or_default();
        let value_key = self.value_key.as_ref();
        match self.operator.as_str() {
            "EQ" => has && against(value_key) == Ordering::Equal,
            "NEQ" => against(value_key) != Ordering::Equal,
            "LT" => has && against(value_key) == Ordering::Less,
            "LTE" => has && against(value_key) != Ordering::Greater,
            "GT" => has && against(value_key) == Ordering::Greater,
            "GTE" => has && against(value_key) != Ordering::Less,
            "BETWEEN" => {
                has && against(value_key) != Ordering::Less
                    && against(self.high_key.as_ref()) != Ordering::Greater
            }
            "IN" => actual.as_ref().is_some_and(is_in),
            "NOT_IN" => !actual.as_ref().is_some_and(is_in),
            "HAS_PROPERTY" => has,
            "NOT_HAS_PROPERTY" => !has,
            "CONTAINS_TOKEN" => stored.is_some_and(|a| contains_token(a, token)),
            "NOT_CONTAINS_TOKEN" => !stored.is_some_and(|a| contains_token(a, token)),
            _ => false,
        }
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
        let owner = PropertyOwner::Communication;
        let (nine, ten) = (
            schema.key(owner, "hs_object_id", "9"),
            schema.key(owner, "hs_object_id", "10"),
        );
        assert_eq!(compare(Some(&nine), Some(&ten)), Ordering::Less);
    }
}
