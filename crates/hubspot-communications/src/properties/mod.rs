//! HubSpot's Properties API: what properties an object type has, creating and archiving the
//! account's own, property groups, and making sure of the unique key property exactly-once
//! logging upserts messages by ([`Client::ensure_key_property`](crate::Client::ensure_key_property)).
//!
//! A folder module, one concern a file: `definition` (what HubSpot answers: definitions,
//! options, types, groups), `new_property` (a property to create, checked before sending),
//! `calls` (the `Client` calls, each one `Operation` through `Client::execute`), `key` (the
//! key property).

mod calls;
mod definition;
mod key;
mod new_property;

pub use definition::{FieldType, PropertyDefinition, PropertyGroup, PropertyOption, PropertyType};
pub use key::{COMMUNICATION_INFORMATION_GROUP, KeyProperty, KeyPropertyError};
pub use new_property::NewProperty;

/// The most characters HubSpot stores in a text property's value: its documented limit for
/// single- and multi-line text added through the CRM ("Property field types in HubSpot":
/// 65,536 characters). A longer message body is refused by HubSpot; the importer reports
/// such rows instead of sending them.
pub const MAX_TEXT_PROPERTY_CHARS: usize = 65_536;
