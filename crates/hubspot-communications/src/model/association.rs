//! Associations between a message and CRM records.

use super::from_raw::FromRaw;
use hubspot_communications_raw::types;

use super::object_type::ObjectType;
use super::record::Record;

model_open_enum! {
    /// Who defined an association type (HubSpot's `associationCategory`).
    pub enum AssociationCategory {
        /// HubSpot's own association types, such as communication to contact (81).
        HubspotDefined = "HUBSPOT_DEFINED",
        /// Types defined by an integration.
        IntegratorDefined = "INTEGRATOR_DEFINED",
        /// Labels defined by the account's users.
        UserDefined = "USER_DEFINED",
        /// Listed by HubSpot's spec; not described by its guides.
        Work = "WORK",
    }
}

impl AssociationCategory {
    fn to_raw(&self) -> hubspot_communications_raw::AssociationCategory {
        self.as_str().into()
    }

    fn from_raw(category: &hubspot_communications_raw::AssociationCategory) -> Self {
        category.as_str().into()
    }
}

/// An association type: who defined it and its id.
///
/// HubSpot's default types from a communication (category `HUBSPOT_DEFINED`):
///
/// | to | constant | id | snake-case name |
/// |---|---|---|---|
/// | contact | [`AssociationType::COMMUNICATION_TO_CONTACT`] | 81 | `communication_to_contact` |
/// | ticket | [`AssociationType::COMMUNICATION_TO_TICKET`] | 83 | `communication_to_ticket` |
/// | deal | [`AssociationType::COMMUNICATION_TO_DEAL`] | 85 | `communication_to_deal` |
/// | company | [`AssociationType::COMMUNICATION_TO_COMPANY`] | 87 | `communication_to_company` |
///
/// Labels (`USER_DEFINED`) and integrators' types have ids of their own: read them from
/// HubSpot's associations labels API and use [`AssociationType::new`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AssociationType {
    /// Who defined the type.
    pub category: AssociationCategory,
    /// The type's id.
    pub id: i32,
}

const DEFAULTS: [(ObjectType, i32, &str); 4] = [
    (ObjectType::Contact, 81, "communication_to_contact"),
    (ObjectType::Ticket, 83, "communication_to_ticket"),
    (ObjectType::Deal, 85, "communication_to_deal"),
    (ObjectType::Company, 87, "communication_to_company"),
];

impl AssociationType {
    /// Communication to contact (81).
    pub const COMMUNICATION_TO_CONTACT: Self = Self::hubspot(81);
    /// Communication to ticket (83).
    pub const COMMUNICATION_TO_TICKET: Self = Self::hubspot(83);
    /// Communication to deal (85).
    pub const COMMUNICATION_TO_DEAL: Self = Self::hubspot(85);
    /// Communication to company (87).
    pub const COMMUNICATION_TO_COMPANY: Self = Self::hubspot(87);

    /// A type of any category.
    pub const fn new(category: AssociationCategory, id: i32) -> Self {
        Self { category, id }
    }

    /// One of HubSpot's own types.
    pub const fn hubspot(id: i32) -> Self {
        Self::new(AssociationCategory::HubspotDefined, id)
    }

    /// A label defined in the account (`USER_DEFINED`).
    pub const fn label(id: i32) -> Self {
        Self::new(AssociationCategory::UserDefined, id)
    }

    /// HubSpot's default type from a communication to `object_type`, if it has one.
    pub fn default_to(object_type: &ObjectType) -> Option<Self> {
        DEFAULTS
            .iter()
            .find(|(ty, ..)| ty == object_type)
            .map(|(_, id, _)| Self::hubspot(*id))
    }

    /// The type a snake-case name of the guide stands for, e.g. `communication_to_contact`.
    pub fn from_name(name: &str) -> Option<Self> {
        DEFAULTS
            .iter()
            .find(|(.., n)| *n == name.trim())
            .map(|(_, id, _)| Self::hubspot(*id))
    }

    /// The snake-case name of a default type, e.g. `communication_to_contact`.
    pub fn name(&self) -> Option<&'static str> {
        (self.category == AssociationCategory::HubspotDefined)
            .then(|| DEFAULTS.iter().find(|(_, id, _)| *id == self.id))
            .flatten()
            .map(|(.., name)| *name)
    }

    pub(crate) fn to_spec(&self) -> types::AssociationSpec {
        types::AssociationSpec {
            association_category: self.category.to_raw(),
            association_type_id: self.id,
        }
    }
}

/// An association from a message to a record, with one or more types.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Association {
    /// The record.
    pub to: Record,
    /// The association's types (a default type, labels, or both).
    pub types: Vec<AssociationType>,
}

