//! HubSpot's Properties API for every object type the fake models (communications, contacts,
//! companies, deals, tickets): read all of an object type's properties (or its archived ones),
//! read one, create, update, archive, batch read, and read its property groups. The date
//! versions' paths (`/crm/properties/2026-09/…`) reach these through `versions`.
//!
//! HubSpot's rules: names are lowercase letters, digits and `_`, starting with a letter (400);
//! a name already used, archived or not, is a 409; `type` and `fieldType` must be a pair
//! HubSpot accepts; the group must exist; a unique property is text or a number, and an
//! object type takes at most `MAX_UNIQUE_PROPERTIES` of the account's own; HubSpot's own
//! properties are listed (`hubspotDefined`), cannot be archived and keep their definitions.
//! A created property takes effect at once: writes, reads, search, `idProperty` and upserts
//! all read the same definitions. Writes need the object type's schema scope
//! (`crm.schemas.contacts.write` for contacts and communications, `crm.schemas.companies.write`,
//! …: [`property_write_scope`]) when the token was given scopes ([`crate::Config::scoped_token`]).

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::batch::{Batch, MAX_INPUTS, Outcome, Refused, inputs};
use super::extract::{Body, Call};
use super::input::json_body;
use crate::error::ApiError;
use crate::object::timestamp;
use crate::object_type::ObjectType;
use crate::property::{PropertyDefinition, PropertyOwner, PropertyType};
use crate::schema::{Entry, Group, SchemaRefusal};
use crate::state::Shared;

type Answer = Result<Response, ApiError>;

pub(super) fn router() -> Router<Arc<Shared>> {
    const BASE: &str = "/crm/v3/properties/{object_type}";
    Router::new()
        .route(BASE, get(list).post(create))
        .route(&format!("{BASE}/batch/read"), post(batch_read))
        .route(&format!("{BASE}/groups"), get(groups))
        .route(&format!("{BASE}/groups/{{group_name}}"), get(group))
        .route(
            &format!("{BASE}/{{property_name}}"),
            get(read).patch(update).delete(archive),
        )
}

/// The object type a path names: communications or a record kind.
fn owner(object_type: &str) -> Result<PropertyOwner, ApiError> {
    PropertyOwner::parse(object_type).ok_or_else(|| {
        ApiError::validation(format!("Unable to infer object type from: {object_type}"))
    })
}

impl From<SchemaRefusal> for ApiError {
    fn from(refusal: SchemaRefusal) -> Self {
        ApiError::status(refusal.status, refusal.category, refusal.message)
    }
}

/// The scope a write of `owner`'s property definitions needs, one HubSpot's Properties spec
/// lists for its writes: `crm.schemas.contacts.write`, `…companies.write`, `…deals.write`,
/// `…tickets.write`. The spec lists none for communications; HubSpot's communications spec
/// puts communications under the contacts scopes (`crm.objects.contacts.write` for every
/// write), so the fake asks `crm.schemas.contacts.write` for them (an inference, written in
/// the README).
pub(crate) fn property_write_scope(owner: PropertyOwner) -> &'static str {
    match owner {
        PropertyOwner::Communication | PropertyOwner::Record(ObjectType::Contact) => {
            "crm.schemas.contacts.write"
        }
        PropertyOwner::Record(ObjectType::Company) => "crm.schemas.companies.write",
        PropertyOwner::Record(ObjectType::Deal) => "crm.schemas.deals.write",
        PropertyOwner::Record(ObjectType::Ticket) => "crm.schemas.tickets.write",
    }
}

/// Refuses a write of `owner`'s definitions to a token that was not given its schema scope.
fn require_write_scope(
    shared: &Shared,
    headers: &HeaderMap,
    owner: PropertyOwner,
) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(scopes) = token.and_then(|token| shared.config.token_scopes.get(token)) else {
        return Ok(());
    };
    let needed = property_write_scope(owner);
    if scopes.contains(needed) {
        Ok(())
    } else {
        Err(ApiError::missing_scopes(&[needed.to_owned()]))
    }
}

/// A definition as HubSpot answers it.
fn definition_json(entry: &Entry) -> Value {
    let d = &entry.definition;
    let options: Vec<Value> = d
        .options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            json!({"label": option, "value": option, "displayOrder": i, "hidden": false})
        })
        .collect();
    let mut body = json!({
        "name": d.name,
        "label": d.label,
        "type": d.property_type.as_str(),
        "fieldType": d.field_type,
        "description": d.description,
        "groupName": d.group_name,
        "options": options,
        "displayOrder": -1,
        "calculated": d.read_only && d.hubspot_defined,
        "externalOptions": false,
        "hasUniqueValue": d.unique,
        "hidden": false,
        "hubspotDefined": d.hubspot_defined,
        "modificationMetadata": {
            "archivable": !d.hubspot_defined,
            "readOnlyDefinition": d.hubspot_defined,
            "readOnlyValue": d.read_only,
        },
        "formField": false,
        "dataSensitivity": "non_sensitive",
        "createdAt": timestamp(entry.created_at),
        "updatedAt": timestamp(entry.updated_at),
        "archived": entry.archived_at.is_some(),
    });
    if let Some(at) = entry.archived_at {
        body["archivedAt"] = json!(timestamp(at));
    }
    body
}

