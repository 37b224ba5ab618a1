//! A stored object (message or CRM record): its properties, their history, and its JSON.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// One value a property held, newest first in [`Object::history`].
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub(crate) value: String,
    pub(crate) at: DateTime<Utc>,
}

/// A stored object (message or CRM record).
#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub(crate) id: u64,
    pub(crate) properties: BTreeMap<String, String>,
    pub(crate) history: BTreeMap<String, Vec<Version>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) archived_at: Option<DateTime<Utc>>,
}

/// Properties a caller cannot set.
pub(crate) const READ_ONLY: [&str; 3] = ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"];

impl Object {
    pub(crate) fn new(id: u64, properties: BTreeMap<String, String>, now: DateTime<Utc>) -> Self {
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
            self.history.entry(name.clone()).or_default().insert(
                0,
                Version {
                    value: value.clone(),
                    at: now,
                },
            );
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
                    let versions: Vec<Value> = self
                        .history
                        .get(name)
                        .into_iter()
                        .flatten()
                        .map(|version| {
                            json!({"value": version.value, "timestamp": timestamp(version.at), "sourceType": "API"})
                        })
                        .collect();
                    (name.clone(), json!(versions))
                })
                .collect();
            object["propertiesWithHistory"] = Value::Object(history);
        }
        object
    }
}

/// HubSpot's timestamps: RFC 3339 in UTC with milliseconds.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
