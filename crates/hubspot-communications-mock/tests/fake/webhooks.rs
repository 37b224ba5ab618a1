//! The fake's webhook deliveries, received by a server each test starts on loopback: HubSpot's
//! shape and signatures (checked here with `hmac` and `sha2` directly), every kind of change,
//! batching, retries with backoff, failures, legacy names, the delivery log, the binary.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::send;
use hmac::{Hmac, Mac};
use hubspot_communications_mock::{
    Config, DeliveryOutcome, LegacySignature, MockServer, ObjectType, PropertyOwner, RetryOn,
    Subscription, Webhooks,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

const SECRET: &str = "app-client-secret";
const COMMUNICATION: PropertyOwner = PropertyOwner::Communication;
const CONTACT: PropertyOwner = PropertyOwner::Record(ObjectType::Contact);

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn events(&self) -> Vec<Value> {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A receiver on loopback (its listener kept: the port is never released and bound again),
/// answering the n-th request (from 0) with `answer(n)` after an optional pause.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(
        path: &str,
        answer: impl Fn(usize) -> (StatusCode, Duration) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{path}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let answer = Arc::new(answer);
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let log = log.clone();
                let answer = answer.clone();
                async move {
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(Received {
                            method,
                            uri,
                            headers,
                            body,
                            at: Instant::now(),
                        });
                        log.len() - 1
                    };
                    let (status, pause) = answer(n);
                    tokio::time::sleep(pause).await;
                    (status, format!("answer {n}"))
                }
            },
        );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url,
            received,
            _task: task,
        }
    }

    /// A receiver answering 200 to everything.
    async fn ok() -> Self {
        Self::start("/hubspot/webhooks", |_| (StatusCode::OK, Duration::ZERO)).await
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every event received, in order of arrival.
    fn events(&self) -> Vec<Value> {
        self.received().iter().flat_map(Received::events).collect()
    }
}

/// Webhooks to `url`, quick to batch and retry, each event once and in order: these tests
/// count deliveries and read events in the order of the changes. The defaults (newest first,
/// each acknowledged request once more) have tests of their own.
fn webhooks(url: &str) -> Webhooks {
    hubspots_order(url).duplicates(false).out_of_order(false)
}

/// Webhooks to `url`, quick to batch and retry, as disordered and repeated as by default.
fn hubspots_order(url: &str) -> Webhooks {
    Webhooks::new(url, SECRET)
        .linger(Duration::from_millis(20))
        .retry_schedule(Duration::from_millis(20), 3)
}

async fn fake(webhooks: Webhooks) -> MockServer {
    MockServer::start_with(Config::default().webhooks(webhooks))
        .await
        .unwrap()
}

fn sms(body: &str) -> Value {
    json!({"properties": {"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM", "hs_communication_body": body}})
}

async fn create_message(server: &MockServer, body: Value) -> String {
    let (status, created) = send(
        server,
        reqwest::Method::POST,
        "/crm/v3/objects/communications",
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// Settles the fake's deliveries, within a bound.
async fn settled(server: &MockServer) {
    tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
        .await
        .expect("the deliveries settle");
}

/// HubSpot's v3 signature, computed here: base64 HMAC-SHA256 of method + URI + body +
/// timestamp, keyed by the secret.
fn v3(secret: &str, uri: &str, body: &[u8], timestamp: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"POST");
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part);
    }
    digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks a request's v3 and v1 signatures against `signed_uri` (the target URL as HubSpot
/// signs it), and that its timestamp is now, in milliseconds.
fn assert_signed(request: &Received, signed_uri: &str) {
    let timestamp = request.header("x-hubspot-request-timestamp");
    let sent_at: i64 = timestamp.parse().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    assert!(
        (now - 60_000..=now).contains(&sent_at),
        "{timestamp} is not now in ms"
    );
    assert_eq!(
        request.header("x-hubspot-signature-v3"),
        v3(SECRET, signed_uri, &request.body, timestamp)
    );
    assert_eq!(request.header("x-hubspot-signature-version"), "v1");
    assert_eq!(
        request.header("x-hubspot-signature"),
        sha256_hex(&[SECRET.as_bytes(), &request.body])
    );
}

