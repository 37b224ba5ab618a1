//! A message as HubSpot returns it.

use super::from_raw::FromRaw;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use hubspot_communications_raw::{Timestamp, types};

use super::channel::Channel;
use super::object_type::ObjectType;

/// HubSpot's property names for a message.
pub mod property {
    /// The channel: `WHATS_APP`, `LINKEDIN_MESSAGE` or `SMS`.
    pub const CHANNEL: &str = "hs_communication_channel_type";
    /// Where the message was logged from; always `CRM` through the API.
    pub const LOGGED_FROM: &str = "hs_communication_logged_from";
    /// The text.
    pub const BODY: &str = "hs_communication_body";
    /// The owner shown as the message's creator.
    pub const OWNER: &str = "hubspot_owner_id";
    /// When the message happened: its place on the timeline.
    pub const TIMESTAMP: &str = "hs_timestamp";
    /// The record id (read-only).
    pub const OBJECT_ID: &str = "hs_object_id";
    /// When the message was created in HubSpot (read-only).
    pub const CREATE_DATE: &str = "hs_createdate";
    /// When the message last changed (read-only).
    pub const LAST_MODIFIED: &str = "hs_lastmodifieddate";
    /// On a CRM record: the id of the activity pinned on its timeline.
    pub const PINNED_ENGAGEMENT_ID: &str = "hs_pinned_engagement_id";
}

/// A WhatsApp, LinkedIn or SMS message logged in HubSpot.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Message {
    /// HubSpot's id of the message.
    pub id: String,
    /// The channel, if the property was returned.
    pub channel: Option<Channel>,
    /// The text, if returned and set.
    pub body: Option<String>,
    /// The owner's id, if returned and set.
    pub owner_id: Option<String>,
    /// When the message happened, if returned and readable.
    pub timestamp: Option<DateTime<Utc>>,
    /// When it was created in HubSpot.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether it is in the recycle bin.
    pub archived: bool,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// The records it is associated with, by object type, when asked for.
    pub associations: BTreeMap<ObjectType, Vec<AssociatedId>>,
    /// The object types of [`associations`](Self::associations) HubSpot answered only a first
    /// page of (its answer had a next page): read them whole with
    /// [`Client::associations`](crate::Client::associations) or
    /// [`Client::read_associations`](crate::Client::read_associations).
    pub partial_associations: BTreeSet<ObjectType>,
    /// Every returned property, `None` where HubSpot answered `null`.
    pub properties: BTreeMap<String, Option<String>>,
    /// Past values of the properties asked for with history, newest first.
    pub properties_with_history: BTreeMap<String, Vec<PropertyVersion>>,
    /// For a message a batch upsert answered with, HubSpot's `new`: whether the upsert created
    /// it (`true`) or found it by its key and updated it (`false`); `None` for other answers.
    /// A retried upsert whose first attempt was stored answers `false`.
    pub upsert_new: Option<bool>,
}

/// An associated record's id and the association's type, as a read returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AssociatedId {
    /// The record's id.
    pub id: String,
    /// The association type's name, e.g. `communication_to_contact`.
    pub association_type: String,
}

/// One past value of a property.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PropertyVersion {
    /// The value.
    pub value: String,
    /// When it was set.
    pub timestamp: DateTime<Utc>,
    /// What set it, e.g. `API` or `CRM_UI`.
    pub source_type: String,
}

impl Message {
    /// A live message `id` created and last changed at `created_at`, with no property: what a
    /// stand-in of the client builds its answers from. Set the fields it should have; the
    /// typed ones (`body`, `channel`, …) are read from `properties` when HubSpot answers, so a
    /// stand-in that sets one should set both.
    ///
    /// ```
    /// use hubspot_communications::{Channel, Message};
    ///
    /// let mut message = Message::new("1001", chrono::Utc::now());
    /// message.channel = Some(Channel::Sms);
    /// message.body = Some("On my way".into());
    /// assert_eq!(message.id, "1001");
    /// ```
    pub fn new(id: impl Into<String>, created_at: DateTime<Utc>) -> Self {
        Self {
            id: id.into(),
            channel: None,
            body: None,
            owner_id: None,
            timestamp: None,
            created_at,
            updated_at: created_at,
            archived: false,
            archived_at: None,
            associations: BTreeMap::new(),
            partial_associations: BTreeSet::new(),
            properties: BTreeMap::new(),
            properties_with_history: BTreeMap::new(),
            upsert_new: None,
        }
    }

    /// The same message with these properties, and its typed fields (`channel`, `body`,
    /// `owner_id`, `timestamp`) read from them as they are from HubSpot's answers.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use hubspot_communications::{Channel, Message};
    ///
    /// let properties = BTreeMap::from([
    ///     ("hs_communication_channel_type".to_owned(), Some("SMS".to_owned())),
    ///     ("hs_communication_body".to_owned(), Some("On my way".to_owned())),
    /// ]);
    /// let message = Message::new("1001", chrono::Utc::now()).with_properties(properties);
    /// assert_eq!(message.channel, Some(Channel::Sms));
    /// assert_eq!(message.body.as_deref(), Some("On my way"));
    /// ```
    #[must_use]
    pub fn with_properties(mut self, properties: BTreeMap<String, Option<String>>) -> Self {
        let text = |name: &str| properties.get(name).and_then(Option::as_deref);
        self.channel = text(property::CHANNEL).and_then(|c| c.parse().ok());
        self.body = text(property::BODY).map(str::to_owned);
        self.owner_id = text(property::OWNER).map(str::to_owned);
        self.timestamp = text(property::TIMESTAMP).and_then(parse_timestamp);
        self.properties = properties;
        self
    }

