//! HubSpot's webhooks end to end: the fake's deliveries, verified by the facade's `Verifier`
//! and read by `parse_events`; and the example service
//! (`crates/hubspot-communications/examples/hubspot_webhooks`) served on loopback, fed by the
//! fake: messages created or changed are read and reported, forged, tampered and replayed
//! requests refused, retried deliveries handled once.

#[allow(dead_code)]
#[path = "../../../crates/hubspot-communications/examples/hubspot_webhooks/app.rs"]
mod app;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use hubspot_communications::webhooks::{
    EventKind, LatestChanges, SeenEvents, SignatureError, SignatureVersion, Verifier, WebhookEvent,
    parse_events,
};
use hubspot_communications::{Association, Channel, Client, MessageUpdate, NewMessage};
use hubspot_communications_mock::{
    Config, LegacySignature, MockServer, ObjectType, PropertyOwner, Subscription, WebhookDelivery,
    Webhooks,
};
use hubspot_communications_tests::contract::CheckedServer;
use hubspot_communications_tests::{roomy, start};
use tokio::net::TcpListener;

const SECRET: &str = "app-client-secret";

/// What a verifying receiver saw of one request.
#[derive(Debug, Clone)]
struct Checked {
    v3: Result<SignatureVersion, SignatureError>,
    /// The same request with its v3 headers stripped, verified on its legacy signature.
    legacy: Result<SignatureVersion, SignatureError>,
    events: Vec<WebhookEvent>,
}

/// A receiver on loopback that verifies each request with the facade's verifier (answering
/// 401 or 204) and keeps what it found; its URL is `url_of(address)`.
async fn verifying_receiver(
    url_of: impl FnOnce(&str) -> String,
) -> (String, Arc<Mutex<Vec<Checked>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url_of(&listener.local_addr().unwrap().to_string());
    let checked = Arc::new(Mutex::new(Vec::new()));
    let log = checked.clone();
    let signed_url = url.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, _uri: Uri, headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            let url = signed_url.clone();
            async move {
                let verifier = Verifier::new(SECRET);
                let v3 = verifier.verify(method.as_str(), &url, &headers, &body);
                let mut stripped = headers.clone();
                stripped.remove("x-hubspot-signature-v3");
                stripped.remove("x-hubspot-request-timestamp");
                let legacy =
                    verifier
                        .accept_legacy(true)
                        .verify(method.as_str(), &url, &stripped, &body);
                let events = parse_events(&body).unwrap_or_default();
                let status = if v3.is_ok() {
                    StatusCode::NO_CONTENT
                } else {
                    StatusCode::UNAUTHORIZED
                };
                log.lock().unwrap().push(Checked { v3, legacy, events });
                status
            }
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, checked)
}

fn quick(webhooks: Webhooks) -> Webhooks {
    webhooks
        .linger(Duration::from_millis(20))
        .retry_schedule(Duration::from_millis(50), 3)
}

async fn settled(server: &MockServer) {
    tokio::time::timeout(Duration::from_secs(10), server.webhooks_settled())
        .await
        .expect("the deliveries settle");
}

/// Creates, changes, associates and archives a message and a contact through the client.
async fn write_everything(server: &MockServer, client: &Client) {
    let contact = server.seed_contact("linda@example.com");
    let deal = server.seed_deal("Renewal");
    let message = client
        .create(
            &NewMessage::new(Channel::Sms, "Texted Linda")
                .associate(Association::contact(&contact)),
        )
        .await
        .unwrap();
    client
        .update(
            &message.id,
            &MessageUpdate::new()
                .channel(Channel::WhatsApp)
                .body("Texted Linda again"),
        )
        .await
        .unwrap();
    client
        .associate(&message.id, &Association::deal(&deal))
        .await
        .unwrap();
    client
        .remove_association(&message.id, &Association::deal(&deal))
        .await
        .unwrap();
    client.archive(&message.id).await.unwrap();
}

