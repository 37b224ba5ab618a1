//! The events HubSpot posts: a JSON array of up to 100, every field optional, unknown
//! subscription types and fields kept.

use std::collections::{HashMap, HashSet, VecDeque};
use std::str::FromStr;

use serde_json::{Map, Number, Value};

use crate::model::UnknownValue;

/// The most events HubSpot says it sends in one request. [`parse_events`] reads longer arrays
/// too (refusing them would only make HubSpot retry them); bound the body's size in your
/// framework instead (axum refuses bodies over 2 MB by default).
pub const MAX_EVENTS_PER_REQUEST: usize = 100;

/// The `objectTypeId` of communications (WhatsApp, LinkedIn and SMS messages): `0-18`.
pub const COMMUNICATION_OBJECT_TYPE_ID: &str = "0-18";

/// The object type ids of HubSpot's older subscription types (`contact.creation`, …), which
/// name the object type instead of sending `objectTypeId`.
const LEGACY_OBJECT_TYPE_IDS: [(&str, &str); 6] = [
    ("contact", "0-1"),
    ("company", "0-2"),
    ("deal", "0-3"),
    ("ticket", "0-5"),
    ("product", "0-7"),
    ("line_item", "0-8"),
];

/// Why a body is not a batch of events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventsError {
    /// The body is not JSON (or nests deeper than `serde_json` reads).
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an array.
    #[error("the body is not a JSON array of events")]
    NotAnArray,
    /// An element of the array is not a JSON object.
    #[error("event {index} of the batch is not a JSON object")]
    NotAnObject {
        /// Its index in the array.
        index: usize,
    },
}

/// Reads the body HubSpot posts: a JSON array of events (up to
/// [`MAX_EVENTS_PER_REQUEST`]; more are read too). Every field of an event is optional, and
/// a field of an unexpected type reads as absent; an unknown subscription type is
/// [`EventKind::Other`]; every field, known or not, stays in [`WebhookEvent::raw`].
///
/// Verify the request first ([`Verifier`](super::Verifier)), on the same bytes.
///
/// ```
/// use hubspot_communications::webhooks::{EventKind, parse_events};
///
/// let body = br#"[
///   {"eventId": 100, "subscriptionId": 7, "portalId": 62515, "appId": 54321,
///    "occurredAt": 1767225600000, "subscriptionType": "object.propertyChange",
///    "attemptNumber": 0, "objectId": 10001, "objectTypeId": "0-18",
///    "propertyName": "hs_communication_body", "propertyValue": "Running late",
///    "changeSource": "CRM"},
///   {"eventId": 101, "subscriptionType": "object.somethingNew", "objectTypeId": "0-18",
///    "newField": [1, 2]}
/// ]"#;
/// let events = parse_events(body)?;
/// assert!(events[0].is_communication());
/// match &events[0].kind {
///     EventKind::PropertyChange(change) => {
///         assert_eq!(change.property_name.as_deref(), Some("hs_communication_body"));
///         assert_eq!(change.property_value.as_deref(), Some("Running late"));
///     }
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(&events[1].kind, EventKind::Other(v) if v.as_str() == "object.somethingNew"));
/// assert_eq!(events[1].raw["newField"], serde_json::json!([1, 2]));
/// # Ok::<(), hubspot_communications::webhooks::EventsError>(())
/// ```
pub fn parse_events(body: &[u8]) -> Result<Vec<WebhookEvent>, EventsError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|error| EventsError::NotJson(error.to_string()))?;
    let Value::Array(items) = value else {
        return Err(EventsError::NotAnArray);
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Object(fields) => Ok(WebhookEvent::from_fields(fields)),
            _ => Err(EventsError::NotAnObject { index }),
        })
        .collect()
}