#[tokio::test]
async fn a_created_message_is_delivered_signed_in_hubspots_shape() {
    let receiver = Receiver::ok().await;
    let server =
        fake(webhooks(&receiver.url).subscribe(Subscription::creation(COMMUNICATION))).await;
    let id = create_message(&server, sms("Running late")).await;
    settled(&server).await;

    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri.path(), "/hubspot/webhooks");
    assert_eq!(request.header("content-type"), "application/json");
    assert_signed(request, &receiver.url);
    let events = request.events();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["subscriptionType"], "object.creation");
    assert_eq!(event["objectTypeId"], "0-18");
    assert_eq!(event["objectId"], json!(id.parse::<u64>().unwrap()));
    assert_eq!(event["subscriptionId"], 1001);
    assert_eq!(event["portalId"], 62515);
    assert_eq!(event["appId"], 54321);
    assert_eq!(event["attemptNumber"], 0);
    assert_eq!(event["changeSource"], "API");
    // Real events carry these too: who made the change (the app, through the API), and
    // whether it is about sensitive data (the fake has none).
    assert_eq!(event["sourceId"], "54321");
    assert_eq!(event["isSensitive"], false);
    assert!(event["eventId"].as_u64().is_some());
    let occurred = event["occurredAt"].as_i64().unwrap();
    assert!(chrono::Utc::now().timestamp_millis() - occurred < 60_000);

    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert!(delivery.succeeded());
    assert!(!delivery.retried);
    assert_eq!(delivery.attempt_number, 0);
    assert_eq!(delivery.event_count, 1);
    assert_eq!(delivery.url, receiver.url);
    assert_eq!(delivery.body.as_bytes(), &request.body[..]);
    assert_eq!(
        delivery.header("X-HubSpot-Signature-v3"),
        Some(request.header("x-hubspot-signature-v3"))
    );
    assert_eq!(delivery.events(), events);
    assert_eq!(
        delivery.outcome,
        DeliveryOutcome::Answered {
            status: 200,
            body: "answer 0".into()
        }
    );
}

