//! Webhook deliveries, as HubSpot makes them to an app: when messages and records are created,
//! changed, archived or associated, the fake posts signed batches of events to a target URL,
//! retries failed deliveries with backoff, and keeps every delivery for a test to read.
//!
//! The store notes each write in a [`Journal`] (nothing when webhooks are off); one task
//! ([`worker`]) turns the notes into events for the subscriptions, gathers them into batches,
//! signs them ([`sign`]) and delivers them, each batch with its own retries.

mod journal;
mod sign;
mod worker;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::object_type::ObjectType;
use crate::property::PropertyOwner;

pub(crate) use journal::{Change, Journal, Pending};
pub(crate) use worker::{DeliveryLog, start};

/// The most deliveries [`MockServer::webhook_deliveries`](crate::MockServer::webhook_deliveries)
/// keeps (the oldest are dropped past it), so that a fake that runs for days stays bounded.
pub const MAX_KEPT_DELIVERIES: usize = 10_000;

/// Where and how the fake delivers webhooks, as an app's settings in HubSpot say: the target
/// URL, the app's client secret (which signs every request), and the subscriptions.
///
/// HubSpot's behaviour by default: up to 100 events a request, gathered for a short while
/// ([`Webhooks::linger`], 50 ms here), v3 signatures with a v1 signature beside them
/// (`X-HubSpot-Signature-Version: v1`, as HubSpot signs CRM object events), a 5-second
/// timeout, at most 10 requests in flight at once (HubSpot's per installed account; the
/// fake's webhooks are one account's), and 10 retries of a delivery that times out, cannot
/// connect or is answered any 4xx or 5xx ([`RetryOn::ErrorStatus`], what HubSpot's
/// error-handling guide says today; [`RetryOn::Legacy`] is its older rule), 1 minute after the
/// first try, doubling: about 17 hours in all (HubSpot spreads its 10 over a day). Tests
/// shorten the schedule with [`Webhooks::retry_schedule`]. 2xx and 3xx answers are final.
///
/// HubSpot promises neither order nor uniqueness ("`eventId` … is not guaranteed to be
/// unique"; events may come twice and out of order), and the fake is never kinder: by
/// default each request carries its events newest first ([`Webhooks::out_of_order`]) and each
/// acknowledged request is delivered once more, a fresh delivery with the same events and
/// `eventId`s ([`Webhooks::duplicates`]), so a receiver meets both in its tests rather than
/// first in production. A test that counts deliveries switches them off.
///
/// The target must be `http://` (the fake speaks no TLS). A `propertyChange` subscription to
/// a communication's `hs_communication_body` is refused, as HubSpot refuses it.
///
/// ```
/// use std::time::Duration;
/// use hubspot_communications_mock::{Config, ObjectType, PropertyOwner, Subscription, Webhooks};
///
/// let webhooks = Webhooks::new("http://127.0.0.1:3000/hubspot/webhooks", "client-secret")
///     .subscribe(Subscription::creation(PropertyOwner::Communication))
///     .subscribe(Subscription::property_change(PropertyOwner::Communication, "hs_timestamp"))
///     .subscribe(Subscription::association_change(ObjectType::Contact))
///     .retry_schedule(Duration::from_millis(20), 3);
/// let config = Config::default().webhooks(webhooks);
/// assert!(!format!("{config:?}").contains("client-secret"));
/// ```
#[derive(Clone)]
pub struct Webhooks {
    /// The URL every batch is posted to (and whose form the v3 signature covers).
    pub(crate) target_url: String,
    /// The app's client secret: the key of every signature.
    pub(crate) client_secret: String,
    /// What is delivered; the n-th subscription's `subscriptionId` is 1000 + n (1001 first).
    pub(crate) subscriptions: Vec<Subscription>,
    /// The account's id (`portalId`): 62515, HubSpot's examples' account, by default.
    pub(crate) portal_id: u64,
    /// The app's id (`appId`): 54321 by default.
    pub(crate) app_id: u64,
    /// At most this many events a request (HubSpot: 100).
    pub(crate) max_events_per_request: usize,
    /// How long events are gathered into a batch after the first one.
    pub(crate) linger: Duration,
    /// The wait before each retry of a failed delivery; their number is the number of retries.
    pub(crate) retry_delays: Vec<Duration>,
    /// How long a delivery may take before it counts as failed (HubSpot: 5 s).
    pub(crate) timeout: Duration,
    /// At most this many deliveries in flight at once.
    pub(crate) max_concurrent_requests: usize,
    /// The legacy signature sent beside the v3 one (`None`: v3 alone).
    pub(crate) legacy_signature: Option<LegacySignature>,
    /// Which answers are retried.
    pub(crate) retry_on: RetryOn,
    /// Each acknowledged request is delivered once more.
    pub(crate) duplicates: bool,
    /// Each request carries its events newest first.
    pub(crate) out_of_order: bool,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("target_url", &self.target_url)
            .field("client_secret", &"<redacted>")
            .field("subscriptions", &self.subscriptions)
            .field("portal_id", &self.portal_id)
            .field("app_id", &self.app_id)
            .field("max_events_per_request", &self.max_events_per_request)
            .field("linger", &self.linger)
            .field("retry_delays", &self.retry_delays)
            .field("timeout", &self.timeout)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("legacy_signature", &self.legacy_signature)
            .field("retry_on", &self.retry_on)
            .field("duplicates", &self.duplicates)
            .field("out_of_order", &self.out_of_order)
            .finish()
    }
}

