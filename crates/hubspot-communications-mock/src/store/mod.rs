//! Everything the fake stores: messages, CRM records, and the associations between them
//! (`unique`: which object holds each value of a unique property).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::association::{Associated, AssociationType};
use crate::object::Object;
use crate::object_type::{ObjectType, RecordId};
use crate::property::PropertyOwner;
use crate::schema::Schema;
use crate::webhooks::{Change, Journal};

mod search_lag;
mod unique;

use search_lag::SearchLag;
pub(crate) use unique::Taken;
use unique::{Indexes, indexed, reindex};

/// Everything the fake stores.
#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    next_id: u64,
    pub(crate) communications: BTreeMap<u64, Object>,
    pub(crate) records: BTreeMap<RecordId, Object>,
    /// message id -> record -> association types.
    associations: BTreeMap<u64, BTreeMap<RecordId, BTreeSet<AssociationType>>>,
    /// record -> the messages associated with it: the same associations, stored once and
    /// shown from both sides as HubSpot does.
    by_record: BTreeMap<RecordId, BTreeSet<u64>>,
    /// For each unique property in use (as an `idProperty`, or by a write's uniqueness check),
    /// by owner: value -> the object holding it (a live one when there is one; an archived one
    /// only for a value no live object holds). Built on first use, kept current by every
    /// write, so upserts and uniqueness checks stay O(1).
    unique: Indexes,
    /// The account's region, in which contacts' national phone numbers are read.
    phone_region: Option<phonenumber::country::Id>,
    /// Where every write is noted for webhook deliveries (`Config::webhooks`), if anywhere.
    pub(crate) journal: Option<Journal>,
    /// What search still shows of objects written within the search lag.
    search_lag: SearchLag,
    /// HubSpot's webhooks journal, where every write is noted too.
    pub(crate) webhooks_journal: Option<std::sync::Arc<crate::webhooks_journal::Log>>,
}

impl Store {
    /// A store whose writes show in search `search_lag` after they are made.
    pub(crate) fn new(
        phone_region: Option<phonenumber::country::Id>,
        search_lag: Duration,
    ) -> Self {
        // HubSpot's ids are large numbers; starting past 10,000 keeps them looking alike.
        Self {
            next_id: 10_000,
            phone_region,
            search_lag: SearchLag::new(search_lag),
            ..Self::default()
        }
    }

