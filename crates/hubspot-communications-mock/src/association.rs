//! Associations between a communication and CRM records: their types, and an association
//! seen from one end.

use crate::object_type::ObjectType;

/// One association type from a communication to a record. The variants are ordered as
/// HubSpot's category names sort (then by id), which is the order listings show them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum AssociationType {
    /// HubSpot's default type from a communication to a record of this kind
    /// (`HUBSPOT_DEFINED`: 81 contact, 83 ticket, 85 deal, 87 company).
    HubSpot(ObjectType),
    /// A label an integration defined (`INTEGRATOR_DEFINED`), by its positive id.
    Integrator(i32),
    /// A label the account defined (`USER_DEFINED`), by its positive id.
    User(i32),
}

impl AssociationType {
    /// HubSpot's name of the type's category.
    pub(crate) fn category(self) -> &'static str {
        match self {
            Self::HubSpot(_) => "HUBSPOT_DEFINED",
            Self::Integrator(_) => "INTEGRATOR_DEFINED",
            Self::User(_) => "USER_DEFINED",
        }
    }

    /// The numeric `associationTypeId`.
    pub(crate) fn id(self) -> i32 {
        match self {
            Self::HubSpot(kind) => kind.default_type_id(),
            Self::Integrator(id) | Self::User(id) => id,
        }
    }

    /// The `type` v3 shows in a message's associations: the default's snake-case name
    /// (`communication_to_contact`), else the id.
    pub(crate) fn v3_name(self) -> String {
        match self {
            Self::HubSpot(kind) => format!("communication_to_{}", kind.singular()),
            other => other.id().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_order_by_category_name_then_id() {
        let mut types = [
            AssociationType::User(3),
            AssociationType::Integrator(9),
            AssociationType::User(1),
            AssociationType::HubSpot(ObjectType::Deal),
        ];
        types.sort();
        let shown: Vec<(&str, i32)> = types.iter().map(|t| (t.category(), t.id())).collect();
        let mut by_name = shown.clone();
        by_name.sort();
        assert_eq!(shown, by_name);
    }

    #[test]
    fn defaults_have_hubspots_ids_and_names() {
        let contact = AssociationType::HubSpot(ObjectType::Contact);
        assert_eq!(contact.id(), 81);
        assert_eq!(contact.v3_name(), "communication_to_contact");
        assert_eq!(AssociationType::User(7).v3_name(), "7");
    }
}

/// The other end of a message's or record's associations, and how (always as stored: from
/// the communication's side).
#[derive(Debug, Clone)]
pub(crate) struct Associated {
    pub(crate) id: u64,
    pub(crate) types: Vec<AssociationType>,
}
