//! What the client sends to HubSpot and what HubSpot answers: plain data, checked before it is
//! sent. Nothing here makes a request.

/// Declares an open enum of the model (`hubspot_communications_raw::open_enum!`), read and
/// written as HubSpot's string with the `serde` feature: the one place the model's open enums
/// say how serde sees them.
macro_rules! model_open_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variants:tt)* }) => {
        hubspot_communications_raw::open_enum! {
            unknown = crate::model::unknown_value::UnknownValue;
            $(#[$meta])*
            #[cfg_attr(
                feature = "serde",
                derive(serde::Serialize, serde::Deserialize),
                serde(into = "String", from = "String")
            )]
            pub enum $name { $($variants)* }
        }
    };
}

mod association;
mod batch_input;
mod batch_outcome;
mod channel;
#[cfg(feature = "lookup")]
mod contact_match;
mod from_raw;
mod message;
mod new_message;
pub(crate) mod object_type;
mod page;
mod properties;
mod read_options;
mod record;
pub(crate) mod search;
pub(crate) mod unknown_value;

pub use association::{
    AssociatedRecord, Association, AssociationCategory, AssociationType, LabelledType,
};
pub use batch_input::{AssociationInput, UpdateInput, UpsertInput};
pub use batch_outcome::{BatchError, BatchFailure, BatchOutcome, BatchSuccess, MAX_BATCH_SIZE};
pub use channel::Channel;
#[cfg(feature = "lookup")]
pub use contact_match::ContactMatch;
pub(crate) use from_raw::FromRaw;
pub use message::{AssociatedId, Message, PropertyVersion, property};
pub use new_message::{MessageUpdate, NewMessage};
pub use object_type::ObjectType;
pub use page::Page;
pub(crate) use properties::check_name;
pub use properties::{
    FieldType, MAX_TEXT_PROPERTY_CHARS, NewProperty, PropertyDefinition, PropertyGroup,
    PropertyOption, PropertyType,
};
pub use read_options::{BatchReadOptions, ListOptions, MAX_LIST_PAGE_SIZE, ReadOptions};
pub(crate) use record::{COMMUNICATIONS, check_id, object_id};
pub use record::{Record, RecordProperties};
pub use unknown_value::UnknownValue;
