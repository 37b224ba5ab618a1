//! Association types as clients send them: `{associationCategory, associationTypeId}` specs,
//! v3 path types, and the `associations` of a create input.

use serde_json::Value;

use crate::association::AssociationType;
use crate::error::ApiError;
use crate::kind::ObjectKind;
use crate::store::{RecordId, Store};

/// A category and id, checked against the kind of record they point at.
pub(crate) fn association_type(
    category: &str,
    type_id: i64,
    kind: ObjectKind,
) -> Result<AssociationType, ApiError> {
    // An id past 32 bits is no type at all; cutting it down could turn it into a valid one.
    let id = i32::try_from(type_id).ok();
    match (category, id) {
        ("HUBSPOT_DEFINED", Some(id)) if ObjectKind::of_default_type(id) == Some(kind) => {
            Ok(AssociationType::HubSpot(kind))
        }
        ("HUBSPOT_DEFINED", _) => Err(ApiError::validation(format!(
            "{type_id} is not a valid association type from a communication to a {}",
            kind.singular()
        ))),
        ("USER_DEFINED", Some(id)) if id > 0 => Ok(AssociationType::User(id)),
        ("INTEGRATOR_DEFINED", Some(id)) if id > 0 => Ok(AssociationType::Integrator(id)),
        _ => Err(ApiError::validation(format!(
            "Invalid association category {category:?}"
        ))),
    }
}

/// `{associationCategory, associationTypeId}`, checked against the record's kind.
pub(crate) fn from_spec(spec: &Value, kind: ObjectKind) -> Result<AssociationType, ApiError> {
    let category = spec
        .get("associationCategory")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let type_id = spec
        .get("associationTypeId")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    association_type(category, type_id, kind)
}

/// A v3 association type in a path: numeric, or a default type's snake-case name. A number
/// that is no default from a communication is taken as a user-defined label.
pub(crate) fn from_v3_path(type_id: &str, kind: ObjectKind) -> Result<AssociationType, ApiError> {
    let id = match type_id.parse::<i32>() {
        Ok(id) => id,
        Err(_) if type_id == format!("communication_to_{}", kind.singular()) => {
            kind.default_type_id()
        }
        Err(_) => {
            return Err(ApiError::validation(format!(
                "Unknown association type {type_id}"
            )));
        }
    };
    let category = if ObjectKind::of_default_type(id).is_some() {
        "HUBSPOT_DEFINED"
    } else {
        "USER_DEFINED"
    };
    association_type(category, i64::from(id), kind)
}

/// One association a create input asks for.
pub(crate) struct Requested {
    pub(crate) record: RecordId,
    pub(crate) how: AssociationType,
}

/// The `associations` of a create input: each record must exist, each type must fit it.
pub(crate) fn requested(store: &Store, input: &Value) -> Result<Vec<Requested>, ApiError> {
    let mut out = Vec::new();
    for association in input
        .get("associations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let to = association.pointer("/to/id").map(|id| match id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let Some(id) = to.as_deref().and_then(|id| id.parse::<u64>().ok()) else {
            return Err(ApiError::validation(
                "associations[].to.id must be a record id",
            ));
        };
        let Some(record) = ObjectKind::ALL
            .into_iter()
            .map(|kind| RecordId { kind, id })
            .find(|record| store.records.contains_key(record))
        else {
            return Err(ApiError::validation(format!(
                "No record with id {id} to associate with"
            )));
        };
        for spec in association
            .get("types")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let how = from_spec(spec, record.kind)?;
            out.push(Requested { record, how });
        }
    }
    Ok(out)
}
