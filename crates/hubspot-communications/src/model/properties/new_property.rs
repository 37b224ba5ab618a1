//! A property to create: what HubSpot's create call needs, checked before it is sent.

use hubspot_communications_raw::types;

use super::definition::{FieldType, PropertyOption, PropertyType};
use crate::error::Error;

/// A property to create with [`Client::create_property`](crate::Client::create_property):
/// name, label, type and field type, group, and optionally unique values, a description and
/// an enumeration's options.
///
/// ```
/// use hubspot_communications::{NewProperty, PropertyType, FieldType};
///
/// let key = NewProperty::text("external_message_id", "External message id", "communicationinformation")
///     .unique()
///     .description("The provider's message id: the key of exactly-once logging");
/// let stage = NewProperty::new("stage", "Stage", PropertyType::Enumeration, FieldType::Select, "dealinformation")
///     .option("new", "New")
///     .option("won", "Won");
/// # let _ = (key, stage);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NewProperty {
    name: String,
    label: String,
    property_type: PropertyType,
    field_type: FieldType,
    group_name: String,
    description: Option<String>,
    has_unique_value: bool,
    options: Vec<PropertyOption>,
}

impl NewProperty {
    /// A property of any type and field type, in the property group `group_name` (read an
    /// object type's groups with [`Client::property_groups`](crate::Client::property_groups)).
    pub fn new(
        name: impl Into<String>,
        label: impl Into<String>,
        property_type: PropertyType,
        field_type: FieldType,
        group_name: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            property_type,
            field_type,
            group_name: group_name.into(),
            description: None,
            has_unique_value: false,
            options: Vec::new(),
        }
    }

    /// A single-line text property (`string`, `text`).
    pub fn text(
        name: impl Into<String>,
        label: impl Into<String>,
        group_name: impl Into<String>,
    ) -> Self {
        Self::new(
            name,
            label,
            PropertyType::String,
            FieldType::Text,
            group_name,
        )
    }

    /// Requires unique values (`hasUniqueValue`): the property can then identify records. It
    /// cannot be changed once the property exists.
    pub fn unique(mut self) -> Self {
        self.has_unique_value = true;
        self
    }

    /// Sets its help text.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds an option (enumerations), shown as `label`, held as `value`.
    pub fn option(mut self, value: impl Into<String>, label: impl Into<String>) -> Self {
        self.options.push(PropertyOption::new(value, label));
        self
    }

    /// The internal name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Refuses what HubSpot would refuse of the name alone, before sending: an internal name
    /// is lowercase ASCII letters, digits and `_`, and starts with a letter.
    pub(crate) fn check(&self) -> Result<(), Error> {
        check_name(&self.name)?;
        if self.label.trim().is_empty() || self.group_name.trim().is_empty() {
            return Err(Error::InvalidInput(format!(
                "property {}: a label and a group are required",
                self.name
            )));
        }
        Ok(())
    }

    pub(crate) fn to_raw(&self) -> types::PropertyCreate {
        types::PropertyCreate {
            calculation_formula: None,
            currency_property_name: None,
            data_sensitivity: None,
            description: self.description.clone(),
            display_order: None,
            external_options: None,
            field_type: self.field_type.as_str().to_owned(),
            form_field: None,
            group_name: self.group_name.clone(),
            has_unique_value: self.has_unique_value.then_some(true),
            hidden: None,
            label: self.label.clone(),
            name: self.name.clone(),
            number_display_hint: None,
            options: self
                .options
                .iter()
                .enumerate()
                .map(|(i, option)| types::PropertyOptionInput {
                    description: option.description.clone(),
                    display_order: option
                        .display_order
                        .unwrap_or_else(|| i32::try_from(i).unwrap_or(i32::MAX)),
                    hidden: option.hidden,
                    label: option.label.clone(),
                    value: option.value.clone(),
                })
                .collect(),
            referenced_object_type: None,
            show_currency_symbol: None,
            text_display_hint: None,
            type_: self.property_type.as_str().to_owned(),
        }
    }
}

/// Refuses a name HubSpot does not take as an internal property name, before sending:
/// lowercase ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{name:?} is not a property name HubSpot takes: lowercase letters, digits and _, starting with a letter"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_before_sending() {
        assert!(check_name("external_message_id").is_ok());
        for bad in ["", "External", "1x", "_x", "a-b", "a b", "é", "../x"] {
            assert!(
                matches!(check_name(bad), Err(Error::InvalidInput(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_raw_body_uses_hubspots_names() {
        let body = NewProperty::text("k", "K", "g")
            .unique()
            .option("a", "A")
            .to_raw();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["type"], "string");
        assert_eq!(json["fieldType"], "text");
        assert_eq!(json["groupName"], "g");
        assert_eq!(json["hasUniqueValue"], true);
        assert_eq!(json["options"][0]["displayOrder"], 0);
        let plain = serde_json::to_value(NewProperty::text("k", "K", "g").to_raw()).unwrap();
        assert!(plain.get("hasUniqueValue").is_none());
    }
}
