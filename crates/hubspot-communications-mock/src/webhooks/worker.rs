//! The delivery task: notes become events for the subscriptions, events gather into batches,
//! each batch is signed, posted, and retried on failure; every attempt is logged.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderValue, Request, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::journal::{Change, Journal, Noted, Pending};
use super::{
    DeliveryOutcome, EventKind, MAX_KEPT_DELIVERIES, RetryOn, Subscription, WebhookDelivery,
    Webhooks, sign,
};
use crate::label::{Labels, Side};
use crate::lock::lock;
use crate::property::PropertyOwner;

/// How much of an answer's body a delivery keeps.
const KEPT_ANSWER_BYTES: usize = 1024;

/// The `User-Agent` of deliveries.
const USER_AGENT: &str =
    "HubSpot Connect 2.0 (http://dev.hubspot.com/) (hubspot-communications-mock)";

/// Every delivery made, newest last, at most [`MAX_KEPT_DELIVERIES`].
#[derive(Debug, Default)]
pub(crate) struct DeliveryLog {
    deliveries: Mutex<VecDeque<WebhookDelivery>>,
}

impl DeliveryLog {
    fn push(&self, delivery: WebhookDelivery) {
        let mut deliveries = lock(&self.deliveries);
        if deliveries.len() >= MAX_KEPT_DELIVERIES {
            deliveries.pop_front();
        }
        deliveries.push_back(delivery);
    }

    pub(crate) fn all(&self) -> Vec<WebhookDelivery> {
        lock(&self.deliveries).iter().cloned().collect()
    }
}

/// What a running delivery task shares with the server.
pub(crate) struct Running {
    /// Given to the store: where writes are noted.
    pub(crate) journal: Journal,
    pub(crate) log: Arc<DeliveryLog>,
    pub(crate) pending: Arc<Pending>,
    /// Aborting it stops every delivery (its batches are its own tasks).
    pub(crate) task: JoinHandle<()>,
}

/// Starts delivering to `webhooks.target_url`; refuses a target that is not `http://`.
pub(crate) fn start(webhooks: Webhooks, labels: Labels) -> std::io::Result<Running> {
    let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
    let uri: Uri = webhooks
        .target_url
        .parse()
        .map_err(|error| invalid(format!("webhook target URL: {error}")))?;
    if uri.scheme_str() != Some("http") || uri.authority().is_none() {
        return Err(invalid(format!(
            "webhook target URL {:?}: the fake delivers to http:// URLs only",
            webhooks.target_url
        )));
    }
    if let Some(refusal) = webhooks.refused_subscription() {
        return Err(invalid(refusal));
    }
    let (sender, notes) = tokio::sync::mpsc::unbounded_channel();
    let pending = Arc::new(Pending::default());
    let log = Arc::new(DeliveryLog::default());
    let settings = Arc::new(Settings {
        client: Client::builder(TokioExecutor::new()).build_http(),
        semaphore: Semaphore::new(webhooks.max_concurrent_requests.max(1)),
        uri,
        webhooks,
        labels,
        log: log.clone(),
        pending: pending.clone(),
    });
    let task = tokio::spawn(run(settings, notes));
    Ok(Running {
        journal: Journal {
            sender,
            pending: pending.clone(),
        },
        log,
        pending,
        task,
    })
}

struct Settings {
    webhooks: Webhooks,
    uri: Uri,
    labels: Labels,
    client: Client<HttpConnector, Full<Bytes>>,
    /// At most `max_concurrent_requests` deliveries in flight.
    semaphore: Semaphore,
    log: Arc<DeliveryLog>,
    pending: Arc<Pending>,
}

/// Gathers events into batches and starts each batch's delivery, until the store is gone.
async fn run(settings: Arc<Settings>, mut notes: UnboundedReceiver<Noted>) {
    let max = settings.webhooks.max_events_per_request.max(1);
    // The batches' deliveries: dropped (so aborted) with this task.
    let mut deliveries = JoinSet::new();
    let mut next_event_id = 100;
    while let Some(first) = notes.recv().await {
        while deliveries.try_join_next().is_some() {}
        let mut events = Vec::new();
        settings.expand(first, &mut next_event_id, &mut events);
        let until = Instant::now() + settings.webhooks.linger;
        while events.len() < max {
            match tokio::time::timeout_at(until, notes.recv()).await {
                Ok(Some(noted)) => settings.expand(noted, &mut next_event_id, &mut events),
                Ok(None) | Err(_) => break,
            }
        }
        let mut events = events.into_iter().peekable();
        while events.peek().is_some() {
            let mut batch: Vec<Map<String, Value>> = events.by_ref().take(max).collect();
            // HubSpot does not promise the order of events: newest first, unless asked not to.
            if settings.webhooks.out_of_order {
                batch.reverse();
            }
            deliveries.spawn(deliver(settings.clone(), batch));
        }
    }
    while deliveries.join_next().await.is_some() {}
}

