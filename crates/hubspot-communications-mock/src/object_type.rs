//! The CRM object types a message can be associated with, and a record's identity.

/// A CRM object type a message can be associated with (the facade's `ObjectType`, closed to
/// the four the fake models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectType {
    /// Contacts (`0-1`).
    Contact,
    /// Companies (`0-2`).
    Company,
    /// Deals (`0-3`).
    Deal,
    /// Tickets (`0-5`).
    Ticket,
}

impl ObjectType {
    /// Every object type, for looking through all of them (e.g. which one a record id belongs
    /// to).
    pub const ALL: [Self; 4] = [Self::Contact, Self::Company, Self::Deal, Self::Ticket];

    /// Reads HubSpot's singular or plural name, or the object type id.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "contact" | "contacts" | "0-1" => Some(Self::Contact),
            "company" | "companies" | "0-2" => Some(Self::Company),
            "deal" | "deals" | "0-3" => Some(Self::Deal),
            "ticket" | "tickets" | "0-5" => Some(Self::Ticket),
            _ => None,
        }
    }

    /// The name HubSpot uses in paths (`contacts`), as the facade's `ObjectType::as_str`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contacts",
            Self::Company => "companies",
            Self::Deal => "deals",
            Self::Ticket => "tickets",
        }
    }

    pub(crate) fn singular(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Deal => "deal",
            Self::Ticket => "ticket",
        }
    }

    pub(crate) fn type_id(self) -> &'static str {
        match self {
            Self::Contact => "0-1",
            Self::Company => "0-2",
            Self::Deal => "0-3",
            Self::Ticket => "0-5",
        }
    }

    /// HubSpot's default association type from a communication to this object type (81, 87,
    /// 85, 83; the even ids 82 to 88 are the same pairs seen from the record).
    pub fn default_type_id(self) -> i32 {
        match self {
            Self::Contact => 81,
            Self::Ticket => 83,
            Self::Deal => 85,
            Self::Company => 87,
        }
    }
}

impl std::fmt::Display for ObjectType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A CRM record's identity: its kind and id (ids are unique across kinds, but paths name both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RecordId {
    pub(crate) kind: ObjectType,
    pub(crate) id: u64,
}
