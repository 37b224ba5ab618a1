//! What a property is, as HubSpot's Properties API describes it: its definition, its options,
//! its type and field type, and the property groups definitions belong to.

use crate::model::from_raw::FromRaw;
use chrono::{DateTime, Utc};
use hubspot_communications_raw::types;

model_open_enum! {
    /// What values a property holds (HubSpot's `type`). Types HubSpot adds later are kept as
    /// [`PropertyType::Other`], never refused.
    pub enum PropertyType {
        /// Text (`string`).
        String = "string",
        /// A number (`number`).
        Number = "number",
        /// A day, as midnight UTC (`date`).
        Date = "date",
        /// A date and time (`datetime`).
        DateTime = "datetime",
        /// One or more of fixed options (`enumeration`).
        Enumeration = "enumeration",
        /// `true` or `false` (`bool`).
        Bool = "bool",
        /// A phone number (`phone_number`).
        PhoneNumber = "phone_number",
    }
}

model_open_enum! {
    /// How HubSpot shows a property and what its forms take (HubSpot's `fieldType`). Field
    /// types HubSpot adds later are kept as [`FieldType::Other`].
    pub enum FieldType {
        /// Single-line text (`text`).
        Text = "text",
        /// Multi-line text (`textarea`).
        TextArea = "textarea",
        /// A number (`number`).
        Number = "number",
        /// A date picker (`date`).
        Date = "date",
        /// A single on/off checkbox (`booleancheckbox`).
        BooleanCheckbox = "booleancheckbox",
        /// Several checkboxes (`checkbox`).
        Checkbox = "checkbox",
        /// Radio buttons (`radio`).
        Radio = "radio",
        /// A dropdown (`select`).
        Select = "select",
        /// A file (`file`).
        File = "file",
        /// Rich text (`html`).
        Html = "html",
        /// A phone number (`phonenumber`).
        PhoneNumber = "phonenumber",
        /// Calculated by HubSpot (`calculation_equation`).
        CalculationEquation = "calculation_equation",
    }
}

/// One option of an enumeration property.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PropertyOption {
    /// The value a record holds (`value`).
    pub value: String,
    /// What HubSpot shows (`label`).
    pub label: String,
    /// Whether HubSpot hides it (`hidden`).
    pub hidden: bool,
    /// Its place among the options (`displayOrder`).
    pub display_order: Option<i32>,
    /// Help text (`description`).
    pub description: Option<String>,
}

impl PropertyOption {
    /// An option shown as `label`, held as `value`.
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            hidden: false,
            display_order: None,
            description: None,
        }
    }
}

/// A property of an object type, as HubSpot defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PropertyDefinition {
    /// The internal name, as in records' `properties` maps (`name`).
    pub name: String,
    /// What HubSpot shows (`label`).
    pub label: String,
    /// What values it holds (`type`).
    pub property_type: PropertyType,
    /// How HubSpot shows it (`fieldType`).
    pub field_type: FieldType,
    /// The property group it belongs to (`groupName`).
    pub group_name: String,
    /// Help text (`description`).
    pub description: String,
    /// No two records hold one value (`hasUniqueValue`): it can identify records, as an
    /// `idProperty` and the key of upserts.
    pub has_unique_value: bool,
    /// One of HubSpot's default properties (`hubspotDefined`), not one of the account's own.
    pub hubspot_defined: bool,
    /// The options of an enumeration.
    pub options: Vec<PropertyOption>,
    /// Whether HubSpot hides it (`hidden`).
    pub hidden: bool,
    /// Calculated by HubSpot (`calculated`).
    pub calculated: bool,
    /// Whether it can be archived (`modificationMetadata.archivable`); `None` when HubSpot
    /// did not say.
    pub archivable: Option<bool>,
    /// Whether its values are set by HubSpot alone (`modificationMetadata.readOnlyValue`).
    pub read_only_value: Option<bool>,
    /// Whether it is in the recycle bin (`archived`).
    pub archived: bool,
    /// When it was created, when HubSpot says.
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed, when HubSpot says.
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