#[tokio::test]
async fn changes_deletions_and_associations_of_messages_and_contacts() {
    let receiver = Receiver::ok().await;
    let server = fake(webhooks(&receiver.url).subscribe_all([
        Subscription::creation(COMMUNICATION),
        Subscription::creation(CONTACT),
        Subscription::property_change(COMMUNICATION, "hs_communication_channel_type"),
        Subscription::property_change(CONTACT, "email"),
        Subscription::association_change(COMMUNICATION),
        Subscription::association_change(CONTACT),
        Subscription::deletion(COMMUNICATION),
        Subscription::deletion(CONTACT),
    ]))
    .await;
    let contact = server.seed_contact("linda@example.com");
    let mut message = sms("Texted Linda");
    message["associations"] = json!([{"to": {"id": contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}]}]);
    let id = create_message(&server, message).await;
    let path = format!("/crm/v3/objects/communications/{id}");
    let update = json!({"properties": {"hs_communication_channel_type": "WHATS_APP", "hs_communication_body": "not subscribed"}});
    let (status, _) = send(&server, reqwest::Method::PATCH, &path, Some(update)).await;
    assert_eq!(status, 200);
    // Setting a value it already holds changes nothing.
    let same = json!({"properties": {"hs_communication_channel_type": "WHATS_APP"}});
    send(&server, reqwest::Method::PATCH, &path, Some(same)).await;
    let contact_path = format!("/crm/v3/objects/contacts/{contact}");
    let email = json!({"properties": {"email": "linda@example.org"}});
    send(&server, reqwest::Method::PATCH, &contact_path, Some(email)).await;
    let unlink = format!("/crm/v4/objects/communications/{id}/associations/contacts/{contact}");
    let (status, _) = send(&server, reqwest::Method::DELETE, &unlink, None).await;
    assert_eq!(status, 204);
    let (status, _) = send(&server, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    // Archiving again is no change.
    send(&server, reqwest::Method::DELETE, &path, None).await;
    send(&server, reqwest::Method::DELETE, &contact_path, None).await;
    settled(&server).await;

    for request in receiver.received() {
        assert_signed(&request, &receiver.url);
    }
    // Batches may arrive in any order (several are delivered at once): in order of change.
    let mut events = receiver.events();
    events.sort_by_key(|e| e["eventId"].as_u64());
    let seen: BTreeSet<(String, String, Option<String>)> = events
        .iter()
        .map(|e| {
            (
                e["subscriptionType"].as_str().unwrap().to_owned(),
                e["objectTypeId"].as_str().unwrap().to_owned(),
                e["propertyName"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let of = |kind: &str, object: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["subscriptionType"] == kind && e["objectTypeId"] == object)
            .collect()
    };
    assert_eq!(of("object.creation", "0-1").len(), 1, "{seen:?}");
    assert_eq!(
        of("object.creation", "0-18")[0]["objectId"],
        json!(id.parse::<u64>().unwrap())
    );
    let channel = of("object.propertyChange", "0-18");
    assert_eq!(channel.len(), 1, "{channel:?}");
    assert_eq!(channel[0]["propertyName"], "hs_communication_channel_type");
    assert_eq!(channel[0]["propertyValue"], "WHATS_APP");
    let email = of("object.propertyChange", "0-1");
    assert_eq!(email.len(), 1);
    assert_eq!(email[0]["propertyValue"], "linda@example.org");
    assert_eq!(of("object.deletion", "0-18").len(), 1);
    assert_eq!(of("object.deletion", "0-1").len(), 1);

    // An association added then removed, seen from each side.
    let from_message = of("object.associationChange", "0-18");
    assert_eq!(from_message.len(), 2, "{from_message:?}");
    let added = from_message[0];
    assert_eq!(added["associationRemoved"], false);
    assert_eq!(from_message[1]["associationRemoved"], true);
    assert_eq!(added["fromObjectTypeId"], "0-18");
    assert_eq!(added["fromObjectId"], json!(id.parse::<u64>().unwrap()));
    assert_eq!(added["toObjectTypeId"], "0-1");
    assert_eq!(added["toObjectId"], json!(contact.parse::<u64>().unwrap()));
    assert_eq!(added["associationTypeId"], 81);
    assert_eq!(added["associationCategory"], "HUBSPOT_DEFINED");
    assert_eq!(added["associationType"], "COMMUNICATION_TO_CONTACT");
    let from_contact = of("object.associationChange", "0-1");
    assert_eq!(from_contact.len(), 2);
    assert_eq!(from_contact[0]["associationTypeId"], 82);
    assert_eq!(
        from_contact[0]["fromObjectId"],
        json!(contact.parse::<u64>().unwrap())
    );
    assert_eq!(
        from_contact[0]["associationType"],
        "CONTACT_TO_COMMUNICATION"
    );
    // One change notifies each of its subscriptions with one eventId; subscriptions differ.
    assert_eq!(added["eventId"], from_contact[0]["eventId"]);
    assert_ne!(added["subscriptionId"], from_contact[0]["subscriptionId"]);
    assert_eq!(events.len(), 10, "{seen:?}");
}

#[tokio::test]
async fn batch_writes_and_seeds_are_delivered_in_batches_of_at_most_the_limit() {
    let receiver = Receiver::ok().await;
    let server = fake(
        webhooks(&receiver.url)
            .linger(Duration::from_millis(200))
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    server.seed_messages(250);
    settled(&server).await;
    let mut sizes: Vec<usize> = receiver
        .received()
        .iter()
        .map(|r| r.events().len())
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [50, 100, 100]);
    let ids: BTreeSet<u64> = receiver
        .events()
        .iter()
        .map(|e| e["objectId"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);

    // A smaller limit, through the batch endpoint.
    let receiver = Receiver::ok().await;
    let server = fake(
        webhooks(&receiver.url)
            .linger(Duration::from_millis(200))
            .max_events_per_request(3)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    let inputs: Vec<Value> = (0..7).map(|i| sms(&format!("message {i}"))).collect();
    let (status, _) = send(
        &server,
        reqwest::Method::POST,
        "/crm/v3/objects/communications/batch/create",
        Some(json!({"inputs": inputs})),
    )
    .await;
    assert_eq!(status, 201);
    settled(&server).await;
    let mut sizes: Vec<usize> = receiver
        .received()
        .iter()
        .map(|r| r.events().len())
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [1, 3, 3]);
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_each_signed_anew() {
    // 503, 500, then 200.
    let receiver = Receiver::start("/hooks", |n| match n {
        0 => (StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO),
        1 => (StatusCode::INTERNAL_SERVER_ERROR, Duration::ZERO),
        _ => (StatusCode::OK, Duration::ZERO),
    })
    .await;
    let server = fake(
        webhooks(&receiver.url)
            .retry_schedule(Duration::from_millis(100), 5)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("retry me")).await;
    settled(&server).await;

    let received = receiver.received();
    assert_eq!(received.len(), 3);
    for (attempt, request) in received.iter().enumerate() {
        assert_signed(request, &receiver.url);
        assert_eq!(request.events()[0]["attemptNumber"], attempt);
        assert_eq!(
            request.events()[0]["eventId"],
            received[0].events()[0]["eventId"]
        );
    }
    // Backoff: 100 ms, then 200 ms.
    assert!(received[1].at - received[0].at >= Duration::from_millis(100));
    assert!(received[2].at - received[1].at >= Duration::from_millis(200));
    let deliveries = server.webhook_deliveries();
    let retried: Vec<bool> = deliveries.iter().map(|d| d.retried).collect();
    assert_eq!(retried, [true, true, false]);
    let attempts: Vec<u32> = deliveries.iter().map(|d| d.attempt_number).collect();
    assert_eq!(attempts, [0, 1, 2]);
    assert!(deliveries[2].succeeded());
    assert!(!deliveries[0].succeeded());
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_given_up_on_and_every_error_status_is_retried() {
    let receiver = Receiver::start("/hooks", |_| (StatusCode::BAD_GATEWAY, Duration::ZERO)).await;
    let server = fake(
        webhooks(&receiver.url)
            .retry_schedule(Duration::from_millis(10), 2)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("never")).await;
    settled(&server).await;
    assert_eq!(receiver.received().len(), 3);
    assert!(!server.webhook_deliveries()[2].retried);

    // HubSpot's error-handling guide today: any 4xx or 5xx is retried (the default rule);
    // 2xx and 3xx are final.
    let retried = |rule: RetryOn, status: StatusCode| async move {
        let receiver = Receiver::start("/hooks", move |_| (status, Duration::ZERO)).await;
        let server = fake(
            webhooks(&receiver.url)
                .retry_on(rule)
                .retry_schedule(Duration::from_millis(10), 1)
                .subscribe(Subscription::creation(COMMUNICATION)),
        )
        .await;
        create_message(&server, sms("refused")).await;
        settled(&server).await;
        let deliveries = server.webhook_deliveries();
        assert!(
            matches!(deliveries[0].outcome, DeliveryOutcome::Answered { status: s, .. } if s == status.as_u16())
        );
        assert_eq!(receiver.received().len(), deliveries.len());
        deliveries[0].retried
    };
    for status in [400, 401, 403, 404, 405, 409, 410, 422, 429, 500, 503] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(retried(RetryOn::ErrorStatus, status).await, "{status}");
    }
    for status in [200, 204, 301] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(!retried(RetryOn::ErrorStatus, status).await, "{status}");
    }
    // HubSpot's older rule: 400, 401, 403, 404 and 405 are final, every other status is
    // retried.
    for status in [400, 401, 403, 404, 405, 200] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(!retried(RetryOn::Legacy, status).await, "{status}");
    }
    for status in [409, 429, 500, 301] {
        let status = StatusCode::from_u16(status).unwrap();
        assert!(retried(RetryOn::Legacy, status).await, "{status}");
    }
}

/// HubSpot's older rule waits for a 429's `Retry-After` (seconds) when it is longer than the
/// schedule's delay; the default rule keeps to its schedule.
#[tokio::test]
async fn the_legacy_rule_waits_for_a_429s_retry_after() {
    // A receiver that answers 429 with `Retry-After: 1` once, then 200.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let times = Arc::new(Mutex::new(Vec::new()));
    let log = times.clone();
    let app = axum::Router::new().fallback(move || {
        let log = log.clone();
        async move {
            let mut times = log.lock().unwrap();
            times.push(Instant::now());
            if times.len() == 1 {
                (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response()
            } else {
                StatusCode::OK.into_response()
            }
        }
    });
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let server = fake(
        webhooks(&url)
            .retry_on(RetryOn::Legacy)
            .retry_schedule(Duration::from_millis(10), 2)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("later")).await;
    settled(&server).await;
    task.abort();
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_millis(950),
        "the retry waited {:?}, not the 1 s asked",
        times[1] - times[0]
    );
}

/// HubSpot promises neither order nor uniqueness; by default the fake delivers each request's
/// events newest first, and each acknowledged request once more (same events, same
/// `eventId`s, `attemptNumber` 0), marked as a duplicate in its log.
#[tokio::test]
async fn by_default_events_come_newest_first_and_twice() {
    let receiver = Receiver::ok().await;
    let server = fake(
        hubspots_order(&receiver.url)
            .linger(Duration::from_millis(300))
            .subscribe_all([
                Subscription::creation(COMMUNICATION),
                Subscription::property_change(COMMUNICATION, "hs_communication_channel_type"),
            ]),
    )
    .await;
    let id = create_message(&server, sms("first")).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, _) = common::send(
        &server,
        reqwest::Method::PATCH,
        &format!("/crm/v3/objects/communications/{id}"),
        Some(json!({"properties": {"hs_communication_channel_type": "WHATS_APP"}})),
    )
    .await;
    assert_eq!(status, 200);
    settled(&server).await;

    let received = receiver.received();
    assert_eq!(received.len(), 2, "the request, and its duplicate");
    let (first, again) = (received[0].events(), received[1].events());
    let kinds: Vec<&str> = first
        .iter()
        .map(|e| e["subscriptionType"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["object.propertyChange", "object.creation"],
        "newest first"
    );
    assert!(first[0]["occurredAt"].as_i64() > first[1]["occurredAt"].as_i64());
    assert_eq!(
        first, again,
        "the same events, eventIds and attemptNumber 0 again"
    );
    let deliveries = server.webhook_deliveries();
    assert_eq!(
        deliveries.iter().map(|d| d.duplicate).collect::<Vec<_>>(),
        [false, true]
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.attempt_number == 0 && d.succeeded())
    );
    assert_signed(&received[1], &receiver.url);

    // A request that is not acknowledged is retried, not duplicated.
    let failing = Receiver::start("/hooks", |_| (StatusCode::BAD_GATEWAY, Duration::ZERO)).await;
    let server = fake(
        hubspots_order(&failing.url)
            .retry_schedule(Duration::from_millis(10), 1)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("refused")).await;
    settled(&server).await;
    assert!(server.webhook_deliveries().iter().all(|d| !d.duplicate));
}

/// At most 10 deliveries in flight at once (HubSpot's concurrency per installed account): the
/// eleventh request starts only when one of the first ten is answered.
#[tokio::test]
async fn at_most_ten_deliveries_are_in_flight() {
    const PAUSE: Duration = Duration::from_millis(300);
    let receiver = Receiver::start("/hooks", |_| (StatusCode::OK, PAUSE)).await;
    let server = fake(
        webhooks(&receiver.url)
            .max_events_per_request(1)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    let inputs: Vec<Value> = (0..25)
        .map(|i| {
            let mut input = sms(&format!("m{i}"));
            input["objectWriteTraceId"] = json!(i.to_string());
            input
        })
        .collect();
    let (status, _) = common::send(
        &server,
        reqwest::Method::POST,
        "/crm/v3/objects/communications/batch/create",
        Some(json!({ "inputs": inputs })),
    )
    .await;
    assert_eq!(status, 201);
    settled(&server).await;
    let mut arrivals: Vec<Instant> = receiver.received().iter().map(|r| r.at).collect();
    arrivals.sort();
    assert_eq!(arrivals.len(), 25);
    for i in 10..arrivals.len() {
        let waited = arrivals[i] - arrivals[i - 10];
        assert!(
            waited >= PAUSE - Duration::from_millis(50),
            "request {i} started {waited:?} after request {}: more than 10 in flight",
            i - 10
        );
    }
}

/// HubSpot refuses a propertyChange subscription to a communication's body ("COMMUNICATION
/// subscriptions for the hs_communication_body property is not currently supported"), and so
/// does the fake: in text, and at start.
#[tokio::test]
async fn a_subscription_to_a_communications_body_is_refused() {
    let refused = Subscription::parse("communication.propertyChange:hs_communication_body");
    assert!(refused.unwrap_err().contains("hs_communication_body"));
    assert!(Subscription::parse("contact.propertyChange:hs_communication_body").is_ok());
    let receiver = Receiver::ok().await;
    let config = Config::default().webhooks(webhooks(&receiver.url).subscribe(
        Subscription::property_change(COMMUNICATION, "hs_communication_body"),
    ));
    let error = MockServer::start_with(config).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        error.to_string().contains("hs_communication_body"),
        "{error}"
    );
}
#[tokio::test]
async fn a_slow_receiver_times_out_and_a_dropped_connection_fails_both_retried() {
    // Slow the first time only.
    let receiver = Receiver::start("/hooks", |n| {
        let pause = if n == 0 {
            Duration::from_secs(2)
        } else {
            Duration::ZERO
        };
        (StatusCode::OK, pause)
    })
    .await;
    let server = fake(
        webhooks(&receiver.url)
            .timeout(Duration::from_millis(200))
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("slow")).await;
    settled(&server).await;
    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].outcome, DeliveryOutcome::TimedOut);
    assert!(deliveries[0].retried);
    assert!(deliveries[1].succeeded());

    // A listener (kept) that closes every connection it accepts, unanswered.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let closer = tokio::spawn(async move {
        loop {
            let (connection, _) = listener.accept().await.unwrap();
            drop(connection);
        }
    });
    let server = fake(
        webhooks(&url)
            .retry_schedule(Duration::from_millis(10), 1)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("nobody answers")).await;
    settled(&server).await;
    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 2);
    for delivery in &deliveries {
        assert!(
            matches!(&delivery.outcome, DeliveryOutcome::Failed { error } if !error.is_empty()),
            "{:?}",
            delivery.outcome
        );
    }
    assert_eq!(
        deliveries.iter().map(|d| d.retried).collect::<Vec<_>>(),
        [true, false]
    );
    closer.abort();
}