fn group_json(group: &Group) -> Value {
    json!({
        "name": group.name,
        "label": group.label,
        "displayOrder": group.display_order,
        "archived": false,
    })
}

fn not_found(owner: PropertyOwner, name: &str) -> ApiError {
    ApiError::not_found(format!(
        "Unable to find property with name '{name}' for object type {}",
        owner.singular()
    ))
}

async fn list(Call(shared, object_type, query): Call<String>) -> Answer {
    let owner = owner(&object_type)?;
    let archived = query.flag("archived")?;
    let schema = shared.schema();
    let results: Vec<Value> = schema
        .entries(owner, archived)
        .map(definition_json)
        .collect();
    Ok(axum::Json(json!({ "results": results })).into_response())
}

async fn read(Call(shared, (object_type, name), query): Call<(String, String)>) -> Answer {
    let owner = owner(&object_type)?;
    let archived = query.flag("archived")?;
    let schema = shared.schema();
    let entry = schema
        .entry(owner, &name)
        .filter(|entry| archived || entry.archived_at.is_none())
        .ok_or_else(|| not_found(owner, &name))?;
    Ok(axum::Json(definition_json(entry)).into_response())
}

async fn create(
    Call(shared, object_type, _): Call<String>,
    headers: HeaderMap,
    Body(body): Body,
) -> Answer {
    let owner = owner(&object_type)?;
    require_write_scope(&shared, &headers, owner)?;
    let definition = new_definition(&json_body(&body)?)?;
    let created = shared.change_schema(|schema| {
        schema
            .create(owner, definition)
            .map(definition_json)
            .map_err(ApiError::from)
    })?;
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn update(
    Call(shared, (object_type, name), _): Call<(String, String)>,
    headers: HeaderMap,
    Body(body): Body,
) -> Answer {
    let owner = owner(&object_type)?;
    require_write_scope(&shared, &headers, owner)?;
    let body = json_body(&body)?;
    let Some(fields) = body.as_object() else {
        return Err(ApiError::validation("The body must be a JSON object"));
    };
    let updated = shared.change_schema(|schema| {
        schema
            .update(owner, &name, |definition| {
                apply_update(definition, fields).map_err(|e| SchemaRefusal {
                    status: 400,
                    category: "VALIDATION_ERROR",
                    message: e.message(),
                })
            })
            .map(definition_json)
            .map_err(ApiError::from)
    })?;
    Ok(axum::Json(updated).into_response())
}

async fn archive(
    Call(shared, (object_type, name), _): Call<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    let owner = owner(&object_type)?;
    require_write_scope(&shared, &headers, owner)?;
    shared.change_schema(|schema| schema.archive(owner, &name).map_err(ApiError::from))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn batch_read(Call(shared, object_type, _): Call<String>, Body(body): Body) -> Answer {
    let owner = owner(&object_type)?;
    let Batch { body, inputs } = inputs(&body, MAX_INPUTS)?;
    let archived = match body.get("archived") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(archived)) => *archived,
        Some(_) => return Err(ApiError::validation("archived must be true or false")),
    };
    let names = inputs
        .iter()
        .map(|input| {
            input.get("name").and_then(Value::as_str).ok_or_else(|| {
                ApiError::validation("Each input needs a name").detail(
                    "inputs",
                    "REQUIRED",
                    "name is required",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let schema = shared.schema();
    let outcome = Outcome::run(names, |name| {
        schema
            .entry(owner, name)
            .filter(|e| e.archived_at.is_some() == archived)
            .map(definition_json)
            .ok_or_else(|| Refused::Missing(name.to_owned()))
    });
    let not_found = |missing: &[String]| {
        let (owner, missing) = (owner.singular(), missing.join(", "));
        format!("Unable to find some {owner} properties: {missing}")
    };
    Ok(outcome
        .not_found(not_found, "properties")
        .answer(StatusCode::OK))
}

async fn groups(Call(shared, object_type, _): Call<String>) -> Answer {
    let owner = owner(&object_type)?;
    let schema = shared.schema();
    let results: Vec<Value> = schema.groups(owner).iter().map(group_json).collect();
    Ok(axum::Json(json!({ "results": results })).into_response())
}

async fn group(Call(shared, (object_type, name), _): Call<(String, String)>) -> Answer {
    let owner = owner(&object_type)?;
    let schema = shared.schema();
    let group = schema
        .groups(owner)
        .iter()
        .find(|group| group.name == name)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Unable to find property group '{name}' for object type {}",
                owner.singular()
            ))
        })?;
    Ok(axum::Json(group_json(group)).into_response())
}

/// Whether `name` is an internal property name HubSpot takes: lowercase letters, digits and
/// `_`, starting with a letter.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A required text field of a create body, or HubSpot's 400 naming it.
fn required<'a>(body: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    match body.get(field) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(ApiError::validation(format!(
            "{field} is required"
        ))
        .detail(field, "REQUIRED", format!("{field} is required"))),
        Some(_) => Err(
            ApiError::validation(format!("{field} must be a string")).detail(
                field,
                "INVALID_TYPE",
                format!("{field} must be a string"),
            ),
        ),
    }
}

