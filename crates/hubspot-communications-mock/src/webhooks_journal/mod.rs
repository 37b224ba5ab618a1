//! HubSpot's webhooks journal (2026-03): the changes an app subscribed to, kept as entries the
//! app reads in order, each a JSON file behind a pre-signed URL that expires.
//!
//! The store notes each write it makes (the same notes that drive the webhook deliveries) in
//! the [`Log`] as it makes it; the log turns a note into an event for each subscription whose
//! object type, action, objects, properties and filters it matches, and gathers events into
//! entries (`log`). The routes (`routes/webhooks_journal.rs`) read entries and manage
//! subscriptions, filters and snapshots; entry files are served by a host of their own
//! (`files`), on another port, at URLs signed with a key of the server's and expiring.

mod files;
pub(crate) mod log;

use std::time::Duration;

use crate::property::PropertyOwner;

pub(crate) use files::{Files, start_files};
pub(crate) use log::{Log, SubscriptionRequest};

/// The most downloads [`MockServer::journal_downloads`](crate::MockServer::journal_downloads)
/// keeps (the oldest are dropped past it).
pub const MAX_KEPT_DOWNLOADS: usize = 10_000;

/// How the fake's webhooks journal behaves: how long entries are kept (HubSpot: 3 days), how
/// long an entry's URL lives, how many events an entry holds at most, the account and app, and
/// the subscriptions it starts with (more are made through HubSpot's subscriptions API).
///
/// ```
/// use std::time::Duration;
/// use hubspot_communications_mock::{Config, JournalAction, ObjectSubscription, PropertyOwner, WebhooksJournal};
///
/// let journal = WebhooksJournal::default()
///     .retention(Duration::from_secs(60))
///     .subscribe(
///         ObjectSubscription::new(PropertyOwner::Communication)
///             .actions([JournalAction::Create, JournalAction::Update, JournalAction::Delete])
///             .properties(["hs_communication_body"]),
///     );
/// let config = Config::default().webhooks_journal(journal);
/// ```
#[derive(Debug, Clone)]
pub struct WebhooksJournal {
    pub(crate) retention: Duration,
    pub(crate) url_lifetime: Duration,
    pub(crate) max_events_per_entry: usize,
    pub(crate) portal_id: u64,
    pub(crate) app_id: u64,
    pub(crate) subscriptions: Vec<ObjectSubscription>,
}

impl Default for WebhooksJournal {
    /// HubSpot's 3 days of entries; URLs that live 5 minutes; at most 100 events an entry;
    /// the account 62515 and app 54321 of HubSpot's examples; no subscription.
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(3 * 24 * 3600),
            url_lifetime: Duration::from_secs(300),
            max_events_per_entry: 100,
            portal_id: 62515,
            app_id: 54321,
            subscriptions: Vec::new(),
        }
    }
}

impl WebhooksJournal {
    /// How long an entry is kept after it was written; an offset older than that is unknown
    /// (404).
    #[must_use]
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// How long an entry's pre-signed URL works after HubSpot gave it.
    #[must_use]
    pub fn url_lifetime(mut self, lifetime: Duration) -> Self {
        self.url_lifetime = lifetime;
        self
    }

    /// At most this many events an entry (at least 1).
    #[must_use]
    pub fn max_events_per_entry(mut self, max: usize) -> Self {
        self.max_events_per_entry = max.max(1);
        self
    }

    /// The account (`portalId`) of the events and of the local journal.
    #[must_use]
    pub fn portal_id(mut self, portal_id: u64) -> Self {
        self.portal_id = portal_id;
        self
    }

    /// The app (`appId`) of the events and subscriptions.
    #[must_use]
    pub fn app_id(mut self, app_id: u64) -> Self {
        self.app_id = app_id;
        self
    }

    /// A subscription the journal starts with (its id is 1 for the first, then 2, …).
    #[must_use]
    pub fn subscribe(mut self, subscription: ObjectSubscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }
}

/// What happened to an object, as a journal subscription names it (the facade's
/// `journal::JournalAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JournalAction {
    /// `CREATE`.
    Create,
    /// `UPDATE`: a property watched changed.
    Update,
    /// `DELETE`: archived.
    Delete,
    /// `ASSOCIATION_ADDED`.
    AssociationAdded,
    /// `ASSOCIATION_REMOVED`.
    AssociationRemoved,
    /// `SNAPSHOT`: an object's state, asked for.
    Snapshot,
}