#[tokio::test]
async fn legacy_names_and_the_v2_signature() {
    let receiver = Receiver::ok().await;
    let server = fake(
        webhooks(&receiver.url)
            .legacy_signature(Some(LegacySignature::V2))
            .subscribe(Subscription::creation(CONTACT).legacy())
            .subscribe(Subscription::property_change(CONTACT, "email").legacy())
            // Communications have no legacy name: the generic one stays.
            .subscribe(Subscription::creation(COMMUNICATION).legacy()),
    )
    .await;
    // Created with an email: a creation, no property change (the fake notes changes of
    // existing objects only); then the email changed.
    let contact = server.seed_contact("linda@example.com");
    let email = json!({"properties": {"email": "linda@example.org"}});
    let path = format!("/crm/v3/objects/contacts/{contact}");
    send(&server, reqwest::Method::PATCH, &path, Some(email)).await;
    create_message(&server, sms("hello")).await;
    settled(&server).await;
    let events = receiver.events();
    assert_eq!(events.len(), 3, "{events:?}");
    let creation = events
        .iter()
        .find(|e| e["subscriptionType"] == "contact.creation")
        .unwrap();
    assert_eq!(creation["changeFlag"], "NEW");
    assert!(creation.get("objectTypeId").is_none());
    let email = events
        .iter()
        .find(|e| e["subscriptionType"] == "contact.propertyChange")
        .unwrap();
    assert_eq!(email["propertyName"], "email");
    assert_eq!(email["propertyValue"], "linda@example.org");
    assert_eq!(email["changeFlag"], "UPDATED");
    assert!(
        events
            .iter()
            .any(|e| e["subscriptionType"] == "object.creation" && e["objectTypeId"] == "0-18")
    );
    for request in receiver.received() {
        assert_eq!(request.header("x-hubspot-signature-version"), "v2");
        assert_eq!(
            request.header("x-hubspot-signature"),
            sha256_hex(&[
                SECRET.as_bytes(),
                b"POST",
                receiver.url.as_bytes(),
                &request.body
            ])
        );
        assert_eq!(
            request.header("x-hubspot-signature-v3"),
            v3(
                SECRET,
                &receiver.url,
                &request.body,
                request.header("x-hubspot-request-timestamp")
            )
        );
    }

    // v3 alone.
    let receiver = Receiver::ok().await;
    let server = fake(
        webhooks(&receiver.url)
            .legacy_signature(None)
            .subscribe(Subscription::creation(COMMUNICATION)),
    )
    .await;
    create_message(&server, sms("v3 only")).await;
    settled(&server).await;
    let request = &receiver.received()[0];
    assert!(request.headers.get("x-hubspot-signature").is_none());
    assert!(request.headers.get("x-hubspot-signature-version").is_none());
}