/// The definition a create body asks for, with what HubSpot checks of it alone.
fn new_definition(body: &Value) -> Result<PropertyDefinition, ApiError> {
    if !body.is_object() {
        return Err(ApiError::validation("The body must be a JSON object"));
    }
    let name = required(body, "name")?;
    if !valid_name(name) {
        return Err(ApiError::validation(format!(
            "Property name '{name}' is not valid: use lowercase letters, digits and underscores, starting with a letter"
        ))
        .detail("name", "INVALID_PROPERTY_NAME", "lowercase letters, digits and _, starting with a letter"));
    }
    let label = required(body, "label")?;
    let kind = property_type(required(body, "type")?)?;
    let field_type = required(body, "fieldType")?;
    let group = required(body, "groupName")?;
    let mut definition = PropertyDefinition::new(name, kind)
        .label(label)
        .field_type(field_type)
        .group(group);
    definition.description = text(body, "description")?.unwrap_or_default();
    definition.unique = match body.get("hasUniqueValue") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(unique)) => *unique,
        Some(_) => return Err(ApiError::validation("hasUniqueValue must be true or false")),
    };
    definition.options = options(body)?;
    check_definition(&definition)?;
    Ok(definition)
}

/// What HubSpot checks of any definition: the type and field type are a pair it takes, a
/// unique property is text or a number, an enumeration's options are distinct.
fn check_definition(definition: &PropertyDefinition) -> Result<(), ApiError> {
    let (kind, field_type) = (definition.property_type, definition.field_type.as_str());
    if !kind.field_types().contains(&field_type) {
        return Err(ApiError::validation(format!(
            "fieldType '{field_type}' is not valid for a property of type '{}': use one of {}",
            kind.as_str(),
            kind.field_types().join(", ")
        ))
        .detail("fieldType", "INVALID_FIELD_TYPE", "not valid for the type"));
    }
    let can_be_unique = matches!(
        (kind, field_type),
        (PropertyType::String, "text" | "textarea") | (PropertyType::Number, "number")
    );
    if definition.unique && !can_be_unique {
        return Err(ApiError::validation(format!(
            "Only single-line text, multi-line text and number properties can require unique values, not {} ({field_type})",
            kind.as_str()
        ))
        .detail("hasUniqueValue", "INVALID_UNIQUE_PROPERTY", "text or number only"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(repeated) = definition.options.iter().find(|o| !seen.insert(o.as_str())) {
        return Err(
            ApiError::validation(format!("Option value '{repeated}' is given twice")).detail(
                "options",
                "DUPLICATE_OPTION",
                "option values must be distinct",
            ),
        );
    }
    Ok(())
}

fn property_type(name: &str) -> Result<PropertyType, ApiError> {
    PropertyType::parse(name).ok_or_else(|| {
        let all: Vec<&str> = PropertyType::ALL.iter().map(|t| t.as_str()).collect();
        ApiError::validation(format!(
            "'{name}' is not a valid property type: use one of {}",
            all.join(", ")
        ))
        .detail("type", "INVALID_TYPE", "not a property type")
    })
}

fn text(body: &Value, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::validation(format!("{field} must be a string"))),
    }
}

/// An enumeration's option values (`options[].value`).
fn options(body: &Value) -> Result<Vec<String>, ApiError> {
    let Some(options) = body.get("options").filter(|o| !o.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(options) = options.as_array() else {
        return Err(ApiError::validation("options must be a list"));
    };
    options
        .iter()
        .map(|option| match option.get("value") {
            Some(Value::String(value)) if !value.trim().is_empty() => Ok(value.clone()),
            _ => Err(ApiError::validation("Each option needs a value").detail(
                "options",
                "REQUIRED",
                "value is required",
            )),
        })
        .collect()
}

/// Applies a PATCH body to a definition of the account's own: label, description, group,
/// type and field type (still a pair HubSpot takes), options. Its name and uniqueness stay.
fn apply_update(
    definition: &mut PropertyDefinition,
    fields: &serde_json::Map<String, Value>,
) -> Result<(), ApiError> {
    let body = Value::Object(fields.clone());
    if let Some(label) = text(&body, "label")? {
        definition.label = label;
    }
    if let Some(description) = text(&body, "description")? {
        definition.description = description;
    }
    if let Some(group) = text(&body, "groupName")? {
        definition.group_name = group;
    }
    if let Some(kind) = text(&body, "type")? {
        definition.property_type = property_type(&kind)?;
    }
    if let Some(field_type) = text(&body, "fieldType")? {
        definition.field_type = field_type;
    }
    if body.get("options").is_some_and(|o| !o.is_null()) {
        definition.options = options(&body)?;
    }
    check_definition(definition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_letters_digits_and_underscores_from_a_letter() {
        for good in ["external_message_id", "a", "a1_b2"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            "1abc",
            "_x",
            "External",
            "with space",
            "é",
            "a-b",
            "a.b",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
