//! Unique property values: which object holds each value of a unique property (an
//! `idProperty`, or a write's uniqueness check), indexed by owner and property, built on first
//! use and kept current by every write.

use std::collections::{BTreeMap, HashMap};

use crate::object::Object;
use crate::property::PropertyOwner;

/// A unique property's value that a write would give an object while another live object of
/// the same type holds it.
#[derive(Debug, Clone)]
pub(crate) struct Taken {
    pub(crate) property: String,
    /// The live object holding the value.
    pub(crate) holder: u64,
}

/// The index of one unique property over `objects`: which object holds each value, live
/// holders first, archived ones only for values no live object holds.
pub(super) fn build_index<'a>(
    objects: impl Iterator<Item = &'a Object>,
    property: &str,
) -> HashMap<String, u64> {
    let mut index = HashMap::new();
    for object in objects {
        if let Some(value) = object.properties.get(property) {
            let holder = index.entry(value.clone()).or_insert(object.id);
            if object.archived_at.is_none() {
                *holder = object.id;
            }
        }
    }
    index
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