impl JournalAction {
    /// Every action the fake journals.
    pub const ALL: [Self; 6] = [
        Self::Create,
        Self::Update,
        Self::Delete,
        Self::AssociationAdded,
        Self::AssociationRemoved,
        Self::Snapshot,
    ];

    /// HubSpot's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
            Self::AssociationAdded => "ASSOCIATION_ADDED",
            Self::AssociationRemoved => "ASSOCIATION_REMOVED",
            Self::Snapshot => "SNAPSHOT",
        }
    }

    /// The action of HubSpot's name (any case).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// A journal subscription of the fake's account: the changes of one object type that are
/// journaled (the actions), and for updates the properties watched (the facade's
/// `journal::ObjectSubscription`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSubscription {
    pub(crate) object: PropertyOwner,
    pub(crate) actions: Vec<JournalAction>,
    pub(crate) properties: Vec<String>,
    pub(crate) object_ids: Vec<u64>,
}

impl ObjectSubscription {
    /// Objects of a type, with no action yet.
    pub fn new(object: impl Into<PropertyOwner>) -> Self {
        Self {
            object: object.into(),
            actions: Vec::new(),
            properties: Vec::new(),
            object_ids: Vec::new(),
        }
    }

    /// Journals these actions too.
    #[must_use]
    pub fn actions(mut self, actions: impl IntoIterator<Item = JournalAction>) -> Self {
        for action in actions {
            if !self.actions.contains(&action) {
                self.actions.push(action);
            }
        }
        self
    }

    /// The properties watched.
    #[must_use]
    pub fn properties(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.properties.extend(names.into_iter().map(Into::into));
        self
    }

    /// Only these objects (none: all).
    #[must_use]
    pub fn object_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.object_ids.extend(ids);
        self
    }

    /// Reads `OBJECT:ACTION,ACTION[:PROPERTY,PROPERTY]`: the object `communications` (or
    /// `communication`, `0-18`), `contacts`, `companies`, `deals`, `tickets` (singular, plural or
    /// type id), HubSpot's actions (`CREATE`, `UPDATE`, `DELETE`, `ASSOCIATION_ADDED`,
    /// `ASSOCIATION_REMOVED`, `SNAPSHOT`), the properties watched; e.g.
    /// `communications:CREATE,UPDATE,DELETE:hs_communication_body,hs_timestamp`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut parts = spec.splitn(3, ':');
        let object = parts.next().unwrap_or_default();
        let object = match object.to_ascii_lowercase().as_str() {
            "communication" | "communications" | "0-18" => PropertyOwner::Communication,
            other => PropertyOwner::Record(
                crate::ObjectType::parse(other)
                    .ok_or_else(|| format!("unknown object type {other:?}"))?,
            ),
        };
        let actions = parts
            .next()
            .ok_or_else(|| format!("{spec:?} is not OBJECT:ACTIONS[:PROPERTIES]"))?
            .split(',')
            .map(|name| {
                JournalAction::parse(name).ok_or_else(|| format!("unknown action {name:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let properties = parts
            .next()
            .map(|names| {
                names
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        Ok(Self::new(object).actions(actions).properties(properties))
    }

    /// A useful set: messages and contacts created, updated, deleted and associated, with
    /// the messages' channel, body and time and the contacts' e-mail and phone watched. The
    /// binary subscribes to these when given no `--journal-subscribe`.
    pub fn defaults() -> Vec<Self> {
        let all = [
            JournalAction::Create,
            JournalAction::Update,
            JournalAction::Delete,
            JournalAction::AssociationAdded,
            JournalAction::AssociationRemoved,
        ];
        vec![
            Self::new(PropertyOwner::Communication)
                .actions(all)
                .properties([
                    "hs_communication_channel_type",
                    "hs_communication_body",
                    "hs_timestamp",
                ]),
            Self::new(PropertyOwner::Record(crate::ObjectType::Contact))
                .actions(all)
                .properties(["email", "phone", "firstname", "lastname"]),
        ]
    }
}

/// One request to the journal's file host: an entry file's download (or a refusal).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JournalDownload {
    /// The path and query asked for.
    pub path: String,
    /// The headers sent, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The status answered.
    pub status: u16,
}

impl JournalDownload {
    /// A header sent, by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}