    /// The next id, one sequence for messages and records alike, as HubSpot's.
    fn allocate(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Creates a message or record; a contact's calculated properties are filled in.
    pub(crate) fn create(
        &mut self,
        owner: PropertyOwner,
        properties: BTreeMap<String, String>,
    ) -> u64 {
        let id = self.allocate();
        let mut object = Object::new(id, properties, Utc::now());
        refresh_calculated(owner, &mut object.properties, self.phone_region);
        reindex(
            &mut self.unique,
            owner,
            id,
            &BTreeMap::new(),
            &object.properties,
        );
        self.search_lag.before_write((owner, id), None);
        self.search_lag
            .written((owner, id), &object, Instant::now());
        match owner {
            PropertyOwner::Communication => self.communications.insert(id, object),
            PropertyOwner::Record(kind) => self.records.insert(RecordId { kind, id }, object),
        };
        self.note(Change::Created { object: owner, id });
        id
    }

    /// Sets properties of a live message or record, keeping the unique-property indexes
    /// (and a contact's calculated properties) current.
    pub(crate) fn update(
        &mut self,
        owner: PropertyOwner,
        id: u64,
        properties: BTreeMap<String, String>,
    ) -> Option<&Object> {
        let object = live_mut(&mut self.communications, &mut self.records, owner, id)?;
        let old = indexed(&self.unique, owner, &object.properties);
        let noting = self.journal.is_some()
            || self
                .webhooks_journal
                .as_ref()
                .is_some_and(|log| log.is_subscribed());
        let before = noting.then(|| object.properties.clone());
        self.search_lag.before_write((owner, id), Some(object));
        object.apply(properties, Utc::now());
        refresh_calculated(owner, &mut object.properties, self.phone_region);
        self.search_lag.written((owner, id), object, Instant::now());
        reindex(&mut self.unique, owner, id, &old, &object.properties);
        let changes = before
            .map(|before| changed(owner, id, &before, &object.properties))
            .unwrap_or_default();
        for change in changes {
            self.note(change);
        }
        self.object(owner, id)
    }

    /// Archives a live message or record (HubSpot's recycle bin); `false` if there is none.
    pub(crate) fn archive(&mut self, owner: PropertyOwner, id: u64, at: DateTime<Utc>) -> bool {
        let Some(object) = live_mut(&mut self.communications, &mut self.records, owner, id) else {
            return false;
        };
        self.search_lag.before_write((owner, id), Some(object));
        object.archived_at = Some(at);
        self.search_lag.written((owner, id), object, Instant::now());
        self.note(Change::Deleted { object: owner, id });
        true
    }

    /// Notes a write for webhook deliveries, if they are configured.
    fn note(&self, change: Change) {
        if let Some(log) = &self.webhooks_journal {
            log.record(&change, self);
        }
        if let Some(journal) = &self.journal {
            journal.note(change);
        }
    }

    /// What search shows of `owner`'s objects now, archived ones included: each as stored, or
    /// as it was before writes made within the search lag (one created within it not at all).
    pub(crate) fn searchable(&mut self, owner: PropertyOwner) -> impl Iterator<Item = &Object> {
        self.search_lag.catch_up(Instant::now());
        let stored: Box<dyn Iterator<Item = &Object>> = match owner {
            PropertyOwner::Communication => Box::new(self.communications.values()),
            PropertyOwner::Record(kind) => Box::new(
                self.records
                    .iter()
                    .filter(move |(record, _)| record.kind == kind)
                    .map(|(_, object)| object),
            ),
        };
        let lag = &self.search_lag;
        stored.filter_map(move |object| lag.shown(owner, object))
    }

    /// Creates a message or record as [`Store::create`] does, shown in search at once whatever
    /// the lag: a seeded object stands for what the account held long before the test.
    pub(crate) fn seed(
        &mut self,
        owner: PropertyOwner,
        properties: BTreeMap<String, String>,
    ) -> u64 {
        let id = self.create(owner, properties);
        self.search_lag.show_now((owner, id));
        id
    }

    /// A message or record of `owner` by id, archived or not.
    pub(crate) fn object(&self, owner: PropertyOwner, id: u64) -> Option<&Object> {
        match owner {
            PropertyOwner::Communication => self.communications.get(&id),
            PropertyOwner::Record(kind) => self.records.get(&RecordId { kind, id }),
        }
    }

    /// A live (not archived) message.
    pub(crate) fn live(&self, id: u64) -> Option<&Object> {
        self.live_object(PropertyOwner::Communication, id)
    }

    /// A live (not archived) message or record.
    pub(crate) fn live_object(&self, owner: PropertyOwner, id: u64) -> Option<&Object> {
        self.object(owner, id).filter(|o| o.archived_at.is_none())
    }

    pub(crate) fn associate(&mut self, message: u64, record: RecordId, how: AssociationType) {
        let added = self
            .associations
            .entry(message)
            .or_default()
            .entry(record)
            .or_default()
            .insert(how);
        self.by_record.entry(record).or_default().insert(message);
        if added {
            self.note(Change::Associated {
                message,
                record,
                how,
                removed: false,
            });
        }
    }

    /// Removes one association type between a message and a record.
    pub(crate) fn dissociate(&mut self, message: u64, record: RecordId, how: AssociationType) {
        if let Some(types) = self
            .associations
            .get_mut(&message)
            .and_then(|records| records.get_mut(&record))
        {
            let removed = types.remove(&how);
            let emptied = types.is_empty();
            if removed {
                self.note(Change::Associated {
                    message,
                    record,
                    how,
                    removed: true,
                });
            }
            if emptied {
                self.dissociate_all(message, record);
            }
        }
    }

    /// Removes every association between a message and a record.
    pub(crate) fn dissociate_all(&mut self, message: u64, record: RecordId) {
        let removed = self
            .associations
            .get_mut(&message)
            .and_then(|records| records.remove(&record));
        for how in removed.into_iter().flatten() {
            self.note(Change::Associated {
                message,
                record,
                how,
                removed: true,
            });
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
    pub(crate) fn associations_of(&self, message: u64, kind: ObjectType) -> Vec<Associated> {
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

/// A live object of `owner` in the store's maps (a function of the two maps, so that a write
/// can hold it while it updates the indexes beside them).
fn live_mut<'a>(
    communications: &'a mut BTreeMap<u64, Object>,
    records: &'a mut BTreeMap<RecordId, Object>,
    owner: PropertyOwner,
    id: u64,
) -> Option<&'a mut Object> {
    let object = match owner {
        PropertyOwner::Communication => communications.get_mut(&id),
        PropertyOwner::Record(kind) => records.get_mut(&RecordId { kind, id }),
    };
    object.filter(|o| o.archived_at.is_none())
}

/// Keeps a contact's calculated properties current after a write.
fn refresh_calculated(
    owner: PropertyOwner,
    properties: &mut BTreeMap<String, String>,
    region: Option<phonenumber::country::Id>,
) {
    if owner == PropertyOwner::Record(ObjectType::Contact) {
        crate::calculated::refresh(properties, region);
    }
}

/// Each property a write changed (set, changed or cleared: `""`), HubSpot's system
/// properties included (`hs_lastmodifieddate`, contacts' calculated phone numbers).
fn changed(
    object: PropertyOwner,
    id: u64,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<Change> {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| Change::PropertyChanged {
            object,
            id,
            name: name.clone(),
            value: after.get(name).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Unique property values (the indexes are `unique`'s).
impl Store {
    /// The object of `owner` whose unique `property` holds `value` (as HubSpot keeps it:
    /// see [`canonical`](crate::schema::canonical)).
    pub(crate) fn find_by(
        &mut self,
        owner: PropertyOwner,
        property: &str,
        value: &str,
    ) -> Option<u64> {
        self.index(owner, property).get(value).copied()
    }

    /// The first unique property of a write whose value another live object of `owner` (not
    /// `except`, the object written) already holds, as HubSpot refuses it. Archived objects
    /// hold no values; empty values clear and take none.
    pub(crate) fn taken(
        &mut self,
        schema: &Schema,
        owner: PropertyOwner,
        properties: &BTreeMap<String, String>,
        except: Option<u64>,
    ) -> Option<Taken> {
        properties
            .iter()
            .filter(|(name, value)| !value.is_empty() && schema.is_unique(owner, name))
            .find_map(|(name, value)| {
                let holder = *self.index(owner, name).get(value)?;
                let live = self.object(owner, holder)?.archived_at.is_none();
                (live && Some(holder) != except).then(|| Taken {
                    property: name.clone(),
                    holder,
                })
            })
    }

    /// The index of `owner`'s `property`, built on first use: live holders first, archived
    /// ones only for values no live object holds.
    fn index(&mut self, owner: PropertyOwner, property: &str) -> &HashMap<String, u64> {
        let key = (owner, property.to_owned());
        if !self.unique.contains_key(&key) {
            let objects: Box<dyn Iterator<Item = &Object>> = match owner {
                PropertyOwner::Communication => Box::new(self.communications.values()),
                PropertyOwner::Record(kind) => Box::new(
                    self.records
                        .iter()
                        .filter(move |(record, _)| record.kind == kind)
                        .map(|(_, object)| object),
                ),
            };
            self.unique
                .insert(key.clone(), unique::build_index(objects, property));
        }
        &self.unique[&key]
    }
}

/// The journal reads objects through this, not through the store's type.
impl crate::webhooks_journal::log::Objects for Store {
    fn object(&self, owner: PropertyOwner, id: u64) -> Option<&Object> {
        Store::object(self, owner, id)
    }
}