#[tokio::test]
async fn the_v3_uri_is_signed_with_hubspots_encodings_decoded() {
    let receiver = Receiver::start("/hooks%3Aapp", |_| (StatusCode::OK, Duration::ZERO)).await;
    let url = format!("{}?account=a%3Ab&path=%2Fx%40y&name=a%20b", receiver.url);
    let server = fake(webhooks(&url).subscribe(Subscription::creation(COMMUNICATION))).await;
    create_message(&server, sms("encoded")).await;
    settled(&server).await;
    let request = &receiver.received()[0];
    assert_eq!(request.uri.path(), "/hooks%3Aapp");
    assert_eq!(
        request.uri.query(),
        Some("account=a%3Ab&path=%2Fx%40y&name=a%20b")
    );
    let signed_as = url
        .replace("%3A", ":")
        .replace("%2F", "/")
        .replace("%40", "@");
    assert!(signed_as.contains("a%20b"));
    assert_eq!(
        request.header("x-hubspot-signature-v3"),
        v3(
            SECRET,
            &signed_as,
            &request.body,
            request.header("x-hubspot-request-timestamp")
        )
    );
}

#[tokio::test]
async fn without_webhooks_or_subscriptions_nothing_is_delivered() {
    let server = MockServer::start().await.unwrap();
    create_message(&server, sms("quiet")).await;
    server.webhooks_settled().await;
    assert!(server.webhook_deliveries().is_empty());

    let receiver = Receiver::ok().await;
    let server = fake(webhooks(&receiver.url).subscribe(Subscription::deletion(CONTACT))).await;
    create_message(&server, sms("not subscribed")).await;
    settled(&server).await;
    assert!(receiver.received().is_empty());
    assert!(server.webhook_deliveries().is_empty());
}

