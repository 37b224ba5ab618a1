//! Everything the fake stores: messages, CRM records, and the associations between them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;

use crate::association::AssociationType;
use crate::kind::ObjectKind;
use crate::object::Object;

/// A CRM record's identity: its kind and id (ids are unique across kinds, but paths name both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RecordId {
    pub(crate) kind: ObjectKind,
    pub(crate) id: u64,
}

/// The other end of a message's or record's associations, and how (always as stored: from
/// the communication's side).
#[derive(Debug, Clone)]
pub(crate) struct Associated {
    pub(crate) id: u64,
    pub(crate) types: Vec<AssociationType>,
}

/// Everything the fake stores.
#[derive(Debug, Default)]
pub(crate) struct Store {
    next_id: u64,
    pub(crate) communications: BTreeMap<u64, Object>,
    pub(crate) records: BTreeMap<RecordId, Object>,
    /// message id -> record -> association types.
    associations: BTreeMap<u64, BTreeMap<RecordId, BTreeSet<AssociationType>>>,
    /// record -> the messages associated with it: the same associations, stored once and
    /// shown from both sides as HubSpot does.
    by_record: BTreeMap<RecordId, BTreeSet<u64>>,
    /// For each property used as a unique `idProperty`: value -> message id. Built on first
    /// use, kept current by every write, so upserts stay O(log n).
    unique: BTreeMap<String, HashMap<String, u64>>,
}

impl Store {
    pub(crate) fn new() -> Self {
        // HubSpot's ids are large numbers; starting past 10,000 keeps them looking alike.
        Self {
            next_id: 10_000,
            ..Self::default()
        }
    }

    /// The next id, one sequence for messages and records alike, as HubSpot's.
    fn allocate(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn create_communication(&mut self, properties: BTreeMap<String, String>) -> u64 {
        let id = self.allocate();
        let object = Object::new(id, properties, Utc::now());
        for (property, index) in &mut self.unique {
            if let Some(value) = object.properties.get(property) {
                index.insert(value.clone(), id);
            }
        }
        self.communications.insert(id, object);
        id
    }

    /// Sets properties of a live message, keeping the unique-property indexes current.
    pub(crate) fn update_communication(
        &mut self,
        id: u64,
        properties: BTreeMap<String, String>,
    ) -> Option<&Object> {
        let object = self
            .communications
            .get_mut(&id)
            .filter(|c| c.archived_at.is_none())?;
        for (property, index) in &mut self.unique {
            let old = object.properties.get(property);
            if let Some(old) = old.filter(|_| properties.contains_key(property)) {
                index.remove(old);
            }
        }
        object.apply(properties, Utc::now());
        for (property, index) in &mut self.unique {
            if let Some(value) = object.properties.get(property) {
                index.insert(value.clone(), id);
            }
        }
        Some(object)
    }

    /// The message whose `property` holds `value`.
    pub(crate) fn find_by(&mut self, property: &str, value: &str) -> Option<u64> {
        let communications = &self.communications;
        let index = self.unique.entry(property.to_owned()).or_insert_with(|| {
            communications
                .values()
                .filter_map(|m| Some((m.properties.get(property)?.clone(), m.id)))
                .collect()
        });
        index.get(value).copied()
    }

    pub(crate) fn create_record(
        &mut self,
        kind: ObjectKind,
        properties: BTreeMap<String, String>,
    ) -> u64 {
        let id = self.allocate();
        self.records.insert(
            RecordId { kind, id },
            Object::new(id, properties, Utc::now()),
        );
        id
    }

    /// A live (not archived) message.
    pub(crate) fn live(&self, id: u64) -> Option<&Object> {
        self.communications
            .get(&id)
            .filter(|c| c.archived_at.is_none())
    }

    pub(crate) fn live_mut(&mut self, id: u64) -> Option<&mut Object> {
        self.communications
            .get_mut(&id)
            .filter(|c| c.archived_at.is_none())
    }

    /// A live (not archived) record.
    pub(crate) fn live_record_mut(&mut self, record: RecordId) -> Option<&mut Object> {
        self.records
            .get_mut(&record)
            .filter(|r| r.archived_at.is_none())
    }

    pub(crate) fn associate(&mut self, message: u64, record: RecordId, how: AssociationType) {
        self.associations
            .entry(message)
            .or_default()
            .entry(record)
            .or_default()
            .insert(how);
        self.by_record.entry(record).or_default().insert(message);
    }

    /// Removes one association type between a message and a record.
    pub(crate) fn dissociate(&mut self, message: u64, record: RecordId, how: AssociationType) {
        if let Some(types) = self
            .associations
            .get_mut(&message)
            .and_then(|records| records.get_mut(&record))
        {
            types.remove(&how);
            if types.is_empty() {
                self.dissociate_all(message, record);
            }
        }
    }

    /// Removes every association between a message and a record.
    pub(crate) fn dissociate_all(&mut self, message: u64, record: RecordId) {
        if let Some(records) = self.associations.get_mut(&message) {
            records.remove(&record);
        }
        if let Some(messages) = self.by_record.get_mut(&record) {
            messages.remove(&message);
        }
    }

    /// The live messages a record is associated with, by message id.
    pub(crate) fn messages_of(&self, record: RecordId) -> Vec<Associated> {
        self.by_record
            .get(&record)
            .into_iter()
            .flatten()
            .filter(|message| self.live(**message).is_some())
            .filter_map(|message| {
                let types = self.associations.get(message)?.get(&record)?;
                Some(Associated {
                    id: *message,
                    types: types.iter().copied().collect(),
                })
            })
            .filter(|associated| !associated.types.is_empty())
            .collect()
    }

    /// The records of `kind` a message is associated with, by record id.
    pub(crate) fn associations_of(&self, message: u64, kind: ObjectKind) -> Vec<Associated> {
        self.associations
            .get(&message)
            .into_iter()
            .flatten()
            .filter(|(record, types)| record.kind == kind && !types.is_empty())
            .map(|(record, types)| Associated {
                id: record.id,
                types: types.iter().copied().collect(),
            })
            .collect()
    }

    pub(crate) fn is_associated(&self, message: u64, record: RecordId) -> bool {
        self.associations
            .get(&message)
            .and_then(|records| records.get(&record))
            .is_some_and(|types| !types.is_empty())
    }
}