/// One event of a webhook request, in HubSpot's words (`eventId`, `subscriptionType`,
/// `objectTypeId`, …). Every field is optional, as HubSpot says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `eventId`: the id of the change that caused the event. A retried delivery repeats it
    /// (with the same `subscriptionId` and `portalId`: see [`WebhookEvent::key`]).
    pub event_id: Option<u64>,
    /// `subscriptionId`: the app's subscription the event is sent for.
    pub subscription_id: Option<u64>,
    /// `portalId`: the HubSpot account.
    pub portal_id: Option<u64>,
    /// `appId`: the app.
    pub app_id: Option<u64>,
    /// `occurredAt`: when the change happened, Unix milliseconds.
    pub occurred_at: Option<u64>,
    /// `attemptNumber`: 0 for the first delivery, then 1, 2… for HubSpot's retries.
    pub attempt_number: Option<u64>,
    /// `subscriptionType` as sent (`object.creation`, `contact.propertyChange`, …).
    pub subscription_type: Option<String>,
    /// `objectTypeId` as sent (`0-18` for communications); [`WebhookEvent::object_type_id`]
    /// also reads the older subscription types' object names.
    pub object_type_id: Option<String>,
    /// `objectId`: the object created, changed, deleted or restored.
    pub object_id: Option<u64>,
    /// `changeSource`: where the change came from (`CRM`, `API`, `IMPORT`, …).
    pub change_source: Option<String>,
    /// `sourceId`: who or what made the change (`userId:…`, an app id, …).
    pub source_id: Option<String>,
    /// `isSensitive`: whether the change is about a sensitive-data property (HubSpot's
    /// Enterprise accounts can store some; their values need the sensitive scopes to read).
    pub is_sensitive: Option<bool>,
    /// `changeFlag` of the older subscription types (`NEW`, `DELETED`, …).
    pub change_flag: Option<String>,
    /// What happened, with the fields of its kind.
    pub kind: EventKind,
    /// Every field as HubSpot sent it, known and unknown.
    pub raw: Map<String, Value>,
}

/// What an event says happened: the action of its `subscriptionType`
/// (`object.propertyChange` and `contact.propertyChange` are both
/// [`EventKind::PropertyChange`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// `*.creation`: an object was created.
    Creation,
    /// `*.propertyChange`: a property subscribed to changed.
    PropertyChange(PropertyChange),
    /// `*.deletion`: an object was deleted (archived).
    Deletion,
    /// `*.privacyDeletion`: an object was deleted for privacy compliance (GDPR).
    PrivacyDeletion,
    /// `*.associationChange`: an association was added or removed.
    AssociationChange(AssociationChange),
    /// `*.merge`: objects were merged.
    Merge(Merge),
    /// `*.restore`: a deleted object was restored.
    Restore,
    /// A subscription type this client does not know, as sent (empty if absent); its fields
    /// are in [`WebhookEvent::raw`].
    Other(UnknownValue),
}

