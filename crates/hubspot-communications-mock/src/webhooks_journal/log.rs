//! The journal itself: subscriptions, filters, the entries and the snapshots' statuses.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::{JournalAction, ObjectSubscription, WebhooksJournal};
use crate::label::{Labels, Side};
use crate::lock::lock;
use crate::object::Object;
use crate::object_type::ObjectType;
use crate::property::PropertyOwner;
use crate::webhooks::Change;

/// What the journal reads of the store: an object, by its owner and id (the store implements
/// it, so that the journal need not know the store that notes changes to it).
pub(crate) trait Objects {
    /// The object, archived or not.
    fn object(&self, owner: PropertyOwner, id: u64) -> Option<&Object>;
}

/// HubSpot's object type id of an object type of the fake.
pub(crate) fn type_id(object: PropertyOwner) -> &'static str {
    match object {
        PropertyOwner::Communication => "0-18",
        PropertyOwner::Record(kind) => kind.type_id(),
    }
}

/// The object type of a type id or name (`0-18`, `communications`, `contacts`, …).
pub(crate) fn owner_of(type_id: &str) -> Option<PropertyOwner> {
    match type_id.to_ascii_lowercase().as_str() {
        "0-18" | "communication" | "communications" => Some(PropertyOwner::Communication),
        other => ObjectType::parse(other)
            .or_else(|| {
                ObjectType::ALL
                    .into_iter()
                    .find(|kind| kind.type_id() == other)
            })
            .map(PropertyOwner::Record),
    }
}

/// A subscription as the journal keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Subscription {
    pub(crate) id: u64,
    pub(crate) portal_id: u64,
    pub(crate) spec: ObjectSubscription,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl Subscription {
    /// HubSpot's `SubscriptionResponse`.
    pub(crate) fn to_json(&self, app_id: u64) -> Value {
        json!({
            "id": self.id,
            "appId": app_id,
            "subscriptionType": "OBJECT",
            "objectTypeId": type_id(self.spec.object),
            "portalId": self.portal_id,
            "actions": self.spec.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "properties": self.spec.properties,
            "objectIds": self.spec.object_ids,
            "associatedObjectTypeIds": [],
            "listIds": [],
            "createdAt": self.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "updatedAt": self.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        })
    }
}

/// A subscription to create or update: what an upsert request asked for.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionRequest {
    pub(crate) portal_id: u64,
    pub(crate) spec: ObjectSubscription,
}

/// One condition of a filter, as HubSpot's `Condition`.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) operator: String,
    pub(crate) property: String,
    pub(crate) value: Option<String>,
    pub(crate) values: Vec<String>,
}

impl Condition {
    /// Whether an object's properties meet the condition. Numbers compare as numbers when
    /// both sides are numbers, as text otherwise.
    fn holds(&self, properties: Option<&BTreeMap<String, String>>) -> bool {
        let actual = properties
            .and_then(|p| p.get(&self.property))
            .filter(|v| !v.is_empty());
        let expected = self.value.as_deref().unwrap_or_default();
        let compare = |actual: &str| match (actual.parse::<f64>(), expected.parse::<f64>()) {
            (Ok(a), Ok(b)) => a.partial_cmp(&b),
            _ => Some(actual.cmp(expected)),
        };
        use std::cmp::Ordering::{Equal, Greater, Less};
        match (self.operator.as_str(), actual) {
            ("IS_EMPTY", actual) => actual.is_none(),
            ("IS_NOT_EMPTY", actual) => actual.is_some(),
            ("N_EQ", None) | ("NOT_IN", None) => true,
            (_, None) => false,
            ("EQ", Some(a)) => compare(a) == Some(Equal),
            ("N_EQ", Some(a)) => compare(a) != Some(Equal),
            ("LT", Some(a)) => compare(a) == Some(Less),
            ("GT", Some(a)) => compare(a) == Some(Greater),
            ("LTE", Some(a)) => matches!(compare(a), Some(Less | Equal)),
            ("GTE", Some(a)) => matches!(compare(a), Some(Greater | Equal)),
            ("CONTAINS", Some(a)) => a.contains(expected),
            ("STARTS_WITH", Some(a)) => a.starts_with(expected),
            ("ENDS_WITH", Some(a)) => a.ends_with(expected),
            ("IN", Some(a)) => self.values.iter().any(|v| v == a),
            ("NOT_IN", Some(a)) => !self.values.iter().any(|v| v == a),
            _ => false,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut condition = json!({
            "filterType": "CRM_OBJECT_PROPERTY",
            "operator": self.operator,
            "property": self.property,
            "values": self.values,
        });
        if let Some(value) = &self.value {
            condition["value"] = json!(value);
        }
        condition
    }
}

/// The operators a condition may name.
pub(crate) const OPERATORS: [&str; 13] = [
    "EQ",
    "N_EQ",
    "LT",
    "GT",
    "LTE",
    "GTE",
    "CONTAINS",
    "STARTS_WITH",
    "ENDS_WITH",
    "IN",
    "NOT_IN",
    "IS_EMPTY",
    "IS_NOT_EMPTY",
];

/// A subscription's filter.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub(crate) id: u64,
    pub(crate) subscription_id: u64,
    pub(crate) created_at: i64,
    pub(crate) conditions: Vec<Condition>,
}

