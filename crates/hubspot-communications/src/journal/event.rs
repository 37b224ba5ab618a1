//! One change in a journal entry.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::ObjectType;

hubspot_communications_raw::open_enum! {
    unknown = crate::model::UnknownValue;
    /// What happened to an object: the `action` of a journal event, and what a subscription
    /// asks for ([`ObjectSubscription::action`](super::ObjectSubscription::action)).
    ///
    /// | variant | HubSpot's value |
    /// |---|---|
    /// | [`JournalAction::Create`] | `CREATE` |
    /// | [`JournalAction::Update`] | `UPDATE` (a property watched changed) |
    /// | [`JournalAction::Delete`] | `DELETE` (archived) |
    /// | [`JournalAction::Merge`] | `MERGE` |
    /// | [`JournalAction::Restore`] | `RESTORE` |
    /// | [`JournalAction::AssociationAdded`] | `ASSOCIATION_ADDED` |
    /// | [`JournalAction::AssociationRemoved`] | `ASSOCIATION_REMOVED` |
    /// | [`JournalAction::Snapshot`] | `SNAPSHOT` (an object's state, asked for) |
    /// | [`JournalAction::Other`] | any other value (`APP_INSTALL`, `GDPR_DELETE`, tomorrow's), kept as sent |
    #[cfg_attr(
        feature = "serde",
        derive(serde::Serialize, serde::Deserialize),
        serde(into = "String", from = "String")
    )]
    pub enum JournalAction {
        /// An object was created.
        Create = "CREATE",
        /// A property the subscription watches changed.
        Update = "UPDATE",
        /// An object was deleted (archived).
        Delete = "DELETE",
        /// Objects were merged.
        Merge = "MERGE",
        /// A deleted object was restored.
        Restore = "RESTORE",
        /// An association was added.
        AssociationAdded = "ASSOCIATION_ADDED",
        /// An association was removed.
        AssociationRemoved = "ASSOCIATION_REMOVED",
        /// An object's state, as a snapshot asked for it.
        Snapshot = "SNAPSHOT",
    }
}

/// The other end of an association an event added or removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JournalAssociation {
    /// `associatedObjectTypeId`: the other object's type (`0-1` for contacts).
    pub object_type_id: Option<String>,
    /// `associatedObjectId`: the other object.
    pub object_id: Option<u64>,
    /// `associationTypeId`: the association type, seen from the event's object.
    pub association_type_id: Option<u64>,
    /// `associationCategory`: `HUBSPOT_DEFINED`, `USER_DEFINED`, ….
    pub category: Option<String>,
}

impl JournalAssociation {
    /// The other object's type, if this client knows it.
    pub fn object_type(&self) -> Option<ObjectType> {
        object_type(self.object_type_id.as_deref())
    }
}

/// One change in a journal entry. Every field is optional (HubSpot's spec does not describe
/// the entry files): what is absent is `None`, what this client does not read is in
/// [`JournalEvent::raw`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JournalEvent {
    /// `eventId`, as text (HubSpot writes numbers or strings).
    pub event_id: Option<String>,
    /// `subscriptionId`: the subscription the event is journaled for.
    pub subscription_id: Option<u64>,
    /// `subscriptionType`: `OBJECT`, `ASSOCIATION`, ….
    pub subscription_type: Option<String>,
    /// `portalId`: the HubSpot account.
    pub portal_id: Option<u64>,
    /// `appId`: the app.
    pub app_id: Option<u64>,
    /// `occurredAt`: when the change happened, Unix milliseconds.
    pub occurred_at: Option<u64>,
    /// `action`: what happened.
    pub action: JournalAction,
    /// `objectTypeId`: the object's type (`0-18` for messages, `0-1` for contacts).
    pub object_type_id: Option<String>,
    /// `objectId`: the object.
    pub object_id: Option<u64>,
    /// `properties`: the values of the watched properties the change set (`None`: cleared or
    /// `null`); a creation's and a snapshot's values.
    pub properties: BTreeMap<String, Option<String>>,
    /// The association added or removed, for those actions.
    pub association: Option<JournalAssociation>,
    /// `changeSource`: where the change came from (`CRM`, `API`, `IMPORT`, …).
    pub change_source: Option<String>,
    /// Every field as sent, known and unknown.
    pub raw: Map<String, Value>,
}

impl JournalEvent {
    /// Reads an event's fields (each optional, whatever its JSON type where a number or a
    /// string may come).
    pub fn from_fields(raw: Map<String, Value>) -> Self {
        let text = |name: &str| raw.get(name).and_then(as_text);
        let number = |name: &str| raw.get(name).and_then(as_u64);
        let properties = match raw.get("properties") {
            Some(Value::Object(values)) => values
                .iter()
                .map(|(name, value)| (name.clone(), as_text(value)))
                .collect(),
            _ => BTreeMap::new(),
        };
        let association = JournalAssociation {
            object_type_id: text("associatedObjectTypeId"),
            object_id: number("associatedObjectId"),
            association_type_id: number("associationTypeId"),
            category: text("associationCategory"),
        };
        let association = (association != JournalAssociation::default()).then_some(association);
        Self {
            event_id: text("eventId"),
            subscription_id: number("subscriptionId"),
            subscription_type: text("subscriptionType"),
            portal_id: number("portalId"),
            app_id: number("appId"),
            occurred_at: number("occurredAt"),
            action: JournalAction::from(text("action").unwrap_or_default()),
            object_type_id: text("objectTypeId"),
            object_id: number("objectId"),
            properties,
            association,
            change_source: text("changeSource"),
            raw,
        }
    }

    /// The object's type, if this client knows it.
    pub fn object_type(&self) -> Option<ObjectType> {
        object_type(self.object_type_id.as_deref())
    }
}

fn object_type(id: Option<&str>) -> Option<ObjectType> {
    id.and_then(|id| id.parse::<ObjectType>().ok())
        .filter(|kind| !matches!(kind, ObjectType::Other(_)))
}

/// A string as it is, a number or a boolean as its text; `None` for null and the rest.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A non-negative integer, or a string of one.
fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_field_leniently_and_keeps_unknown_values() {
        let Value::Object(fields) = json!({
            "eventId": 12, "subscriptionId": "1001", "portalId": 62515, "occurredAt": 1700000000000u64,
            "action": "ASSOCIATION_ADDED", "objectTypeId": "0-18", "objectId": 10001,
            "associatedObjectTypeId": "0-1", "associatedObjectId": 10002, "associationTypeId": 81,
            "properties": {"hs_communication_body": "hi", "hs_timestamp": null, "n": 3},
            "novel": true
        }) else {
            unreachable!()
        };
        let event = JournalEvent::from_fields(fields);
        assert_eq!(event.event_id.as_deref(), Some("12"));
        assert_eq!(event.subscription_id, Some(1001));
        assert_eq!(event.action, JournalAction::AssociationAdded);
        assert_eq!(event.object_type(), Some(ObjectType::Communication));
        let association = event.association.as_ref().unwrap();
        assert_eq!(association.object_type(), Some(ObjectType::Contact));
        assert_eq!(association.object_id, Some(10002));
        assert_eq!(event.properties["hs_timestamp"], None);
        assert_eq!(event.properties["n"].as_deref(), Some("3"));
        assert!(event.raw.contains_key("novel"));
        let Value::Object(fields) = json!({"action": "GDPR_DELETE"}) else {
            unreachable!()
        };
        let later = JournalEvent::from_fields(fields);
        assert!(matches!(&later.action, JournalAction::Other(v) if v.as_str() == "GDPR_DELETE"));
        assert!(later.association.is_none());
    }
}