/// Declares the fields of the event kinds and how they are read: each from the event's field
/// named as it is in camelCase (`property_name` from `propertyName`), as HubSpot names every
/// one, by its type's [`Field`] reading. One list a kind, so a field and its reading cannot
/// drift apart.
macro_rules! kind_fields {
    ($(
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident: $type:ty,)* }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name { $($(#[$field_meta])* pub $field: $type,)* }

        impl $name {
            fn read(raw: &Map<String, Value>) -> Self {
                Self { $($field: Field::read(raw.get(&camel_case(stringify!($field)))),)* }
            }
        }
    )*};
}

kind_fields! {
    /// The fields of a property change.
    pub struct PropertyChange {
        /// `propertyName`.
        pub property_name: Option<String>,
        /// `propertyValue`: the new value (empty when cleared).
        pub property_value: Option<String>,
    }

    /// The fields of an association change.
    pub struct AssociationChange {
        /// `associationType` of the older subscription types (`CONTACT_TO_COMPANY`).
        pub association_type: Option<String>,
        /// `associationTypeId` (e.g. 81, communication to contact).
        pub association_type_id: Option<i64>,
        /// `associationCategory` (`HUBSPOT_DEFINED`, `USER_DEFINED`, `INTEGRATOR_DEFINED`).
        pub association_category: Option<String>,
        /// `fromObjectTypeId`.
        pub from_object_type_id: Option<String>,
        /// `fromObjectId`.
        pub from_object_id: Option<u64>,
        /// `toObjectTypeId`.
        pub to_object_type_id: Option<String>,
        /// `toObjectId`.
        pub to_object_id: Option<u64>,
        /// `associationRemoved`: the association was removed (else added).
        pub association_removed: Option<bool>,
        /// `isPrimaryAssociation`.
        pub is_primary_association: Option<bool>,
    }

    /// The fields of a merge.
    pub struct Merge {
        /// `primaryObjectId`: the object merged into.
        pub primary_object_id: Option<u64>,
        /// `mergedObjectIds`: the objects merged into it.
        pub merged_object_ids: Vec<u64>,
        /// `newObjectId`: the object the merge made.
        pub new_object_id: Option<u64>,
        /// `numberOfPropertiesMoved`.
        pub number_of_properties_moved: Option<u64>,
    }
}

impl WebhookEvent {
    /// Reads one event from its JSON object (what [`parse_events`] does for each).
    pub fn from_fields(raw: Map<String, Value>) -> Self {
        let subscription_type: Option<String> = field(&raw, "subscriptionType");
        let action = subscription_type
            .as_deref()
            .and_then(|t| t.rsplit_once('.'))
            .map(|(_, action)| action);
        let kind = match action {
            Some("creation") => EventKind::Creation,
            Some("propertyChange") => EventKind::PropertyChange(PropertyChange::read(&raw)),
            Some("deletion") => EventKind::Deletion,
            Some("privacyDeletion") => EventKind::PrivacyDeletion,
            Some("associationChange") => {
                EventKind::AssociationChange(AssociationChange::read(&raw))
            }
            Some("merge") => EventKind::Merge(Merge::read(&raw)),
            Some("restore") => EventKind::Restore,
            _ => EventKind::Other(UnknownValue::new(
                subscription_type.clone().unwrap_or_default(),
            )),
        };
        Self {
            event_id: field(&raw, "eventId"),
            subscription_id: field(&raw, "subscriptionId"),
            portal_id: field(&raw, "portalId"),
            app_id: field(&raw, "appId"),
            occurred_at: field(&raw, "occurredAt"),
            attempt_number: field(&raw, "attemptNumber"),
            object_type_id: field(&raw, "objectTypeId"),
            object_id: field(&raw, "objectId"),
            change_source: field(&raw, "changeSource"),
            source_id: field(&raw, "sourceId"),
            is_sensitive: field(&raw, "isSensitive"),
            change_flag: field(&raw, "changeFlag"),
            subscription_type,
            kind,
            raw,
        }
    }

    /// The object type id: `objectTypeId` when sent, else the one the older subscription
    /// types name (`contact.creation` → `0-1`; companies `0-2`, deals `0-3`, tickets `0-5`,
    /// products `0-7`, line items `0-8`).
    pub fn object_type_id(&self) -> Option<&str> {
        if let Some(id) = &self.object_type_id {
            return Some(id);
        }
        let (object, _) = self.subscription_type.as_deref()?.rsplit_once('.')?;
        LEGACY_OBJECT_TYPE_IDS
            .iter()
            .find(|(name, _)| *name == object)
            .map(|(_, id)| *id)
    }

    /// Whether the event is about a communication (`objectTypeId` `0-18`).
    pub fn is_communication(&self) -> bool {
        self.object_type_id() == Some(COMMUNICATION_OBJECT_TYPE_ID)
    }

    /// A field as HubSpot sent it.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }

    /// What identifies this event across HubSpot's retries and repeated deliveries: its
    /// `eventId`, within its `subscriptionId` and `portalId` (one change may notify several
    /// subscriptions), and everything else it says but `attemptNumber`: HubSpot's
    /// `eventId` "is not guaranteed to be unique", so two different events that share one are
    /// two keys, while the same event delivered twice (a retry, or a repeat) is one. `None`
    /// without an `eventId`.
    pub fn key(&self) -> Option<EventKey> {
        Some(EventKey {
            portal_id: self.portal_id,
            subscription_id: self.subscription_id,
            event_id: self.event_id?,
            content: content_digest(&self.raw),
        })
    }
}

/// A digest of an event's fields but `attemptNumber` (which a retry changes), in the order of
/// their names: what makes two events with one `eventId` the same event.
fn content_digest(raw: &Map<String, Value>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut fields: Vec<(&String, &Value)> = raw
        .iter()
        .filter(|(name, _)| name.as_str() != "attemptNumber")
        .collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (name, value) in fields {
        name.hash(&mut hasher);
        value.to_string().hash(&mut hasher);
    }
    hasher.finish()
}

/// What identifies an event across retries and repeated deliveries ([`WebhookEvent::key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKey {
    portal_id: Option<u64>,
    subscription_id: Option<u64>,
    event_id: u64,
    content: u64,
}