impl Filter {
    /// HubSpot's `FilterResponse`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "createdAt": self.created_at,
            "filter": {"conditions": self.conditions.iter().map(Condition::to_json).collect::<Vec<_>>()},
        })
    }
}

/// One sealed entry: its place and its file.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) sequence: u64,
    pub(crate) written_at: Instant,
    /// The entry's file: a JSON array of events.
    pub(crate) body: Bytes,
}

/// A snapshot's status.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) status: &'static str,
    pub(crate) initiated_at: i64,
    pub(crate) completed_at: Option<i64>,
    pub(crate) error_code: Option<&'static str>,
    pub(crate) message: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    subscriptions: BTreeMap<u64, Subscription>,
    next_subscription_id: u64,
    filters: BTreeMap<u64, Filter>,
    next_filter_id: u64,
    /// Sealed entries, oldest first, sequences ascending with no gap.
    entries: VecDeque<Entry>,
    next_sequence: u64,
    /// The events of the entry being filled.
    open: Vec<Value>,
    next_event_id: u64,
    snapshots: HashMap<String, Snapshot>,
}

/// The journal of one fake server.
pub(crate) struct Log {
    pub(crate) settings: WebhooksJournal,
    labels: Labels,
    /// Tells this server's offsets from another's (and from a restarted one's).
    run: u32,
    /// Signs the entries' URLs.
    pub(crate) key: [u8; 32],
    /// The file host's base URL, once it listens.
    pub(crate) files_base: OnceLock<String>,
    /// URLs signed before this epoch are expired, whatever their expiry says
    /// ([`MockServer::expire_journal_urls`](crate::MockServer::expire_journal_urls)).
    pub(crate) url_epoch: std::sync::atomic::AtomicU64,
    state: Mutex<State>,
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Where an offset points.
pub(crate) enum Found {
    /// At the entry with this index in `entries`.
    At(usize),
    /// Nowhere the journal holds: expired, of another run, or not an offset.
    Unknown,
}

impl Log {
    pub(crate) fn new(settings: WebhooksJournal, labels: Labels) -> Self {
        let now = Utc::now();
        let subscriptions = settings
            .subscriptions
            .iter()
            .enumerate()
            .map(|(index, spec)| {
                let id = index as u64 + 1;
                let subscription = Subscription {
                    id,
                    portal_id: settings.portal_id,
                    spec: spec.clone(),
                    created_at: now,
                    updated_at: now,
                };
                (id, subscription)
            })
            .collect::<BTreeMap<_, _>>();
        let state = State {
            next_subscription_id: subscriptions.len() as u64 + 1,
            subscriptions,
            next_filter_id: 1,
            next_event_id: 1,
            ..State::default()
        };
        Self {
            settings,
            labels,
            run: rand::random(),
            key: rand::random(),
            files_base: OnceLock::new(),
            url_epoch: std::sync::atomic::AtomicU64::new(0),
            state: Mutex::new(state),
        }
    }

    /// The offset of the entry of this sequence number.
    pub(crate) fn offset(&self, sequence: u64) -> String {
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            self.run,
            (sequence >> 48) & 0xffff,
            (sequence >> 36) & 0xfff,
            (sequence >> 24) & 0xfff,
            sequence & 0xff_ffff
        )
    }

