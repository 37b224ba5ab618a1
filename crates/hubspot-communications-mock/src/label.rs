//! Association labels as an account defines them: each a pair of type ids, one per direction.

use crate::association::AssociationType;
use crate::object_type::ObjectType;

/// Who defined an association label (HubSpot's `associationCategory`, the facade's
/// `AssociationCategory`; HubSpot's own types, `HUBSPOT_DEFINED`, have no label to define).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssociationCategory {
    /// The account (`USER_DEFINED`).
    UserDefined,
    /// An integration (`INTEGRATOR_DEFINED`).
    IntegratorDefined,
}

/// A label between communications and one kind of record: HubSpot gives it a type id in each
/// direction (from the message, and from the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationLabel {
    /// The object type of the records it links messages to.
    pub(crate) object_type: ObjectType,
    /// Who defined it.
    pub(crate) category: AssociationCategory,
    /// Its type id from the communication to the record.
    pub(crate) type_id: i32,
    /// Its type id from the record to the communication.
    pub(crate) inverse_type_id: i32,
    /// The label shown in both directions.
    pub(crate) label: String,
}

impl AssociationLabel {
    /// A label the account defined (`USER_DEFINED`).
    pub fn user(
        object_type: ObjectType,
        type_id: i32,
        inverse_type_id: i32,
        label: impl Into<String>,
    ) -> Self {
        Self {
            object_type,
            category: AssociationCategory::UserDefined,
            type_id,
            inverse_type_id,
            label: label.into(),
        }
    }

    /// A label an integration defined (`INTEGRATOR_DEFINED`).
    pub fn integrator(
        object_type: ObjectType,
        type_id: i32,
        inverse_type_id: i32,
        label: impl Into<String>,
    ) -> Self {
        Self {
            category: AssociationCategory::IntegratorDefined,
            ..Self::user(object_type, type_id, inverse_type_id, label)
        }
    }

    /// The stored type (always from the communication's side).
    fn stored(&self) -> AssociationType {
        match self.category {
            AssociationCategory::UserDefined => AssociationType::User(self.type_id),
            AssociationCategory::IntegratorDefined => AssociationType::Integrator(self.type_id),
        }
    }
}

/// Which end an association is seen from: HubSpot stores it once and shows it from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// From the communication to the record (81, 83, 85, 87, a label's `type_id`).
    FromMessage,
    /// From the record to the communication (82, 84, 86, 88, a label's `inverse_type_id`).
    FromRecord,
}

/// The account's labels.
#[derive(Debug, Clone, Default)]
pub(crate) struct Labels {
    labels: Vec<AssociationLabel>,
}

impl Labels {
    pub(crate) fn new(labels: &[AssociationLabel]) -> Self {
        Self {
            labels: labels.to_vec(),
        }
    }

    /// The stored type a category and id name, seen from `side`, to or from a `kind` record.
    pub(crate) fn find(
        &self,
        kind: ObjectType,
        category: AssociationCategory,
        id: i32,
        side: Side,
    ) -> Option<AssociationType> {
        self.labels
            .iter()
            .find(|l| {
                l.object_type == kind
                    && l.category == category
                    && id
                        == match side {
                            Side::FromMessage => l.type_id,
                            Side::FromRecord => l.inverse_type_id,
                        }
            })
            .map(AssociationLabel::stored)
    }

    fn of(&self, kind: ObjectType, how: AssociationType) -> Option<&AssociationLabel> {
        self.labels
            .iter()
            .find(|l| l.object_type == kind && l.stored() == how)
    }

    /// The type id of a stored type seen from `side`.
    pub(crate) fn type_id(&self, kind: ObjectType, how: AssociationType, side: Side) -> i32 {
        match (how, side) {
            (AssociationType::HubSpot(kind), Side::FromMessage) => kind.default_type_id(),
            (AssociationType::HubSpot(kind), Side::FromRecord) => kind.default_type_id() + 1,
            (_, Side::FromMessage) => how.id(),
            (_, Side::FromRecord) => self
                .of(kind, how)
                .map_or(how.id(), |label| label.inverse_type_id),
        }
    }

    /// The label v4 shows: the account's; HubSpot's defaults have none.
    pub(crate) fn label(&self, kind: ObjectType, how: AssociationType) -> Option<String> {
        self.of(kind, how).map(|label| label.label.clone())
    }
}
