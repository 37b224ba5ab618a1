//! Association types as clients send them: `{associationCategory, associationTypeId}` specs,
//! v3 path types, and the `associations` of a create input; checked against HubSpot's
//! defaults and the account's labels, from either end.

use serde_json::Value;

use crate::association::AssociationType;
use crate::error::ApiError;
use crate::label::{AssociationCategory, Labels, Side};
use crate::object_type::ObjectType;
use crate::object_type::RecordId;
use crate::store::Store;

/// A category and id seen from `side`, checked against the kind of record at the other end.
pub(crate) fn association_type(
    labels: &Labels,
    category: &str,
    type_id: i64,
    kind: ObjectType,
    side: Side,
) -> Result<AssociationType, ApiError> {
    // An id past 32 bits is no type at all; cutting it down could turn it into a valid one.
    let id = i32::try_from(type_id).ok();
    let label_category = match category {
        "USER_DEFINED" => Some(AssociationCategory::UserDefined),
        "INTEGRATOR_DEFINED" => Some(AssociationCategory::IntegratorDefined),
        _ => None,
    };
    let found = match (category, id) {
        ("HUBSPOT_DEFINED", Some(id)) => {
            let default = AssociationType::HubSpot(kind);
            (labels.type_id(kind, default, side) == id).then_some(default)
        }
        (_, Some(id)) => label_category.and_then(|c| labels.find(kind, c, id, side)),
        _ => None,
    };
    if label_category.is_none() && category != "HUBSPOT_DEFINED" {
        return Err(ApiError::validation(format!(
            "Invalid association category {category:?}"
        )));
    }
    found.ok_or_else(|| {
        let (from, to) = match side {
            Side::FromMessage => ("communication", kind.singular()),
            Side::FromRecord => (kind.singular(), "communication"),
        };
        ApiError::validation(format!(
            "{type_id} is not a valid {category} association type from {from} to {to}"
        ))
        .detail(
            "associationTypeId",
            "INVALID_ASSOCIATION_TYPE",
            "no such association type",
        )
    })
}

/// `{associationCategory, associationTypeId}`, checked against the record's kind.
pub(crate) fn from_spec(
    labels: &Labels,
    spec: &Value,
    kind: ObjectType,
    side: Side,
) -> Result<AssociationType, ApiError> {
    let category = spec
        .get("associationCategory")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let type_id = spec
        .get("associationTypeId")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    association_type(labels, category, type_id, kind, side)
}

/// A v3 association type in a path: numeric, or a default type's snake-case name. A number
/// that is no default from a communication must be one of the account's labels.
pub(crate) fn from_v3_path(
    labels: &Labels,
    type_id: &str,
    kind: ObjectType,
) -> Result<AssociationType, ApiError> {
    let side = Side::FromMessage;
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
    if id == kind.default_type_id() {
        return Ok(AssociationType::HubSpot(kind));
    }
    [
        AssociationCategory::UserDefined,
        AssociationCategory::IntegratorDefined,
    ]
    .into_iter()
    .find_map(|category| labels.find(kind, category, id, side))
    .ok_or_else(|| {
        ApiError::validation(format!(
            "{type_id} is not a valid association type from communication to {}",
            kind.singular()
        ))
    })
}

/// One association a create input asks for.
pub(crate) struct Requested {
    pub(crate) record: RecordId,
    pub(crate) how: AssociationType,
}

/// The `associations` of a create input: each record must exist, each type must fit it.
pub(crate) fn requested(
    store: &Store,
    labels: &Labels,
    input: &Value,
) -> Result<Vec<Requested>, ApiError> {
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
        let Some(record) = ObjectType::ALL
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
            let how = from_spec(labels, spec, record.kind, Side::FromMessage)?;
            out.push(Requested { record, how });
        }
    }
    Ok(out)
}