impl Webhooks {
    /// Deliveries to `target_url`, signed with `client_secret`, with no subscription yet.
    pub fn new(target_url: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            target_url: target_url.into(),
            client_secret: client_secret.into(),
            subscriptions: Vec::new(),
            portal_id: 62515,
            app_id: 54321,
            max_events_per_request: 100,
            linger: Duration::from_millis(50),
            retry_delays: (0..10)
                .map(|i| Duration::from_secs(60) * 2u32.pow(i))
                .collect(),
            timeout: Duration::from_secs(5),
            max_concurrent_requests: 10,
            legacy_signature: Some(LegacySignature::V1),
            retry_on: RetryOn::ErrorStatus,
            duplicates: true,
            out_of_order: true,
        }
    }

    /// Adds a subscription.
    #[must_use]
    pub fn subscribe(mut self, subscription: Subscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }

    /// Adds subscriptions.
    #[must_use]
    pub fn subscribe_all(mut self, subscriptions: impl IntoIterator<Item = Subscription>) -> Self {
        self.subscriptions.extend(subscriptions);
        self
    }

    /// Sets the `portalId` of the events.
    #[must_use]
    pub fn portal_id(mut self, portal_id: u64) -> Self {
        self.portal_id = portal_id;
        self
    }

    /// Sets the `appId` of the events.
    #[must_use]
    pub fn app_id(mut self, app_id: u64) -> Self {
        self.app_id = app_id;
        self
    }

    /// At most `max` events a request (at least 1).
    #[must_use]
    pub fn max_events_per_request(mut self, max: usize) -> Self {
        self.max_events_per_request = max.max(1);
        self
    }

    /// How long events are gathered after the first before the batch is sent.
    #[must_use]
    pub fn linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }

    /// `retries` retries, the first `first` after a failure, each wait twice the one before.
    #[must_use]
    pub fn retry_schedule(mut self, first: Duration, retries: u32) -> Self {
        self.retry_delays = (0..retries)
            .map(|i| first.saturating_mul(2u32.saturating_pow(i)))
            .collect();
        self
    }

    /// The wait before each retry, exactly (none: no retries).
    #[must_use]
    pub fn retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.retry_delays = delays.into_iter().collect();
        self
    }

    /// How long a delivery may take.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// At most `max` deliveries at once (at least 1).
    #[must_use]
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.max_concurrent_requests = max.max(1);
        self
    }

    /// The legacy signature sent beside v3 (v1 by default; `None` for v3 alone).
    #[must_use]
    pub fn legacy_signature(mut self, legacy: Option<LegacySignature>) -> Self {
        self.legacy_signature = legacy;
        self
    }

    /// Which answers are retried ([`RetryOn::ErrorStatus`] by default).
    #[must_use]
    pub fn retry_on(mut self, rule: RetryOn) -> Self {
        self.retry_on = rule;
        self
    }

    /// Whether each acknowledged (2xx) request is delivered once more, as a fresh delivery
    /// (`attemptNumber` 0) of the same events with the same `eventId`s, marked
    /// [`WebhookDelivery::duplicate`] (on by default: HubSpot does not promise an event
    /// once).
    #[must_use]
    pub fn duplicates(mut self, on: bool) -> Self {
        self.duplicates = on;
        self
    }

    /// Whether each request carries its events newest first (on by default: HubSpot does not
    /// promise their order). Off, they come in the order the changes were made.
    #[must_use]
    pub fn out_of_order(mut self, on: bool) -> Self {
        self.out_of_order = on;
        self
    }

    /// The subscriptions HubSpot would refuse: a `propertyChange` of a communication's
    /// `hs_communication_body` ("COMMUNICATION subscriptions for the hs_communication_body
    /// property is not currently supported", HubSpot's webhooks guide).
    pub(crate) fn refused_subscription(&self) -> Option<String> {
        self.subscriptions.iter().find_map(|s| s.refusal())
    }
}