impl Association {
    /// An association of the given types.
    pub fn new(to: Record, types: impl IntoIterator<Item = AssociationType>) -> Self {
        Self {
            to,
            types: types.into_iter().collect(),
        }
    }

    /// The record with HubSpot's default type for its object type. For an object type whose
    /// default this crate does not know (custom objects) the types are empty:
    /// [`Client::associate`](crate::Client::associate) then asks HubSpot for the pair's default
    /// association, and a new message refuses it (name a type with [`Association::new`]).
    pub fn default_to(to: Record) -> Self {
        let types = AssociationType::default_to(&to.object_type)
            .into_iter()
            .collect();
        Self { to, types }
    }

    /// A contact, with the default type (81).
    pub fn contact(id: impl Into<String>) -> Self {
        Self::default_to(Record::contact(id))
    }

    /// A company, with the default type (87).
    pub fn company(id: impl Into<String>) -> Self {
        Self::default_to(Record::company(id))
    }

    /// A deal, with the default type (85).
    pub fn deal(id: impl Into<String>) -> Self {
        Self::default_to(Record::deal(id))
    }

    /// A ticket, with the default type (83).
    pub fn ticket(id: impl Into<String>) -> Self {
        Self::default_to(Record::ticket(id))
    }

    /// Adds a type, e.g. a label.
    #[must_use]
    pub fn with_type(mut self, association_type: AssociationType) -> Self {
        self.types.push(association_type);
        self
    }

    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        if self.types.is_empty() {
            return Err(crate::Error::InvalidInput(format!(
                "the association to {} has no type: {} has no default type, name one with Association::new",
                self.to, self.to.object_type
            )));
        }
        self.to.check()?;
        Ok(())
    }

    pub(crate) fn to_input(&self) -> types::PublicAssociationsForObject {
        types::PublicAssociationsForObject {
            to: types::PublicObjectId {
                id: self.to.id.clone(),
            },
            types: self.types.iter().map(AssociationType::to_spec).collect(),
        }
    }

    /// This association from the message `from`, as an association batch create carries it.
    pub(crate) fn to_pair(&self, from: &str) -> types::PublicAssociationMultiPost {
        let types::PublicAssociationsForObject { to, types } = self.to_input();
        types::PublicAssociationMultiPost {
            from: types::PublicObjectId {
                id: from.to_owned(),
            },
            to,
            types,
        }
    }
}

/// A record a message is associated with, as HubSpot lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AssociatedRecord {
    /// The record's id.
    pub id: String,
    /// The association's types, with their labels where they have one.
    pub types: Vec<LabelledType>,
}

/// An association type with its label.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LabelledType {
    /// The type.
    pub association_type: AssociationType,
    /// Its label, for labelled associations.
    pub label: Option<String>,
}

impl AssociatedRecord {
    /// A record of id `id` associated by `types`.
    pub fn new(id: impl Into<String>, types: impl IntoIterator<Item = LabelledType>) -> Self {
        Self {
            id: id.into(),
            types: types.into_iter().collect(),
        }
    }
}

impl LabelledType {
    /// A type, with its label if it has one.
    pub fn new(association_type: AssociationType, label: Option<String>) -> Self {
        Self {
            association_type,
            label,
        }
    }
}

impl FromRaw<types::MultiAssociatedObjectWithLabel> for AssociatedRecord {
    fn from_raw(record: types::MultiAssociatedObjectWithLabel) -> Self {
        Self {
            id: record.to_object_id,
            types: record
                .association_types
                .into_iter()
                .map(|t| LabelledType {
                    association_type: AssociationType::new(
                        AssociationCategory::from_raw(&t.category),
                        t.type_id,
                    ),
                    label: t.label,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_types_and_names_match_hubspot() {
        assert_eq!(
            Association::contact("1").types,
            [AssociationType::hubspot(81)]
        );
        assert_eq!(
            Association::company("1").types,
            [AssociationType::hubspot(87)]
        );
        assert_eq!(Association::deal("1").types, [AssociationType::hubspot(85)]);
        assert_eq!(
            Association::ticket("1").types,
            [AssociationType::hubspot(83)]
        );
        assert_eq!(
            AssociationType::from_name("communication_to_contact"),
            Some(AssociationType::COMMUNICATION_TO_CONTACT)
        );
        assert_eq!(
            AssociationType::COMMUNICATION_TO_DEAL.name(),
            Some("communication_to_deal")
        );
        assert_eq!(AssociationType::label(81).name(), None);
    }

    #[test]
    fn an_association_without_a_type_is_refused() {
        let custom = Association::default_to(Record::new(ObjectType::from("2-123"), "5"));
        assert!(matches!(custom.check(), Err(crate::Error::InvalidInput(_))));
    }
}
