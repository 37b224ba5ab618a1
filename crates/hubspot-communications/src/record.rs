//! CRM records a message is logged on: contacts, companies, deals, tickets.

use std::fmt;

/// A CRM object type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectType {
    /// Contacts (`0-1`).
    Contact,
    /// Companies (`0-2`).
    Company,
    /// Deals (`0-3`).
    Deal,
    /// Tickets (`0-5`).
    Ticket,
    /// Any other object type, by HubSpot's name or type id (custom objects: `2-…`).
    Other(String),
}

impl ObjectType {
    /// The name HubSpot uses in paths: `contacts`, `companies`, `deals`, `tickets`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Contact => "contacts",
            Self::Company => "companies",
            Self::Deal => "deals",
            Self::Ticket => "tickets",
            Self::Other(name) => name,
        }
    }

    /// Reads HubSpot's singular or plural name, or its object type id.
    pub fn parse(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "contact" | "contacts" | "0-1" => Self::Contact,
            "company" | "companies" | "0-2" => Self::Company,
            "deal" | "deals" | "0-3" => Self::Deal,
            "ticket" | "tickets" | "0-5" => Self::Ticket,
            _ => Self::Other(name.to_owned()),
        }
    }
}

impl fmt::Display for ObjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One CRM record: its type and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.object_type, self.id)
    }
}