/// Which answers of the target the fake retries (a timeout and a failed connection always are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryOn {
    /// Any 4xx or 5xx: HubSpot's error-handling guide today ("Your service responds with any
    /// HTTP status code (4xx or 5xx)"). The default: it is the current documentation, and the
    /// harder rule for a receiver (a 4xx does not stop HubSpot's retries).
    ErrorStatus,
    /// HubSpot's older webhooks overview and a HubSpot engineer's answer (2019): every status
    /// but 2xx and 400, 401, 403, 404, 405 is retried, and a 429's `Retry-After` (seconds) is
    /// waited for instead of the schedule's delay when it is longer.
    Legacy,
}

/// A legacy signature the fake sends beside `X-HubSpot-Signature-v3`, in
/// `X-HubSpot-Signature` with `X-HubSpot-Signature-Version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacySignature {
    /// Hex SHA-256 of client secret + body.
    V1,
    /// Hex SHA-256 of client secret + method + URI + body.
    V2,
}

/// What a subscription is for: the kind of event of its `subscriptionType` (the facade's
/// `webhooks::EventKind` reads them back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// `object.creation`.
    Creation,
    /// `object.propertyChange` of one property.
    PropertyChange,
    /// `object.deletion` (archiving).
    Deletion,
    /// `object.associationChange` (added or removed).
    AssociationChange,
}

impl EventKind {
    fn name(self) -> &'static str {
        match self {
            Self::Creation => "creation",
            Self::PropertyChange => "propertyChange",
            Self::Deletion => "deletion",
            Self::AssociationChange => "associationChange",
        }
    }
}

/// One subscription of the app: an action on an object type (and, for property changes, a
/// property), named as HubSpot's generic subscriptions are (`object.creation` with the
/// event's `objectTypeId`) or, for contacts, companies, deals and tickets, by the older names
/// ([`Subscription::legacy`]: `contact.creation`).
///
/// HubSpot does not accept a `propertyChange` subscription to a communication's
/// `hs_communication_body`, and neither does the fake: [`Subscription::parse`] refuses it, and
/// a server configured with it does not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The action.
    pub(crate) action: EventKind,
    /// The object type.
    pub(crate) object: PropertyOwner,
    /// The property, for [`EventKind::PropertyChange`].
    pub(crate) property: Option<String>,
    /// Named the older way (`contact.creation`, no `objectTypeId`); communications have no
    /// such name and keep the generic one.
    pub(crate) legacy_name: bool,
}

impl Subscription {
    fn new(action: EventKind, object: PropertyOwner, property: Option<String>) -> Self {
        Self {
            action,
            object,
            property,
            legacy_name: false,
        }
    }

    /// Objects of a type created.
    pub fn creation(object: impl Into<PropertyOwner>) -> Self {
        Self::new(EventKind::Creation, object.into(), None)
    }

    /// A property of objects of a type set, changed or cleared.
    pub fn property_change(object: impl Into<PropertyOwner>, property: impl Into<String>) -> Self {
        Self::new(
            EventKind::PropertyChange,
            object.into(),
            Some(property.into()),
        )
    }

    /// Objects of a type archived.
    pub fn deletion(object: impl Into<PropertyOwner>) -> Self {
        Self::new(EventKind::Deletion, object.into(), None)
    }

    /// Associations of objects of a type added or removed (seen from that type's side).
    pub fn association_change(object: impl Into<PropertyOwner>) -> Self {
        Self::new(EventKind::AssociationChange, object.into(), None)
    }

    /// Named the older way (`contact.creation`) for records; no change for communications.
    #[must_use]
    pub fn legacy(mut self) -> Self {
        self.legacy_name = true;
        self
    }

