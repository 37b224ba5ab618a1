//! The CRM object types a message can be associated with, and a record's identity.

/// The CRM object types a message can be associated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// Contacts (`0-1`).
    Contact,
    /// Companies (`0-2`).
    Company,
    /// Deals (`0-3`).
    Deal,
    /// Tickets (`0-5`).
    Ticket,
}

impl ObjectKind {
    /// Every kind, for looking through all of them (e.g. which kind a record id belongs to).
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

    /// The plural name, as in paths.
    pub fn plural(self) -> &'static str {
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

    /// HubSpot's default association type from a communication to this kind (81, 87, 85, 83;
    /// the even ids 82 to 88 are the same pairs seen from the record).
    pub fn default_type_id(self) -> i32 {
        match self {
            Self::Contact => 81,
            Self::Ticket => 83,
            Self::Deal => 85,
            Self::Company => 87,
        }
    }
}

/// A CRM record's identity: its kind and id (ids are unique across kinds, but paths name both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RecordId {
    pub(crate) kind: ObjectKind,
    pub(crate) id: u64,
}
