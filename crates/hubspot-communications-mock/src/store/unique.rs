//! Unique property values: which object holds each value of a unique property (an
//! `idProperty`, or a write's uniqueness check), indexed by owner and property, built on first
//! use and kept current by every write.

use std::collections::{BTreeMap, HashMap};

use super::Store;
use crate::object::Object;
use crate::property::PropertyOwner;
use crate::schema::Schema;

/// A unique property's value that a write would give an object while another live object of
/// the same type holds it.
#[derive(Debug, Clone)]
pub(crate) struct Taken {
    pub(crate) property: String,
    /// The live object holding the value.
    pub(crate) holder: u64,
}

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
            let mut index = HashMap::new();
            for object in objects {
                if let Some(value) = object.properties.get(property) {
                    let holder = index.entry(value.clone()).or_insert(object.id);
                    if object.archived_at.is_none() {
                        *holder = object.id;
                    }
                }
            }
            self.unique.insert(key.clone(), index);
        }
        &self.unique[&key]
    }
}

/// The unique indexes, by owner and property.
pub(super) type Indexes = BTreeMap<(PropertyOwner, String), HashMap<String, u64>>;

/// An object's values of the properties `owner` has indexes for (before a write changes them).
pub(super) fn indexed(
    indexes: &Indexes,
    owner: PropertyOwner,
    properties: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    indexes
        .keys()
        .filter(|(indexed, _)| *indexed == owner)
        .filter_map(|(_, property)| Some((property.clone(), properties.get(property)?.clone())))
        .collect()
}

/// Moves object `id`'s entries in `owner`'s indexes from its `old` values to its `new` ones.
/// A value leaves an index only if `id` held it there.
pub(super) fn reindex(
    indexes: &mut Indexes,
    owner: PropertyOwner,
    id: u64,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) {
    for ((indexed, property), index) in indexes.iter_mut() {
        if *indexed != owner {
            continue;
        }
        let (before, after) = (old.get(property), new.get(property));
        if before == after {
            continue;
        }
        if let Some(before) = before
            && index.get(before) == Some(&id)
        {
            index.remove(before);
        }
        if let Some(after) = after {
            index.insert(after.clone(), id);
        }
    }
}