    /// A property's value, if returned and set.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(name)?.as_deref()
    }

    fn from_parts(
        id: String,
        properties: BTreeMap<String, Option<String>>,
        created_at: Timestamp,
        updated_at: Timestamp,
        archived: bool,
        archived_at: Option<Timestamp>,
        properties_with_history: BTreeMap<String, Vec<types::ValueWithTimestamp>>,
    ) -> Self {
        let mut message = Self::new(id, created_at.0).with_properties(properties);
        message.updated_at = updated_at.0;
        message.archived = archived;
        message.archived_at = archived_at.map(|at| at.0);
        message.properties_with_history = history(properties_with_history);
        message
    }
}

/// Reads a HubSpot timestamp: ISO 8601, or Unix milliseconds.
fn parse_timestamp(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(millis) = value.parse::<i64>() {
        return Utc.timestamp_millis_opt(millis).single();
    }
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The message of one of HubSpot's object answers, from the fields they all carry (the
/// generated types share those fields' names, not a trait). It moves only those fields out of
/// `$object`: the caller reads the rest (`associations`, `new`).
macro_rules! from_object {
    ($object:ident) => {
        Message::from_parts(
            $object.id,
            $object.properties,
            $object.created_at,
            $object.updated_at,
            $object.archived,
            $object.archived_at,
            $object.properties_with_history,
        )
    };
}

impl FromRaw<types::SimplePublicObjectWithAssociations> for Message {
    fn from_raw(object: types::SimplePublicObjectWithAssociations) -> Self {
        let mut message = from_object!(object);
        message.partial_associations = object
            .associations
            .iter()
            .filter(|(_, ids)| ids.paging.as_ref().is_some_and(|p| p.next.is_some()))
            .map(|(object_type, _)| ObjectType::from(object_type.as_str()))
            .collect();
        message.associations = object
            .associations
            .into_iter()
            .map(|(object_type, ids)| {
                let ids = ids
                    .results
                    .into_iter()
                    .map(|a| AssociatedId {
                        id: a.id,
                        association_type: a.type_,
                    })
                    .collect();
                (ObjectType::from(object_type), ids)
            })
            .collect();
        message
    }
}

impl FromRaw<types::SimplePublicObject> for Message {
    fn from_raw(object: types::SimplePublicObject) -> Self {
        from_object!(object)
    }
}

impl FromRaw<types::SimplePublicUpsertObject> for Message {
    fn from_raw(object: types::SimplePublicUpsertObject) -> Self {
        Self {
            upsert_new: Some(object.new),
            ..from_object!(object)
        }
    }
}

impl AssociatedId {
    /// The record `id`, associated by the type named `association_type`.
    pub fn new(id: impl Into<String>, association_type: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            association_type: association_type.into(),
        }
    }
}

impl PropertyVersion {
    /// A past `value`, set at `timestamp` by `source_type` (e.g. `API`).
    pub fn new(
        value: impl Into<String>,
        timestamp: DateTime<Utc>,
        source_type: impl Into<String>,
    ) -> Self {
        Self {
            value: value.into(),
            timestamp,
            source_type: source_type.into(),
        }
    }
}

fn history(
    map: BTreeMap<String, Vec<types::ValueWithTimestamp>>,
) -> BTreeMap<String, Vec<PropertyVersion>> {
    map.into_iter()
        .map(|(name, versions)| {
            let versions = versions
                .into_iter()
                .map(|v| PropertyVersion {
                    value: v.value,
                    timestamp: v.timestamp.0,
                    source_type: v.source_type,
                })
                .collect();
            (name, versions)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn associations_answered_in_part_are_named() {
        let object: types::SimplePublicObjectWithAssociations =
            serde_json::from_value(serde_json::json!({
                "id": "1", "properties": {}, "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z", "archived": false,
                "associations": {
                    "contacts": {"results": [{"id": "7", "type": "communication_to_contact"}],
                        "paging": {"next": {"after": "7"}}},
                    "companies": {"results": [{"id": "8", "type": "communication_to_company"}]}
                }
            }))
            .unwrap();
        let message = Message::from_raw(object);
        assert_eq!(
            message.partial_associations,
            BTreeSet::from([ObjectType::Contact])
        );
        assert_eq!(message.associations[&ObjectType::Company][0].id, "8");
    }

    #[test]
    fn timestamps_are_read_in_both_of_hubspots_forms() {
        let iso = parse_timestamp("2022-11-12T15:48:22Z").unwrap();
        let millis = parse_timestamp("1668268102000").unwrap();
        assert_eq!(iso, millis);
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