#[tokio::test]
async fn every_delivery_of_the_fake_verifies_with_the_facades_verifier() {
    for legacy in [LegacySignature::V1, LegacySignature::V2] {
        // A target URL with encodings HubSpot decodes before signing, and one it does not.
        let (url, checked) =
            verifying_receiver(|address| format!("http://{address}/hooks?app=a%3Ab&name=a%20b"))
                .await;
        // Each event once: the events are counted below.
        let webhooks = quick(Webhooks::new(&url, SECRET))
            .duplicates(false)
            .legacy_signature(Some(legacy))
            .subscribe_all([
                Subscription::creation(PropertyOwner::Communication),
                Subscription::property_change(
                    PropertyOwner::Communication,
                    "hs_communication_channel_type",
                ),
                Subscription::association_change(PropertyOwner::Communication),
                Subscription::association_change(ObjectType::Deal),
                Subscription::deletion(PropertyOwner::Communication),
                Subscription::creation(ObjectType::Contact).legacy(),
            ]);
        let (server, client) = start(roomy().webhooks(webhooks)).await;
        write_everything(&server, &client).await;
        settled(&server).await;

        let checked = checked.lock().unwrap().clone();
        assert!(!checked.is_empty());
        let legacy_version = match legacy {
            LegacySignature::V1 => SignatureVersion::V1,
            _ => SignatureVersion::V2,
        };
        for request in &checked {
            assert_eq!(request.v3, Ok(SignatureVersion::V3), "{request:?}");
            assert_eq!(request.legacy, Ok(legacy_version), "{request:?}");
        }
        assert!(
            server
                .webhook_deliveries()
                .iter()
                .all(WebhookDelivery::succeeded)
        );

        let events: Vec<&WebhookEvent> = checked.iter().flat_map(|c| &c.events).collect();
        let count =
            |wanted: &dyn Fn(&WebhookEvent) -> bool| events.iter().filter(|e| wanted(e)).count();
        assert_eq!(
            count(&|e| e.is_communication() && e.kind == EventKind::Creation),
            1
        );
        assert_eq!(
            count(&|e| e.is_communication() && e.kind == EventKind::Deletion),
            1
        );
        assert_eq!(
            count(&|e| e.is_communication()
                && matches!(&e.kind, EventKind::PropertyChange(c) if c.property_value.as_deref() == Some("WHATS_APP"))),
            1
        );
        // The contact association at creation, the deal's added and removed: from the
        // message's side; the deal's two from the deal's side.
        let associations: Vec<_> = events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::AssociationChange(change) => Some((e.object_type_id(), change)),
                _ => None,
            })
            .collect();
        assert_eq!(
            associations
                .iter()
                .filter(|(t, _)| *t == Some("0-18"))
                .count(),
            3
        );
        let from_deal: Vec<_> = associations
            .iter()
            .filter(|(t, _)| *t == Some("0-3"))
            .collect();
        assert_eq!(from_deal.len(), 2);
        assert!(
            from_deal
                .iter()
                .any(|(_, c)| c.association_removed == Some(true))
        );
        assert!(
            from_deal
                .iter()
                .all(|(_, c)| c.association_type_id == Some(86))
        );
        // The legacy-named contact creation.
        let contact = events
            .iter()
            .find(|e| e.subscription_type.as_deref() == Some("contact.creation"))
            .unwrap();
        assert_eq!(contact.object_type_id(), Some("0-1"));
        assert_eq!(contact.change_flag.as_deref(), Some("NEW"));
        for event in &events {
            assert_eq!(event.portal_id, Some(62515));
            assert!(event.key().is_some());
        }
    }
}