    /// The `subscriptionType` of its events: `object.creation`, `contact.propertyChange`, …
    pub fn subscription_type(&self) -> String {
        let object = match (self.object, self.legacy_name) {
            (PropertyOwner::Record(kind), true) => kind.singular(),
            _ => "object",
        };
        format!("{object}.{}", self.action.name())
    }

    /// A useful set: communications and contacts created, archived and associated; the
    /// channel of communications and the email and phone of contacts changed. The fake's
    /// binary subscribes to these when given no `--webhook-subscribe`.
    pub fn defaults() -> Vec<Self> {
        let communication = PropertyOwner::Communication;
        let contact = PropertyOwner::Record(ObjectType::Contact);
        let mut all = Vec::new();
        for object in [communication, contact] {
            all.push(Self::creation(object));
            all.push(Self::deletion(object));
            all.push(Self::association_change(object));
        }
        all.push(Self::property_change(
            communication,
            "hs_communication_channel_type",
        ));
        all.push(Self::property_change(contact, "email"));
        all.push(Self::property_change(contact, "phone"));
        all
    }

    /// Why HubSpot would refuse this subscription, if it would.
    fn refusal(&self) -> Option<String> {
        let body = self.object == PropertyOwner::Communication
            && self.action == EventKind::PropertyChange
            && self.property.as_deref() == Some("hs_communication_body");
        body.then(|| {
            "HubSpot does not support a propertyChange subscription to a communication's \
             hs_communication_body"
                .to_owned()
        })
    }

    /// Reads `OBJECT.ACTION` or `OBJECT.propertyChange:PROPERTY`: the object
    /// `communication` (or `communications`, `0-18`), `contact`, `company`, `deal`,
    /// `ticket` (singular, plural or type id), the action `creation`, `deletion`,
    /// `associationChange` or `propertyChange`; e.g. `contact.propertyChange:email`.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (object, rest) = spec
            .split_once('.')
            .ok_or_else(|| format!("{spec:?} is not OBJECT.ACTION"))?;
        let object = match object.to_ascii_lowercase().as_str() {
            "communication" | "communications" | "0-18" => PropertyOwner::Communication,
            other => PropertyOwner::Record(
                ObjectType::parse(other).ok_or_else(|| format!("unknown object type {other:?}"))?,
            ),
        };
        let (action, property) = match rest.split_once(':') {
            Some((action, property)) => (action, Some(property)),
            None => (rest, None),
        };
        match (action, property) {
            ("creation", None) => Ok(Self::creation(object)),
            ("deletion", None) => Ok(Self::deletion(object)),
            ("associationChange", None) => Ok(Self::association_change(object)),
            ("propertyChange", Some(property)) if !property.is_empty() => {
                let subscription = Self::property_change(object, property);
                match subscription.refusal() {
                    Some(refusal) => Err(refusal),
                    None => Ok(subscription),
                }
            }
            ("propertyChange", _) => {
                Err("propertyChange needs a property: propertyChange:NAME".into())
            }
            (action, None) => Err(format!(
                "unknown action {action:?} (creation, deletion, associationChange, propertyChange:NAME)"
            )),
            (action, Some(_)) => Err(format!(
                "only propertyChange takes a property, not {action:?}"
            )),
        }
    }
}

/// One request the fake made to the target URL (one attempt: a retry is another delivery).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The URL posted to.
    pub url: String,
    /// The events' `attemptNumber`: 0 the first time, then 1, 2… for retries.
    pub attempt_number: u32,
    /// The headers sent (signatures included), names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body sent: a JSON array of events.
    pub body: String,
    /// How many events it carried.
    pub event_count: usize,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// What came of it.
    pub outcome: DeliveryOutcome,
    /// Whether another attempt follows (a failure with retries left).
    pub retried: bool,
    /// Whether this is the second delivery of an acknowledged request's events
    /// ([`Webhooks::duplicates`]).
    pub duplicate: bool,
}

impl WebhookDelivery {
    /// A header sent, by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The events sent, as JSON.
    pub fn events(&self) -> Vec<Value> {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    /// Whether the target answered 2xx.
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, DeliveryOutcome::Answered { status, .. } if (200..300).contains(&status))
    }
}

/// What came of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// The target answered.
    Answered {
        /// Its status.
        status: u16,
        /// The start of its body (at most 1 KiB, as text).
        body: String,
    },
    /// No answer within [`Webhooks::timeout`].
    TimedOut,
    /// No answer: the connection failed.
    Failed {
        /// Why.
        error: String,
    },
}
