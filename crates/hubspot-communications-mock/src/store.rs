//! The fake's state: messages, CRM records, and the associations between them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

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
    /// Every kind.
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

    /// HubSpot's default association type from a communication to this kind.
    pub fn default_type_id(self) -> i32 {
        match self {
            Self::Contact => 81,
            Self::Ticket => 83,
            Self::Deal => 85,
            Self::Company => 87,
        }
    }

    /// The kind a HubSpot-defined type from a communication points at.
    pub(crate) fn of_default_type(type_id: i32) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.default_type_id() == type_id)
    }
}

/// An association type: category and id.
pub(crate) type AssociationType = (String, i32);

/// A stored object (message or CRM record).
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub(crate) id: u64,
    pub(crate) properties: BTreeMap<String, String>,
    pub(crate) history: BTreeMap<String, Vec<(String, DateTime<Utc>)>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) archived_at: Option<DateTime<Utc>>,
}

/// Properties a caller cannot set.
pub(crate) const READ_ONLY: [&str; 3] = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"];

impl Object {
    fn new(id: u64, properties: BTreeMap<String, String>, now: DateTime<Utc>) -> Self {
        let mut object = Self {
            id,
            properties: BTreeMap::new(),
            history: BTreeMap::new(),
            created_at: now,
            updated_at: now,
            archived_at: None,
        };
        object.apply(properties, now);
        object.set_system(now);
        object
    }

    /// Sets properties: the empty string clears one, read-only ones are ignored.
    pub(crate) fn apply(&mut self, properties: BTreeMap<String, String>, now: DateTime<Utc>) {
        for (name, value) in properties {
            if READ_ONLY.contains(&name.as_str()) {
                continue;
            }
            self.history
                .entry(name.clone())
                .or_default()
                .insert(0, (value.clone(), now));
            if value.is_empty() {
                self.properties.remove(&name);
            } else {
                self.properties.insert(name, value);
            }
        }
        self.updated_at = now;
        self.set_system(now);
    }

    fn set_system(&mut self, now: DateTime<Utc>) {
        self.properties
            .insert("hs_object_id".into(), self.id.to_string());
        self.properties
            .insert("hs_createdate".into(), timestamp(self.created_at));
        self.properties
            .insert("hs_lastmodifieddate".into(), timestamp(now));
    }

    /// The object in HubSpot's shape, with the asked-for properties (defaults if none).
    pub(crate) fn to_json(
        &self,
        asked: &[String],
        with_history: &[String],
        defaults: &[&str],
    ) -> Value {
        let mut properties = Map::new();
        let names: Vec<&str> = if asked.is_empty() {
            defaults
                .iter()
                .copied()
                .filter(|n| self.properties.contains_key(*n))
                .collect()
        } else {
            asked.iter().map(String::as_str).collect()
        };
        for name in READ_ONLY.iter().copied().chain(names) {
            properties.insert(
                name.into(),
                self.properties.get(name).map_or(Value::Null, |v| json!(v)),
            );
        }
        let mut object = json!({
            "id": self.id.to_string(),
            "properties": properties,
            "createdAt": timestamp(self.created_at),
            "updatedAt": timestamp(self.updated_at),
            "archived": self.archived_at.is_some(),
        });
        if let Some(at) = self.archived_at {
            object["archivedAt"] = json!(timestamp(at));
        }
        if !with_history.is_empty() {
            let history: Map<String, Value> = with_history
                .iter()
                .map(|name| {
                    let versions: Vec<Value> = self.history.get(name).into_iter().flatten()
                        .map(|(value, at)| json!({"value": value, "timestamp": timestamp(*at), "sourceType": "API"}))
                        .collect();
                    (name.clone(), json!(versions))
                })
                .collect();
            object["propertiesWithHistory"] = Value::Object(history);
        }
        object
    }
}

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Everything the fake stores.
#[derive(Debug, Default)]
pub(crate) struct Store {
    next_id: u64,
    pub(crate) communications: BTreeMap<u64, Object>,
    pub(crate) records: BTreeMap<(ObjectKind, u64), Object>,
    /// message id -> (record kind, record id) -> association types.
    pub(crate) associations: BTreeMap<u64, BTreeMap<(ObjectKind, u64), BTreeSet<AssociationType>>>,
    /// For each property used as a unique `idProperty`: value -> message id. Built on first
    /// use, kept current by every write, so upserts stay O(log n).
    unique: BTreeMap<String, std::collections::HashMap<String, u64>>,
}

impl Store {
    pub(crate) fn new() -> Self {
        Self {
            next_id: 10_000,
            ..Self::default()
        }
    }

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
        self.records
            .insert((kind, id), Object::new(id, properties, Utc::now()));
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

    pub(crate) fn associate(
        &mut self,
        message: u64,
        kind: ObjectKind,
        record: u64,
        association: AssociationType,
    ) {
        self.associations
            .entry(message)
            .or_default()
            .entry((kind, record))
            .or_default()
            .insert(association);
    }

    pub(crate) fn associations_of(
        &self,
        message: u64,
        kind: ObjectKind,
    ) -> Vec<(u64, Vec<AssociationType>)> {
        self.associations
            .get(&message)
            .into_iter()
            .flatten()
            .filter(|((k, _), types)| *k == kind && !types.is_empty())
            .map(|((_, record), types)| (*record, types.iter().cloned().collect()))
            .collect()
    }

    pub(crate) fn is_associated(&self, message: u64, kind: ObjectKind, record: u64) -> bool {
        self.associations
            .get(&message)
            .and_then(|records| records.get(&(kind, record)))
            .is_some_and(|types| !types.is_empty())
    }
}
