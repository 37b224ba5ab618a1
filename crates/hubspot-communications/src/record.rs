//! CRM records a message is logged on: contacts, companies, deals, tickets.

use std::fmt;

use hubspot_communications_raw::open_enum;

open_enum! {
    /// A CRM object type, by the name HubSpot uses in paths. Parsing also reads the singular
    /// name and the object type id (`contact`, `0-1`).
    #[cfg_attr(
        feature = "serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(into = "String", from = "String")
    )]
    pub enum ObjectType {
        /// Contacts (`0-1`).
        Contact = "contacts" | "contact" | "0-1",
        /// Companies (`0-2`).
        Company = "companies" | "company" | "0-2",
        /// Deals (`0-3`).
        Deal = "deals" | "deal" | "0-3",
        /// Tickets (`0-5`).
        Ticket = "tickets" | "ticket" | "0-5",
    }
}

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
    /// Messages themselves (`communications`): the `from` of
    /// [`Client::read_associations`](crate::Client::read_associations) for messages' records,
    /// its `to` for records' messages.
    pub fn communications() -> Self {
        Self::Other(crate::client::COMMUNICATIONS.to_owned())
    }

    /// Refuses a blank object type: it cannot name a path.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        if self.as_str().trim().is_empty() {
            return Err(crate::Error::InvalidInput(
                "an object type cannot be blank".into(),
            ));
        }
        Ok(())
    }
}

impl Record {
    /// Refuses a record that cannot name one: a blank object type or id.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        self.object_type.check()?;
        crate::messages::check_id(&self.id)
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.object_type, self.id)
    }
}