/// The events seen lately, to drop the duplicates HubSpot sends (its retries, and events it
/// simply delivers twice: it does not promise an event once): at most `capacity` keys
/// ([`WebhookEvent::key`]) are kept, the oldest forgotten first.
///
/// Remember an event once it is handled, not when it arrives: if handling fails and you
/// answer an error, HubSpot's retry must not be dropped as a duplicate. Share one behind a
/// `Mutex` between requests.
///
/// ```
/// use hubspot_communications::webhooks::{SeenEvents, parse_events};
///
/// let mut seen = SeenEvents::new(10_000);
/// let first = parse_events(br#"[{"eventId": 1, "subscriptionId": 2, "attemptNumber": 0}]"#)?;
/// let retry = parse_events(br#"[{"eventId": 1, "subscriptionId": 2, "attemptNumber": 1}]"#)?;
/// assert!(!seen.contains(&first[0]));
/// assert!(seen.insert(&first[0])); // handled: remembered
/// assert!(seen.contains(&retry[0])); // the retry is a duplicate
/// assert!(!seen.insert(&retry[0]));
/// # Ok::<(), hubspot_communications::webhooks::EventsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SeenEvents {
    capacity: usize,
    keys: HashSet<EventKey>,
    order: VecDeque<EventKey>,
}

impl SeenEvents {
    /// Remembers up to `capacity` events (0 remembers none: nothing is ever a duplicate).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            keys: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether the event was remembered (always `false` without an `eventId`).
    pub fn contains(&self, event: &WebhookEvent) -> bool {
        event.key().is_some_and(|key| self.keys.contains(&key))
    }

    /// Remembers the event; `true` if it was not remembered yet (an event without an
    /// `eventId` cannot be remembered, and is always new). Past the capacity, the oldest is
    /// forgotten.
    pub fn insert(&mut self, event: &WebhookEvent) -> bool {
        let Some(key) = event.key() else {
            return true;
        };
        if self.keys.contains(&key) {
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        while self.order.len() >= self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
        self.keys.insert(key);
        self.order.push_back(key);
        true
    }

    /// How many events are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The most it remembers.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// What an event changes, for ordering: an object's life (creation, deletion, restore,
/// merge), one of its properties, or one association.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Life {
        portal: Option<u64>,
        object_type: Option<String>,
        object: u64,
    },
    Property {
        portal: Option<u64>,
        object_type: Option<String>,
        object: u64,
        name: String,
    },
    Association {
        portal: Option<u64>,
        from: (Option<String>, u64),
        to: (Option<String>, u64),
        type_id: Option<i64>,
    },
}

impl Subject {
    fn of(event: &WebhookEvent) -> Option<Self> {
        let portal = event.portal_id;
        let object_type = event.object_type_id().map(str::to_owned);
        match &event.kind {
            EventKind::PropertyChange(change) => Some(Self::Property {
                portal,
                object_type,
                object: event.object_id?,
                name: change.property_name.clone()?,
            }),
            EventKind::AssociationChange(change) => Some(Self::Association {
                portal,
                from: (change.from_object_type_id.clone(), change.from_object_id?),
                to: (change.to_object_type_id.clone(), change.to_object_id?),
                type_id: change.association_type_id,
            }),
            EventKind::Other(_) => None,
            _ => Some(Self::Life {
                portal,
                object_type,
                object: event.object_id?,
            }),
        }
    }

    /// The object's life, which a property change older than it does not outlive (a change
    /// from before a deletion, delivered after it).
    fn life(&self) -> Option<Self> {
        match self {
            Self::Property {
                portal,
                object_type,
                object,
                ..
            } => Some(Self::Life {
                portal: *portal,
                object_type: object_type.clone(),
                object: *object,
            }),
            _ => None,
        }
    }
}

/// The latest change applied to each object's life, each property and each association, by
/// `occurredAt`: HubSpot does not deliver events in the order they happened (a retried
/// request comes after newer ones; a request's events are in no promised order), so a
/// receiver that applies what it is told must not let an older change overwrite a newer
/// one. At most `capacity` subjects are kept, the first recorded forgotten first.
///
/// ```
/// use hubspot_communications::webhooks::{LatestChanges, parse_events};
///
/// // Two changes of one message's channel, the newer one delivered first.
/// let events = parse_events(br#"[
///   {"eventId": 2, "occurredAt": 2000, "subscriptionType": "object.propertyChange",
///    "objectTypeId": "0-18", "objectId": 7, "propertyName": "hs_communication_channel_type",
///    "propertyValue": "WHATS_APP"},
///   {"eventId": 1, "occurredAt": 1000, "subscriptionType": "object.propertyChange",
///    "objectTypeId": "0-18", "objectId": 7, "propertyName": "hs_communication_channel_type",
///    "propertyValue": "SMS"}
/// ]"#)?;
/// let mut latest = LatestChanges::new(10_000);
/// assert!(latest.insert(&events[0])); // apply WHATS_APP
/// assert!(!latest.insert(&events[1])); // SMS is older: skip it
/// # Ok::<(), hubspot_communications::webhooks::EventsError>(())
/// ```
///
/// Changes with the same `occurredAt` are all applied (HubSpot gives no finer order), and an
/// event without `occurredAt`, or without the object it changes, is always applied and never
/// recorded. Use it beside [`SeenEvents`]: duplicates first, then order.
#[derive(Debug, Clone)]
pub struct LatestChanges {
    capacity: usize,
    latest: HashMap<Subject, u64>,
    order: VecDeque<Subject>,
}