/// HubSpot delivers events more than once and out of order, and so does the fake by
/// default: a receiver that keeps `SeenEvents` and `LatestChanges` handles each event once
/// and ends with the newest value, where one that applies what comes, as it comes, ends with
/// an older one.
#[tokio::test]
async fn a_receiver_with_seen_events_and_latest_changes_copes_with_hubspots_disorder() {
    #[derive(Default)]
    struct State {
        seen: Option<SeenEvents>,
        latest: Option<LatestChanges>,
        /// Events handled, by (eventId, attempt) as received.
        handled: Vec<u64>,
        /// The channel, as the careful receiver applied it.
        channel: Option<String>,
        /// The channel, as a naive receiver (every event, in arrival order) applied it.
        naive: Option<String>,
        requests: usize,
    }
    let state = Arc::new(Mutex::new(State {
        seen: Some(SeenEvents::new(1_000)),
        latest: Some(LatestChanges::new(1_000)),
        ..State::default()
    }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let shared = state.clone();
    let signed = url.clone();
    let app =
        axum::Router::new().fallback(move |method: Method, headers: HeaderMap, body: Bytes| {
            let (state, url) = (shared.clone(), signed.clone());
            async move {
                if Verifier::new(SECRET)
                    .verify(method.as_str(), &url, &headers, &body)
                    .is_err()
                {
                    return StatusCode::UNAUTHORIZED;
                }
                let mut guard = state.lock().unwrap();
                let state = &mut *guard;
                state.requests += 1;
                for event in parse_events(&body).unwrap() {
                    let EventKind::PropertyChange(change) = &event.kind else {
                        continue;
                    };
                    state.naive.clone_from(&change.property_value);
                    let (Some(seen), Some(latest)) = (&mut state.seen, &mut state.latest) else {
                        continue;
                    };
                    if seen.contains(&event) {
                        continue;
                    }
                    if latest.insert(&event) {
                        state.channel.clone_from(&change.property_value);
                    }
                    state.handled.push(event.event_id.unwrap());
                    seen.insert(&event);
                }
                StatusCode::NO_CONTENT
            }
        });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    // HubSpot's defaults: newest first, each acknowledged request once more.
    let webhooks = Webhooks::new(&url, SECRET)
        .linger(Duration::from_millis(500))
        .subscribe(Subscription::property_change(
            PropertyOwner::Communication,
            "hs_communication_channel_type",
        ));
    let (server, client) = start(roomy().webhooks(webhooks)).await;
    let message = client
        .create(&NewMessage::new(Channel::Sms, "Texted Linda"))
        .await
        .unwrap();
    for channel in [Channel::WhatsApp, Channel::LinkedIn] {
        tokio::time::sleep(Duration::from_millis(5)).await;
        client
            .update(&message.id, &MessageUpdate::new().channel(channel))
            .await
            .unwrap();
    }
    settled(&server).await;

    let state = state.lock().unwrap();
    assert_eq!(state.requests, 2, "one request, delivered twice");
    let mut handled = state.handled.clone();
    assert_eq!(handled.len(), 2, "each change handled once: {handled:?}");
    handled.dedup();
    assert_eq!(handled.len(), 2);
    assert_eq!(
        state.channel.as_deref(),
        Some("LINKEDIN_MESSAGE"),
        "the newest change wins"
    );
    assert_eq!(
        state.naive.as_deref(),
        Some("WHATS_APP"),
        "applied as it came, an older change overwrote the newest"
    );
    let deliveries = server.webhook_deliveries();
    assert!(deliveries[1].duplicate && !deliveries[0].duplicate);
}

#[tokio::test]
async fn a_verifier_with_another_secret_or_url_refuses_the_fakes_deliveries() {
    // The receiver verifies against its own URL; the fake posts to it with another secret.
    let (url, checked) = verifying_receiver(|address| format!("http://{address}/hooks")).await;
    let webhooks = quick(Webhooks::new(&url, "another-secret"))
        .retry_delays([])
        .subscribe(Subscription::creation(PropertyOwner::Communication));
    let (server, client) = start(roomy().webhooks(webhooks)).await;
    client
        .create(&NewMessage::new(
            Channel::Sms,
            "signed with the wrong secret",
        ))
        .await
        .unwrap();
    settled(&server).await;
    let checked = checked.lock().unwrap().clone();
    assert_eq!(checked.len(), 1);
    assert_eq!(
        checked[0].v3,
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V3
        })
    );
    // 401 is final for HubSpot: no retry.
    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert!(!deliveries[0].retried);

    // A delivery verified against another URL (a proxy that forgot the public one).
    let body = deliveries[0].body.as_bytes();
    let mut headers = HeaderMap::new();
    for (name, value) in &deliveries[0].headers {
        headers.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let verifier = Verifier::new("another-secret");
    assert_eq!(
        verifier.verify("POST", &url, &headers, body),
        Ok(SignatureVersion::V3)
    );
    assert_eq!(
        verifier.verify("POST", "http://10.0.0.7:8080/hooks", &headers, body),
        Err(SignatureError::Mismatch {
            version: SignatureVersion::V3
        })
    );
    // Replayed ten minutes later.
    let later = verifier.clock(|| SystemTime::now() + Duration::from_secs(600));
    assert!(matches!(
        later.verify("POST", &url, &headers, body),
        Err(SignatureError::StaleTimestamp { .. })
    ));
}

/// The example's service on loopback, fed by a fake that delivers to it; what it reported.
async fn example(
    configure: impl FnOnce(app::Settings, &str) -> app::Settings,
) -> (
    CheckedServer,
    Client,
    String,
    Arc<Mutex<Vec<app::MessageEvent>>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), app::PATH);
    let webhooks = quick(Webhooks::new(&url, SECRET)).subscribe_all([
        Subscription::creation(PropertyOwner::Communication),
        Subscription::property_change(
            PropertyOwner::Communication,
            "hs_communication_channel_type",
        ),
        Subscription::deletion(PropertyOwner::Communication),
        Subscription::creation(ObjectType::Contact),
    ]);
    let (server, client) = start(roomy().webhooks(webhooks)).await;
    let reported = Arc::new(Mutex::new(Vec::new()));
    let log = reported.clone();
    let settings = configure(
        app::Settings::new(client.clone(), SECRET)
            .on_message(move |message| log.lock().unwrap().push(message.clone())),
        &url,
    );
    let router = settings.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (server, client, url, reported)
}