    /// The sequence number of one of this run's offsets.
    fn sequence(&self, offset: &str) -> Option<u64> {
        let parts: Vec<&str> = offset.split('-').collect();
        let [run, a, b, c, d] = parts.as_slice() else {
            return None;
        };
        if u32::from_str_radix(run, 16).ok()? != self.run {
            return None;
        }
        let hex = |text: &str, skip: usize| u64::from_str_radix(text.get(skip..)?, 16).ok();
        Some(hex(a, 0)? << 48 | hex(b, 1)? << 36 | hex(c, 1)? << 24 | hex(d, 0)?)
    }

    /// Whether any subscription may journal a change (else the store need not note them).
    pub(crate) fn is_subscribed(&self) -> bool {
        !lock(&self.state).subscriptions.is_empty()
    }

    /// Notes a change the store made: an event for each subscription it matches.
    pub(crate) fn record(&self, change: &Change, store: &dyn Objects) {
        let mut state = lock(&self.state);
        if state.subscriptions.is_empty() {
            return;
        }
        let occurred_at = Utc::now().timestamp_millis();
        let mut events = Vec::new();
        for subscription in state.subscriptions.values() {
            if subscription.portal_id != self.settings.portal_id {
                continue;
            }
            let Some(mut event) = self.event(change, subscription, store) else {
                continue;
            };
            let (object, id) = event_object(&event);
            let properties = object
                .and_then(|o| store.object(o, id))
                .map(|o| &o.properties);
            let passes = state
                .filters
                .values()
                .filter(|f| f.subscription_id == subscription.id)
                .all(|f| f.conditions.iter().all(|c| c.holds(properties)));
            if !passes {
                continue;
            }
            event.insert("subscriptionId".into(), json!(subscription.id));
            events.push(event);
        }
        for mut event in events {
            event.insert("eventId".into(), json!(state.next_event_id));
            state.next_event_id += 1;
            event.insert("portalId".into(), json!(self.settings.portal_id));
            event.insert("appId".into(), json!(self.settings.app_id));
            event.insert("occurredAt".into(), json!(occurred_at));
            event.insert("subscriptionType".into(), json!("OBJECT"));
            event.insert("changeSource".into(), json!("API"));
            self.push(&mut state, Value::Object(event));
        }
    }

    /// Adds an event to the open entry, sealing it when full.
    fn push(&self, state: &mut State, event: Value) {
        state.open.push(event);
        if state.open.len() >= self.settings.max_events_per_entry {
            self.seal(state);
        }
    }

    /// Seals the open entry, if it holds anything, and drops entries past their retention.
    fn seal(&self, state: &mut State) {
        let now = Instant::now();
        if !state.open.is_empty() {
            let events = std::mem::take(&mut state.open);
            let body = serde_json::to_vec(&Value::Array(events)).unwrap_or_default();
            let sequence = state.next_sequence;
            state.next_sequence += 1;
            state.entries.push_back(Entry {
                sequence,
                written_at: now,
                body: Bytes::from(body),
            });
        }
        let retention = self.settings.retention;
        while state
            .entries
            .front()
            .is_some_and(|entry| now.duration_since(entry.written_at) >= retention)
        {
            state.entries.pop_front();
        }
    }

