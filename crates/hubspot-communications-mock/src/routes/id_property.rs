//! Naming an object by a unique property (`idProperty`) instead of its id: which names
//! HubSpot accepts, and the object a value names.

use serde_json::Value;

use super::batch::{no_duplicates, optional_text, required_text};
use crate::error::ApiError;
use crate::property::PropertyOwner;
use crate::schema::{Schema, canonical};
use crate::store::Store;

/// Refuses an `idProperty` that is not a unique property of `owner`, as HubSpot does.
pub(crate) fn check_id_property(
    schema: &Schema,
    owner: PropertyOwner,
    name: Option<&str>,
) -> Result<(), ApiError> {
    match name {
        Some(name) if !schema.is_unique(owner, name) => Err(ApiError::validation(format!(
            "{name} is not a unique property of {} and cannot be used as idProperty",
            owner.plural()
        ))
        .detail(
            "idProperty",
            "INVALID_ID_PROPERTY",
            "must name a unique property",
        )),
        _ => Ok(()),
    }
}

/// The object of `owner` an input names: by id, or by the value of a unique property (read
/// as HubSpot keeps it: a contact's e-mail address in any case). Archived or not.
pub(crate) fn resolve(
    store: &mut Store,
    owner: PropertyOwner,
    id: &str,
    id_property: Option<&str>,
) -> Option<u64> {
    match id_property.filter(|p| *p != "hs_object_id") {
        None => id.parse().ok(),
        Some(property) => {
            let value = canonical(owner, property, id.to_owned());
            store.find_by(owner, property, &value)
        }
    }
}

/// Refuses what HubSpot refuses of batch inputs named by id or by a unique property: an
/// `idProperty` that is not unique, an object named twice (by its value as HubSpot keeps it:
/// `Linda@example.com` and `linda@example.com` are one contact).
pub(super) fn check_keyed_inputs(
    schema: &Schema,
    owner: PropertyOwner,
    inputs: &[Value],
) -> Result<(), ApiError> {
    let mut keys = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let id_property = optional_text(
            input.get("idProperty"),
            &format!("inputs[{index}].idProperty"),
        )?;
        let id_property = id_property.as_deref();
        check_id_property(schema, owner, id_property)?;
        let id = required_text(input.get("id"), &format!("inputs[{index}].id"))?;
        keys.push(match id_property {
            Some(property) => canonical(owner, property, id),
            None => id,
        });
    }
    no_duplicates(keys.iter().map(String::as_str))
}
