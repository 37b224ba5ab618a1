//! Property definitions: what HubSpot answers about an object type's properties and groups,
//! and a property to create.

mod definition;
mod new_property;

pub use definition::{FieldType, PropertyDefinition, PropertyGroup, PropertyOption, PropertyType};
pub use new_property::NewProperty;
pub(crate) use new_property::check_name;

/// The most characters HubSpot stores in a text property's value: its documented limit for
/// single- and multi-line text added through the CRM ("Property field types in HubSpot":
/// 65,536 characters). A longer message body is refused by HubSpot; the importer reports
/// such rows instead of sending them.
pub const MAX_TEXT_PROPERTY_CHARS: usize = 65_536;
