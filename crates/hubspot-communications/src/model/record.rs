//! CRM records a message is logged on: contacts, companies, deals, tickets.

use std::collections::BTreeMap;
use std::fmt;

use hubspot_communications_raw::types;

use super::from_raw::FromRaw;
use super::object_type::ObjectType;
use crate::error::Error;

/// One CRM record: its type and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Record {
    /// The record's object type.
    pub object_type: ObjectType,
    /// The record's id.
    pub id: String,
}

impl Record {
    /// A record of any type.
    pub fn new(object_type: ObjectType, id: impl Into<String>) -> Self {
        Self {
            object_type,
            id: id.into(),
        }
    }

    /// A contact.
    pub fn contact(id: impl Into<String>) -> Self {
        Self::new(ObjectType::Contact, id)
    }

    /// A company.
    pub fn company(id: impl Into<String>) -> Self {
        Self::new(ObjectType::Company, id)
    }

    /// A deal.
    pub fn deal(id: impl Into<String>) -> Self {
        Self::new(ObjectType::Deal, id)
    }

    /// A ticket.
    pub fn ticket(id: impl Into<String>) -> Self {
        Self::new(ObjectType::Ticket, id)
    }
}

impl ObjectType {
    /// Refuses a blank object type: it cannot name a path.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.as_str().trim().is_empty() {
            return Err(Error::InvalidInput("an object type cannot be blank".into()));
        }
        Ok(())
    }
}

/// The object type of messages in HubSpot's paths (also `0-18`).
pub(crate) const COMMUNICATIONS: &str = "communications";

/// Refuses an id that names nothing: blank, or a dot segment (`.`, `..`), which no HubSpot
/// record has and which a path cannot carry (the raw client refuses those in paths too; this
/// refuses them the same way where a version sends the id in a body).
pub(crate) fn check_id(id: &str) -> Result<(), Error> {
    match id.trim() {
        "" | "." | ".." => Err(Error::InvalidId(id.to_owned())),
        _ => Ok(()),
    }
}

/// An id as a batch read or archive carries it.
pub(crate) fn object_id(id: &str) -> types::SimplePublicObjectId {
    types::SimplePublicObjectId { id: id.to_owned() }
}

impl Record {
    /// Refuses a record that cannot name one: a blank object type or id.
    pub(crate) fn check(&self) -> Result<(), Error> {
        self.object_type.check()?;
        check_id(&self.id)
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.object_type, self.id)
    }
}

/// A CRM record's properties, as a batch read returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct RecordProperties {
    /// The record's id.
    pub id: String,
    /// The properties asked for, `None` where HubSpot answered `null` (unset).
    pub properties: BTreeMap<String, Option<String>>,
}

impl RecordProperties {
    /// The record `id` with these properties.
    pub fn new(id: impl Into<String>, properties: BTreeMap<String, Option<String>>) -> Self {
        Self {
            id: id.into(),
            properties,
        }
    }

    /// A property's value, if returned and set.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name)?.as_deref()
    }
}

impl FromRaw<types::SimplePublicObject> for RecordProperties {
    fn from_raw(object: types::SimplePublicObject) -> Self {
        Self {
            id: object.id,
            properties: object.properties,
        }
    }
}