    /// Runs `read` on the entries as a reader sees them: everything journaled so far sealed,
    /// nothing past its retention.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&ReadView<'_>) -> T) -> T {
        let mut state = lock(&self.state);
        self.seal(&mut state);
        read(&ReadView {
            log: self,
            state: &state,
        })
    }

    /// The event of `change` for `subscription`, if its object type, action, objects and
    /// properties match (filters aside).
    fn event(
        &self,
        change: &Change,
        subscription: &Subscription,
        store: &dyn Objects,
    ) -> Option<Map<String, Value>> {
        let spec = &subscription.spec;
        let watches = |object: PropertyOwner, id: u64, action: JournalAction| {
            object == spec.object
                && spec.actions.contains(&action)
                && (spec.object_ids.is_empty() || spec.object_ids.contains(&id))
        };
        let base = |object: PropertyOwner, id: u64, action: JournalAction| {
            let mut event = Map::new();
            event.insert("action".into(), json!(action.as_str()));
            event.insert("objectTypeId".into(), json!(type_id(object)));
            event.insert("objectId".into(), json!(id));
            event
        };
        match change {
            Change::Created { object, id } if watches(*object, *id, JournalAction::Create) => {
                let mut event = base(*object, *id, JournalAction::Create);
                let values = store.object(*object, *id).map(|o| &o.properties);
                let properties: Map<String, Value> = spec
                    .properties
                    .iter()
                    .filter_map(|name| {
                        let value = values?.get(name)?;
                        Some((name.clone(), json!(value)))
                    })
                    .collect();
                event.insert("properties".into(), Value::Object(properties));
                Some(event)
            }
            Change::PropertyChanged {
                object,
                id,
                name,
                value,
            } if watches(*object, *id, JournalAction::Update) && spec.properties.contains(name) => {
                let mut event = base(*object, *id, JournalAction::Update);
                let value = if value.is_empty() {
                    Value::Null
                } else {
                    json!(value)
                };
                event.insert("properties".into(), json!({ name.clone(): value }));
                Some(event)
            }
            Change::Deleted { object, id } if watches(*object, *id, JournalAction::Delete) => {
                Some(base(*object, *id, JournalAction::Delete))
            }
            Change::Associated {
                message,
                record,
                how,
                removed,
            } => {
                let action = if *removed {
                    JournalAction::AssociationRemoved
                } else {
                    JournalAction::AssociationAdded
                };
                let message_side = (PropertyOwner::Communication, *message);
                let record_side = (PropertyOwner::Record(record.kind), record.id);
                let (side, from, to) = if watches(message_side.0, message_side.1, action) {
                    (Side::FromMessage, message_side, record_side)
                } else if watches(record_side.0, record_side.1, action) {
                    (Side::FromRecord, record_side, message_side)
                } else {
                    return None;
                };
                let mut event = base(from.0, from.1, action);
                event.insert("associatedObjectTypeId".into(), json!(type_id(to.0)));
                event.insert("associatedObjectId".into(), json!(to.1));
                event.insert(
                    "associationTypeId".into(),
                    json!(self.labels.type_id(record.kind, *how, side)),
                );
                event.insert("associationCategory".into(), json!(how.category()));
                Some(event)
            }
            _ => None,
        }
    }

    /// Journals snapshots of objects (each a `SNAPSHOT` event with the properties asked for)
    /// and returns each one's status id.
    pub(crate) fn snapshot(
        &self,
        store: &dyn Objects,
        requests: &[(u64, Option<PropertyOwner>, u64, Vec<String>)],
    ) -> Vec<String> {
        let mut state = lock(&self.state);
        let now = Utc::now().timestamp_millis();
        let mut ids = Vec::new();
        for (portal_id, object, object_id, names) in requests {
            let id = uuid::Uuid::new_v4().to_string();
            let found = object
                .filter(|_| *portal_id == self.settings.portal_id)
                .and_then(|o| store.object(o, *object_id).map(|stored| (o, stored)));
            let snapshot = match found {
                Some((object, stored)) => {
                    let properties: Map<String, Value> = names
                        .iter()
                        .filter_map(|name| {
                            Some((name.clone(), json!(stored.properties.get(name)?)))
                        })
                        .collect();
                    let mut event = Map::new();
                    event.insert("eventId".into(), json!(state.next_event_id));
                    state.next_event_id += 1;
                    event.insert("action".into(), json!("SNAPSHOT"));
                    event.insert("objectTypeId".into(), json!(type_id(object)));
                    event.insert("objectId".into(), json!(object_id));
                    event.insert("properties".into(), Value::Object(properties));
                    event.insert("portalId".into(), json!(self.settings.portal_id));
                    event.insert("appId".into(), json!(self.settings.app_id));
                    event.insert("occurredAt".into(), json!(now));
                    event.insert("snapshotStatusId".into(), json!(id));
                    self.push(&mut state, Value::Object(event));
                    Snapshot {
                        status: "SUCCESS",
                        initiated_at: now,
                        completed_at: Some(now),
                        error_code: None,
                        message: None,
                    }
                }
                None => Snapshot {
                    status: "FAILED",
                    initiated_at: now,
                    completed_at: Some(now),
                    error_code: Some("VALIDATION_ERROR"),
                    message: Some(format!(
                        "no object {object_id} of that type in account {portal_id}"
                    )),
                },
            };
            state.snapshots.insert(id.clone(), snapshot);
            ids.push(id);
        }
        ids
    }

    /// A snapshot's status.
    pub(crate) fn snapshot_status(&self, id: &str) -> Option<Snapshot> {
        lock(&self.state).snapshots.get(id).cloned()
    }

    /// Creates a subscription, or updates the one of the same account and object type.
    pub(crate) fn upsert(&self, request: SubscriptionRequest) -> Subscription {
        let mut state = lock(&self.state);
        let now = Utc::now();
        let existing = state
            .subscriptions
            .values_mut()
            .find(|s| s.portal_id == request.portal_id && s.spec.object == request.spec.object);
        if let Some(existing) = existing {
            existing.spec = request.spec;
            existing.updated_at = now;
            return existing.clone();
        }
        let id = state.next_subscription_id;
        state.next_subscription_id += 1;
        let subscription = Subscription {
            id,
            portal_id: request.portal_id,
            spec: request.spec,
            created_at: now,
            updated_at: now,
        };
        state.subscriptions.insert(id, subscription.clone());
        subscription
    }

    /// Every subscription.
    pub(crate) fn subscriptions(&self) -> Vec<Subscription> {
        lock(&self.state).subscriptions.values().cloned().collect()
    }

    /// One subscription.
    pub(crate) fn subscription(&self, id: u64) -> Option<Subscription> {
        lock(&self.state).subscriptions.get(&id).cloned()
    }

    /// Deletes a subscription and its filters; whether there was one.
    pub(crate) fn unsubscribe(&self, id: u64) -> bool {
        let mut state = lock(&self.state);
        state.filters.retain(|_, f| f.subscription_id != id);
        state.subscriptions.remove(&id).is_some()
    }

    /// Deletes an account's subscriptions.
    pub(crate) fn unsubscribe_portal(&self, portal_id: u64) {
        let ids: Vec<u64> = lock(&self.state)
            .subscriptions
            .values()
            .filter(|s| s.portal_id == portal_id)
            .map(|s| s.id)
            .collect();
        for id in ids {
            self.unsubscribe(id);
        }
    }

    /// Adds a filter to a subscription, if there is one.
    pub(crate) fn add_filter(
        &self,
        subscription_id: u64,
        conditions: Vec<Condition>,
    ) -> Option<u64> {
        let mut state = lock(&self.state);
        if !state.subscriptions.contains_key(&subscription_id) {
            return None;
        }
        let id = state.next_filter_id;
        state.next_filter_id += 1;
        let filter = Filter {
            id,
            subscription_id,
            created_at: Utc::now().timestamp_millis(),
            conditions,
        };
        state.filters.insert(id, filter);
        Some(id)
    }

    /// One filter.
    pub(crate) fn filter(&self, id: u64) -> Option<Filter> {
        lock(&self.state).filters.get(&id).cloned()
    }

    /// A subscription's filters.
    pub(crate) fn filters_of(&self, subscription_id: u64) -> Vec<Filter> {
        lock(&self.state)
            .filters
            .values()
            .filter(|f| f.subscription_id == subscription_id)
            .cloned()
            .collect()
    }

    /// Deletes a filter; whether there was one.
    pub(crate) fn remove_filter(&self, id: u64) -> bool {
        lock(&self.state).filters.remove(&id).is_some()
    }

    /// Every event the journal holds, in order (the open entry's too).
    pub(crate) fn events(&self) -> Vec<Value> {
        self.read(|view| {
            view.state
                .entries
                .iter()
                .flat_map(|entry| {
                    serde_json::from_slice::<Vec<Value>>(&entry.body).unwrap_or_default()
                })
                .collect()
        })
    }

    /// How long a URL lives.
    pub(crate) fn url_lifetime(&self) -> Duration {
        self.settings.url_lifetime
    }
}

/// The object an event is about.
fn event_object(event: &Map<String, Value>) -> (Option<PropertyOwner>, u64) {
    let object = event
        .get("objectTypeId")
        .and_then(Value::as_str)
        .and_then(owner_of);
    let id = event
        .get("objectId")
        .and_then(Value::as_u64)
        .unwrap_or_default();
    (object, id)
}

/// The journal's entries, sealed and pruned, for one read.
pub(crate) struct ReadView<'a> {
    log: &'a Log,
    state: &'a State,
}

impl ReadView<'_> {
    /// The entries, oldest first.
    pub(crate) fn entries(&self) -> &VecDeque<Entry> {
        &self.state.entries
    }

    /// Where an offset is.
    pub(crate) fn find(&self, offset: &str) -> Found {
        let Some(sequence) = self.log.sequence(offset) else {
            return Found::Unknown;
        };
        let Some(first) = self.state.entries.front() else {
            return Found::Unknown;
        };
        match sequence.checked_sub(first.sequence) {
            Some(index) if (index as usize) < self.state.entries.len() => Found::At(index as usize),
            _ => Found::Unknown,
        }
    }
}