impl PropertyDefinition {
    /// A live property `name` of `property_type` shown as `field_type`, labelled with its
    /// name, in no group, with nothing else set: set the other fields as needed.
    pub fn new(
        name: impl Into<String>,
        property_type: PropertyType,
        field_type: FieldType,
    ) -> Self {
        let name = name.into();
        Self {
            label: name.clone(),
            name,
            property_type,
            field_type,
            group_name: String::new(),
            description: String::new(),
            has_unique_value: false,
            hubspot_defined: false,
            options: Vec::new(),
            hidden: false,
            calculated: false,
            archivable: None,
            read_only_value: None,
            archived: false,
            created_at: None,
            updated_at: None,
            archived_at: None,
        }
    }

    /// Whether it holds text: HubSpot's `string` type (single- or multi-line text, and the
    /// other text field types).
    pub fn is_text(&self) -> bool {
        self.property_type == PropertyType::String
    }
}

impl FromRaw<types::Property> for PropertyDefinition {
    fn from_raw(raw: types::Property) -> Self {
        let metadata = raw.modification_metadata;
        Self {
            name: raw.name,
            label: raw.label,
            property_type: PropertyType::from(raw.type_),
            field_type: FieldType::from(raw.field_type),
            group_name: raw.group_name,
            description: raw.description,
            has_unique_value: raw.has_unique_value.unwrap_or(false),
            hubspot_defined: raw.hubspot_defined.unwrap_or(false),
            options: raw
                .options
                .into_iter()
                .map(|option| PropertyOption {
                    value: option.value,
                    label: option.label,
                    hidden: option.hidden,
                    display_order: option.display_order,
                    description: option.description,
                })
                .collect(),
            hidden: raw.hidden.unwrap_or(false),
            calculated: raw.calculated.unwrap_or(false),
            archivable: metadata.as_ref().map(|m| m.archivable),
            read_only_value: metadata.as_ref().map(|m| m.read_only_value),
            archived: raw.archived.unwrap_or(false),
            created_at: raw.created_at.map(Into::into),
            updated_at: raw.updated_at.map(Into::into),
            archived_at: raw.archived_at.map(Into::into),
        }
    }
}

/// A property group of an object type: where its properties are shown together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PropertyGroup {
    /// The internal name, a definition's `groupName`.
    pub name: String,
    /// What HubSpot shows.
    pub label: String,
    /// Its place among the groups.
    pub display_order: Option<i32>,
    /// Whether it is archived.
    pub archived: bool,
}

impl PropertyGroup {
    /// A live group `name` shown as `label`.
    pub fn new(name: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            display_order: None,
            archived: false,
        }
    }
}

impl FromRaw<types::PropertyGroup> for PropertyGroup {
    fn from_raw(raw: types::PropertyGroup) -> Self {
        Self {
            name: raw.name,
            label: raw.label,
            display_order: raw.display_order,
            archived: raw.archived,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_field_types_and_hints_hubspot_adds_later_are_kept() {
        let raw: types::Property = serde_json::from_value(serde_json::json!({
            "name": "hs_future", "label": "Future", "type": "object_coordinates",
            "fieldType": "geo_pin", "description": "", "groupName": "g", "options": [],
            "textDisplayHint": "hologram", "dataSensitivity": "extremely_sensitive"
        }))
        .unwrap();
        let definition = PropertyDefinition::from_raw(raw);
        assert_eq!(
            definition.property_type,
            PropertyType::from("object_coordinates")
        );
        assert_eq!(definition.field_type, FieldType::from("geo_pin"));
        assert_eq!(definition.property_type.as_str(), "object_coordinates");
        assert!(!definition.is_text() && !definition.has_unique_value);
        assert_eq!((definition.archivable, definition.created_at), (None, None));
        assert_eq!(PropertyType::from(" String "), PropertyType::String);
    }
}