/// Posts a delivery again with its recorded headers and `body`.
async fn post_again(url: &str, delivery: &WebhookDelivery, body: &str) -> u16 {
    let mut request = reqwest::Client::new().post(url).body(body.to_owned());
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn the_example_reads_each_message_created_or_changed() {
    let (server, client, _, reported) = example(|settings, _| settings).await;
    let contact = server.seed_contact("linda@example.com");
    let message = client
        .create(
            &NewMessage::new(Channel::Sms, "Is the contract ready?")
                .associate(Association::contact(&contact)),
        )
        .await
        .unwrap();
    settled(&server).await;
    client
        .update(
            &message.id,
            &MessageUpdate::new().channel(Channel::WhatsApp),
        )
        .await
        .unwrap();
    settled(&server).await;
    client.archive(&message.id).await.unwrap();
    settled(&server).await;

    let reported = reported.lock().unwrap().clone();
    assert_eq!(
        reported,
        [
            app::MessageEvent {
                change: "created".into(),
                id: message.id.clone(),
                channel: Some(Channel::Sms),
                body: Some("Is the contract ready?".into()),
            },
            app::MessageEvent {
                change: "changed (hs_communication_channel_type)".into(),
                id: message.id.clone(),
                channel: Some(Channel::WhatsApp),
                body: Some("Is the contract ready?".into()),
            },
        ]
    );
    // Every delivery (contact creation and message deletion included) answered 2xx; each
    // was delivered twice (the fake repeats acknowledged requests, as HubSpot may), and the
    // example reported each change once.
    let deliveries = server.webhook_deliveries();
    let events: usize = deliveries
        .iter()
        .filter(|d| !d.duplicate)
        .map(|d| d.event_count)
        .sum();
    assert_eq!(events, 4, "{deliveries:?}");
    assert_eq!(
        deliveries.iter().filter(|d| d.duplicate).count(),
        deliveries.len() / 2
    );
    assert!(
        deliveries.iter().all(WebhookDelivery::succeeded),
        "{deliveries:?}"
    );
}

#[tokio::test]
async fn the_example_refuses_forged_tampered_and_stale_requests_and_handles_a_retry_once() {
    let (server, client, url, reported) = example(|settings, _| settings).await;
    let message = client
        .create(&NewMessage::new(Channel::Sms, "Once"))
        .await
        .unwrap();
    settled(&server).await;
    assert_eq!(reported.lock().unwrap().len(), 1);
    let delivery = server.webhook_deliveries().remove(0);

    // The same request again (HubSpot's retry of a delivery it thinks failed): 2xx, read once.
    assert_eq!(post_again(&url, &delivery, &delivery.body).await, 204);
    assert_eq!(reported.lock().unwrap().len(), 1);

    // Tampered: another object id under the same signature.
    let tampered = delivery
        .body
        .replace(&message.id, &format!("{}9", message.id));
    assert_ne!(tampered, delivery.body);
    assert_eq!(post_again(&url, &delivery, &tampered).await, 401);

    // Forged: no signature, or a made-up one.
    let unsigned = reqwest::Client::new()
        .post(&url)
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert!(
        unsigned
            .text()
            .await
            .unwrap()
            .contains("X-HubSpot-Signature-v3")
    );
    let mut forged = delivery.clone();
    for (name, value) in &mut forged.headers {
        if name == "x-hubspot-signature-v3" {
            *value = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into();
        }
    }
    assert_eq!(post_again(&url, &forged, &forged.body).await, 401);
    assert_eq!(reported.lock().unwrap().len(), 1);

    // Replayed past the window: the example's verifier, its clock ten minutes on.
    let (server, client, _, reported) = example(|settings, _| {
        settings
            .verifier(Verifier::new(SECRET).clock(|| SystemTime::now() + Duration::from_secs(600)))
    })
    .await;
    client
        .create(&NewMessage::new(Channel::Sms, "Too late"))
        .await
        .unwrap();
    settled(&server).await;
    // HubSpot retries a 401 as any 4xx (its error-handling guide): the stale requests are
    // refused each time, and nothing is reported.
    let deliveries = server.webhook_deliveries();
    assert_eq!(deliveries.len(), 4);
    for delivery in &deliveries {
        assert!(matches!(
            &delivery.outcome,
            hubspot_communications_mock::DeliveryOutcome::Answered { status: 401, body } if body.contains("ago")
        ));
    }
    assert!(reported.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_example_verifies_against_the_url_hubspot_calls() {
    // The fake calls the service at its own address, as HubSpot calls a target URL: the
    // service verifies against the URL it is told (its origin, or the whole target URL), or
    // one rebuilt from `Host`; told another (a proxy's public URL that is not the target),
    // it refuses every delivery.
    enum Told {
        Nothing,
        Origin,
        Target,
        Other,
    }
    for (told, accepted) in [
        (Told::Nothing, true),
        (Told::Origin, true),
        (Told::Target, true),
        (Told::Other, false),
    ] {
        let (server, client, _, reported) = example(|settings, url| match told {
            Told::Nothing => settings,
            Told::Origin => settings.public_url(url.trim_end_matches(app::PATH)),
            Told::Target => settings.public_url(url),
            Told::Other => settings.public_url("https://hooks.example.com/hubspot/webhooks"),
        })
        .await;
        client
            .create(&NewMessage::new(Channel::Sms, "Which URL?"))
            .await
            .unwrap();
        settled(&server).await;
        assert_eq!(reported.lock().unwrap().len(), usize::from(accepted));
        assert_eq!(server.webhook_deliveries()[0].succeeded(), accepted);
    }
}

#[test]
fn the_fakes_config_keeps_the_secret_out_of_debug() {
    let config = Config::default().webhooks(Webhooks::new("http://127.0.0.1:9/x", SECRET));
    assert!(!format!("{config:?}").contains(SECRET));
}