impl LatestChanges {
    /// Keeps the latest change of up to `capacity` subjects (0 keeps none: nothing is stale).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            latest: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether a newer change of what `event` changes was recorded: applying `event` would
    /// undo it.
    pub fn is_stale(&self, event: &WebhookEvent) -> bool {
        let (Some(subject), Some(at)) = (Subject::of(event), event.occurred_at) else {
            return false;
        };
        let newer = |subject: &Subject| self.latest.get(subject).is_some_and(|t| *t > at);
        newer(&subject) || subject.life().is_some_and(|life| newer(&life))
    }

    /// Records `event` as the latest change of what it changes, unless it is stale; `true` if
    /// it is to be applied.
    pub fn insert(&mut self, event: &WebhookEvent) -> bool {
        if self.is_stale(event) {
            return false;
        }
        let (Some(subject), Some(at)) = (Subject::of(event), event.occurred_at) else {
            return true;
        };
        if self.capacity == 0 {
            return true;
        }
        if let Some(latest) = self.latest.get_mut(&subject) {
            *latest = (*latest).max(at);
            return true;
        }
        while self.order.len() >= self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.latest.remove(&oldest);
            }
        }
        self.latest.insert(subject.clone(), at);
        self.order.push_back(subject);
        true
    }

    /// How many subjects are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The most it remembers.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// A field of the event, read as its type reads (absent if it is of another JSON type).
fn field<T: Field>(raw: &Map<String, Value>, name: &str) -> T {
    T::read(raw.get(name))
}

/// How an event's field of each type is read, from the field if sent.
trait Field {
    fn read(value: Option<&Value>) -> Self;
}

/// A text field; numbers and booleans read as their JSON text (HubSpot sends property values
/// as strings, but a field of another type is not lost).
impl Field for Option<String> {
    fn read(value: Option<&Value>) -> Self {
        match value? {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }
}

/// An id or count: a non-negative integer, or a string of one.
impl Field for Option<u64> {
    fn read(value: Option<&Value>) -> Self {
        integer(value?, Number::as_u64)
    }
}

/// An association type id: an integer, or a string of one.
impl Field for Option<i64> {
    fn read(value: Option<&Value>) -> Self {
        integer(value?, Number::as_i64)
    }
}

/// A flag: a boolean, or the string `true` or `false` in any case.
impl Field for Option<bool> {
    fn read(value: Option<&Value>) -> Self {
        match value? {
            Value::Bool(flag) => Some(*flag),
            Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
            Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
}

/// A list of ids: an array, of which the elements that are not ids are skipped.
impl Field for Vec<u64> {
    fn read(value: Option<&Value>) -> Self {
        let items = value.and_then(Value::as_array).into_iter().flatten();
        items
            .filter_map(|item| integer(item, Number::as_u64))
            .collect()
    }
}

/// An integer of the width `as_integer` gives, from a JSON number or a string of one.
fn integer<T: FromStr>(value: &Value, as_integer: fn(&Number) -> Option<T>) -> Option<T> {
    match value {
        Value::Number(number) => as_integer(number),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// A field's name as HubSpot spells it: `association_type_id` is `associationTypeId`.
fn camel_case(snake: &str) -> String {
    let mut words = snake.split('_');
    let mut camel = words.next().unwrap_or_default().to_owned();
    for word in words {
        let mut letters = word.chars();
        camel.extend(letters.next().map(|first| first.to_ascii_uppercase()));
        camel.push_str(letters.as_str());
    }
    camel
}

#[cfg(test)]
mod tests;