impl Settings {
    /// The events a note makes, one per subscription it matches, all with one `eventId`.
    fn expand(&self, noted: Noted, next_event_id: &mut u64, into: &mut Vec<Map<String, Value>>) {
        let event_id = *next_event_id;
        *next_event_id += 1;
        let before = into.len();
        for (index, subscription) in self.webhooks.subscriptions.iter().enumerate() {
            let Some(mut event) = self.event(&noted.change, subscription) else {
                continue;
            };
            let common = json!({
                "eventId": event_id,
                "subscriptionId": 1001 + index as u64,
                "portalId": self.webhooks.portal_id,
                "appId": self.webhooks.app_id,
                "occurredAt": noted.at,
                "subscriptionType": subscription.subscription_type(),
                "attemptNumber": 0,
                "changeSource": "API",
                // Who made the change: through the API, the app (an assumption: HubSpot
                // documents the field, not its form for API changes).
                "sourceId": self.webhooks.app_id.to_string(),
                // The fake has no sensitive-data properties.
                "isSensitive": false,
            });
            if let Value::Object(common) = common {
                event.extend(common);
            }
            into.push(event);
        }
        self.pending.add(into.len() - before);
        self.pending.done(1);
    }

    /// The fields of the event `change` makes for `subscription`, if it matches.
    fn event(&self, change: &Change, subscription: &Subscription) -> Option<Map<String, Value>> {
        let legacy =
            subscription.legacy_name && subscription.object != PropertyOwner::Communication;
        let object_fields = |object: PropertyOwner, id: u64, flag: &str| {
            let mut fields = Map::new();
            fields.insert("objectId".into(), json!(id));
            if legacy {
                fields.insert("changeFlag".into(), json!(flag));
            } else {
                fields.insert("objectTypeId".into(), json!(type_id(object)));
            }
            fields
        };
        match (change, subscription.action) {
            (Change::Created { object, id }, EventKind::Creation)
                if *object == subscription.object =>
            {
                Some(object_fields(*object, *id, "NEW"))
            }
            (Change::Deleted { object, id }, EventKind::Deletion)
                if *object == subscription.object =>
            {
                Some(object_fields(*object, *id, "DELETED"))
            }
            (
                Change::PropertyChanged {
                    object,
                    id,
                    name,
                    value,
                },
                EventKind::PropertyChange,
            ) if *object == subscription.object
                && subscription.property.as_deref() == Some(name.as_str()) =>
            {
                let mut fields = object_fields(*object, *id, "UPDATED");
                fields.insert("propertyName".into(), json!(name));
                fields.insert("propertyValue".into(), json!(value));
                Some(fields)
            }
            (
                Change::Associated {
                    message,
                    record,
                    how,
                    removed,
                },
                EventKind::AssociationChange,
            ) => {
                let message_side = (PropertyOwner::Communication, *message);
                let record_side = (PropertyOwner::Record(record.kind), record.id);
                let (side, from, to) = if subscription.object == message_side.0 {
                    (Side::FromMessage, message_side, record_side)
                } else if subscription.object == record_side.0 {
                    (Side::FromRecord, record_side, message_side)
                } else {
                    return None;
                };
                let mut fields = Map::new();
                let name = |object: PropertyOwner| match object {
                    PropertyOwner::Communication => "COMMUNICATION".to_owned(),
                    PropertyOwner::Record(kind) => kind.singular().to_ascii_uppercase(),
                };
                fields.insert(
                    "associationType".into(),
                    json!(format!("{}_TO_{}", name(from.0), name(to.0))),
                );
                fields.insert(
                    "associationTypeId".into(),
                    json!(self.labels.type_id(record.kind, *how, side)),
                );
                fields.insert("associationCategory".into(), json!(how.category()));
                fields.insert("fromObjectId".into(), json!(from.1));
                fields.insert("toObjectId".into(), json!(to.1));
                fields.insert("associationRemoved".into(), json!(removed));
                fields.insert("isPrimaryAssociation".into(), json!(false));
                if !legacy {
                    fields.insert("objectTypeId".into(), json!(type_id(from.0)));
                    fields.insert("fromObjectTypeId".into(), json!(type_id(from.0)));
                    fields.insert("toObjectTypeId".into(), json!(type_id(to.0)));
                }
                Some(fields)
            }
            _ => None,
        }
    }
}

fn type_id(object: PropertyOwner) -> &'static str {
    match object {
        PropertyOwner::Communication => "0-18",
        PropertyOwner::Record(kind) => kind.type_id(),
    }
}

/// Delivers one batch: signed, posted, retried as [`RetryOn`] says (each retry signed again,
/// its `attemptNumber` one more), until answered for good or out of retries; then, when the
/// target acknowledged it and [`Webhooks::duplicates`] is on, the same events once more.
async fn deliver(settings: Arc<Settings>, mut events: Vec<Map<String, Value>>) {
    let acknowledged = settings.attempts(&mut events, false).await;
    if acknowledged && settings.webhooks.duplicates {
        settings.attempts(&mut events, true).await;
    }
    settings.pending.done(events.len());
}

