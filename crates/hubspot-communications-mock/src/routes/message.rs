//! A message as routes answer it: default properties, asked-for associations, ids by property.

use serde_json::{Map, Value, json};

use super::id_property::{check_id_property, resolve};
use super::input::parse_id;
use super::query::Query;
use crate::error::ApiError;
use crate::object_type::ObjectType;
use crate::property::PropertyOwner;
use crate::schema::Schema;
use crate::store::Store;

/// The properties a message returns when none are asked for.
pub(crate) const MESSAGE_DEFAULTS: [&str; 5] = [
    "hs_communication_channel_type",
    "hs_communication_logged_from",
    "hs_communication_body",
    "hs_timestamp",
    "hubspot_owner_id",
];

/// A stored message with the properties, history and associations a query asks for, or
/// `None` if there is no message `id`.
pub(crate) fn message_json(
    store: &Store,
    schema: &Schema,
    id: u64,
    query: &Query,
) -> Option<Value> {
    let message = store.communications.get(&id)?;
    let owner = PropertyOwner::Communication;
    let mut body = message.to_json(
        &schema.known(owner, &query.list("properties")),
        &schema.known(owner, &query.list("propertiesWithHistory")),
        &MESSAGE_DEFAULTS,
    );
    let asked: Vec<ObjectType> = query
        .list("associations")
        .iter()
        .filter_map(|n| ObjectType::parse(n))
        .collect();
    if !asked.is_empty() {
        body["associations"] = associations_json(store, id, &asked);
    }
    Some(body)
}

/// `{contacts: {results: [{id, type}]}}` for the asked kinds that have associations.
pub(crate) fn associations_json(store: &Store, id: u64, kinds: &[ObjectType]) -> Value {
    let mut map = Map::new();
    for kind in kinds {
        let results: Vec<Value> = store
            .associations_of(id, *kind)
            .into_iter()
            .flat_map(|associated| {
                let record = associated.id.to_string();
                associated
                    .types
                    .into_iter()
                    .map(move |how| json!({"id": record, "type": how.v3_name()}))
            })
            .collect();
        if !results.is_empty() {
            map.insert(kind.as_str().to_owned(), json!({"results": results}));
        }
    }
    Value::Object(map)
}

/// A path id, or the message whose `id_property` (a unique property) has that value.
pub(crate) fn resolve_id(
    store: &mut Store,
    schema: &Schema,
    id: &str,
    id_property: Option<&str>,
) -> Result<u64, ApiError> {
    let owner = PropertyOwner::Communication;
    check_id_property(schema, owner, id_property)?;
    match id_property.filter(|p| *p != "hs_object_id") {
        None => parse_id(id),
        Some(property) => resolve(store, owner, id, Some(property))
            .ok_or_else(|| ApiError::not_found(format!("No communication with {property} = {id}"))),
    }
}