#[tokio::test]
async fn the_target_must_be_http_and_the_secret_never_shows() {
    for url in ["https://hooks.example.com/x", "not a url", "/relative"] {
        let refused =
            MockServer::start_with(Config::default().webhooks(Webhooks::new(url, SECRET))).await;
        let error = refused.expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{url}");
    }
    let config = Config::default().webhooks(Webhooks::new("http://127.0.0.1:1/x", SECRET));
    assert!(!format!("{config:?}").contains(SECRET));
}

#[test]
fn subscriptions_read_from_text() {
    assert_eq!(
        Subscription::parse("communication.creation"),
        Ok(Subscription::creation(COMMUNICATION))
    );
    assert_eq!(
        Subscription::parse("contacts.propertyChange:email"),
        Ok(Subscription::property_change(CONTACT, "email"))
    );
    assert_eq!(
        Subscription::parse("0-18.associationChange"),
        Ok(Subscription::association_change(COMMUNICATION))
    );
    assert_eq!(
        Subscription::parse("deal.deletion"),
        Ok(Subscription::deletion(ObjectType::Deal))
    );
    for bad in [
        "communication",
        "planet.creation",
        "contact.explosion",
        "contact.propertyChange",
        "contact.propertyChange:",
        "contact.creation:email",
    ] {
        assert!(Subscription::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Subscription::creation(CONTACT).legacy().subscription_type(),
        "contact.creation"
    );
    assert_eq!(
        Subscription::creation(COMMUNICATION)
            .legacy()
            .subscription_type(),
        "object.creation"
    );
    assert!(Subscription::defaults().len() >= 6);
}

#[tokio::test]
async fn the_binary_delivers_with_its_flags() {
    let receiver = Receiver::ok().await;
    let (mut child, base_url) = crate::common::listening(crate::common::binary().args([
        "--webhook-url",
        &receiver.url,
        "--webhook-secret",
        SECRET,
        "--webhook-subscribe",
        "communication.creation",
        "--webhook-retry-ms",
        "10",
        "--webhook-no-duplicates",
        "--webhook-in-order",
        "--webhook-retry-on",
        "legacy",
    ]));
    let created = reqwest::Client::new()
        .post(format!("{base_url}/crm/v3/objects/communications"))
        .bearer_auth("token")
        .json(&sms("from the binary"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(10);
    while receiver.received().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_signed(&received[0], &receiver.url);
    assert_eq!(
        received[0].events()[0]["subscriptionType"],
        "object.creation"
    );

    // HubSpot refuses a subscription to a communication's body, and so does the binary.
    let output = crate::common::binary()
        .args(["--webhook-url", &receiver.url, "--webhook-secret", SECRET])
        .args([
            "--webhook-subscribe",
            "communication.propertyChange:hs_communication_body",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("hs_communication_body"));

    // A URL without a secret is refused.
    let output = crate::common::binary()
        .args(["--webhook-url", &receiver.url])
        .output()
        .unwrap();
    assert!(!output.status.success());
}