/// Whether an outcome is retried under `rule`, and the wait the target asked for (a 429's
/// `Retry-After` under [`RetryOn::Legacy`]).
fn retried(
    outcome: &DeliveryOutcome,
    retry_after: Option<Duration>,
    rule: RetryOn,
) -> (bool, Option<Duration>) {
    let status = match outcome {
        DeliveryOutcome::TimedOut | DeliveryOutcome::Failed { .. } => return (true, None),
        DeliveryOutcome::Answered { status, .. } => *status,
    };
    match rule {
        RetryOn::ErrorStatus => ((400..600).contains(&status), None),
        RetryOn::Legacy => {
            let final_status =
                (200..300).contains(&status) || matches!(status, 400 | 401 | 403 | 404 | 405);
            let wait = if status == 429 { retry_after } else { None };
            (!final_status, wait)
        }
    }
}

impl Settings {
    /// Posts `events` until answered for good or out of retries, logging every attempt;
    /// whether the target acknowledged them (2xx).
    async fn attempts(&self, events: &mut [Map<String, Value>], duplicate: bool) -> bool {
        let webhooks = &self.webhooks;
        let attempts = webhooks.retry_delays.len() + 1;
        for attempt in 0..attempts {
            for event in events.iter_mut() {
                event.insert("attemptNumber".into(), json!(attempt));
            }
            let body = serde_json::to_vec(&events).unwrap_or_default();
            let permit = self.semaphore.acquire().await;
            let timestamp = chrono::Utc::now().timestamp_millis().to_string();
            let url = &webhooks.target_url;
            let secret = &webhooks.client_secret;
            let mut headers = vec![
                ("content-type", "application/json".to_owned()),
                ("user-agent", USER_AGENT.to_owned()),
                (
                    "x-hubspot-signature-v3",
                    sign::v3(secret, "POST", url, &body, &timestamp),
                ),
                ("x-hubspot-request-timestamp", timestamp),
            ];
            if let Some(version) = webhooks.legacy_signature {
                let name = match version {
                    super::LegacySignature::V1 => "v1",
                    super::LegacySignature::V2 => "v2",
                };
                headers.push(("x-hubspot-signature-version", name.to_owned()));
                headers.push((
                    "x-hubspot-signature",
                    sign::legacy(version, secret, "POST", url, &body),
                ));
            }
            let sent_at = chrono::Utc::now();
            let (outcome, retry_after) = self.post(&headers, body.clone()).await;
            drop(permit);
            let (retryable, asked_wait) = retried(&outcome, retry_after, webhooks.retry_on);
            let acknowledged = outcome_is_success(&outcome);
            let retried = retryable && attempt + 1 < attempts;
            self.log.push(WebhookDelivery {
                url: url.clone(),
                attempt_number: u32::try_from(attempt).unwrap_or(u32::MAX),
                headers: headers
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
                event_count: events.len(),
                sent_at,
                outcome,
                retried,
                duplicate,
            });
            if !retried {
                return acknowledged;
            }
            let scheduled = webhooks.retry_delays[attempt];
            tokio::time::sleep(asked_wait.map_or(scheduled, |asked| asked.max(scheduled))).await;
        }
        false
    }
}

fn outcome_is_success(outcome: &DeliveryOutcome) -> bool {
    matches!(outcome, DeliveryOutcome::Answered { status, .. } if (200..300).contains(status))
}

impl Settings {
    /// One POST, bounded by the timeout (the answer's head and the start of its body), and the
    /// answer's `Retry-After` (whole seconds), if it has one.
    async fn post(
        &self,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> (DeliveryOutcome, Option<Duration>) {
        let mut request = Request::post(self.uri.clone());
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                request = request.header(*name, value);
            }
        }
        let Ok(request) = request.body(Full::new(Bytes::from(body))) else {
            let error = "the request could not be built".into();
            return (DeliveryOutcome::Failed { error }, None);
        };
        let exchange = async {
            let response = self.client.request(request).await.map_err(|error| {
                let mut text = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    text = format!("{text}: {cause}");
                    source = cause.source();
                }
                text
            })?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                // A day at most: HubSpot's retries end within one.
                .map(|seconds| Duration::from_secs(seconds.min(86_400)));
            let mut body = response.into_body();
            let mut kept = Vec::new();
            while kept.len() < KEPT_ANSWER_BYTES {
                match body.frame().await {
                    Some(Ok(frame)) => {
                        if let Some(data) = frame.data_ref() {
                            kept.extend_from_slice(data);
                        }
                    }
                    _ => break,
                }
            }
            kept.truncate(KEPT_ANSWER_BYTES);
            let body = String::from_utf8_lossy(&kept).into_owned();
            Ok::<_, String>((status, body, retry_after))
        };
        match tokio::time::timeout(self.webhooks.timeout, exchange).await {
            Ok(Ok((status, body, retry_after))) => {
                (DeliveryOutcome::Answered { status, body }, retry_after)
            }
            Ok(Err(error)) => (DeliveryOutcome::Failed { error }, None),
            Err(_) => (DeliveryOutcome::TimedOut, None),
        }
    }
}
