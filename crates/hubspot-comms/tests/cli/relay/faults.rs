//! The relay through the faults it exists for: HubSpot away, a worker killed mid-batch, Redis
//! killed and started again, two workers racing on one new number. Each time every message
//! acknowledged to the provider is logged, once, on its contact.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hubspot_comms::relay::AccountName;
use hubspot_comms::relay::status::status;
use hubspot_communications_mock::{ObjectType, Script};

use super::{AbortOnDrop, Relay, config, eventually, logged_once, stored_keys};

/// Numbers of people new to the account: each gets a contact.
fn number(i: usize) -> String {
    format!("+1415555{:04}", 200 + i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn hubspot_away_then_back_loses_nothing_and_logs_each_once() {
    let relay = Relay::start(config(), false).await;
    // HubSpot answers 503 to everything for the next 60 requests.
    relay.fake.script(
        Script::on("")
            .status(503)
            .body("Service Unavailable")
            .times(60),
    );
    let worker = relay.worker(None);
    for i in 0..20 {
        let status = relay
            .twilio(
                &format!("SM{i:03}"),
                &number(i % 5),
                &format!("message {i}"),
            )
            .await;
        assert_eq!(status, 200, "stored while HubSpot is away");
    }
    eventually(
        "the worker met the outage",
        Duration::from_secs(20),
        || async { worker.counts.retried() > 0 },
    )
    .await;
    assert_eq!(
        relay.fake.message_count(),
        0,
        "nothing got through the outage"
    );
    eventually(
        "every message is logged once HubSpot is back",
        Duration::from_secs(60),
        || async { relay.fake.message_count() >= 20 && relay.inbox_len().await == 0 },
    )
    .await;
    assert_eq!(relay.fake.stats().scripted, 60, "the whole outage was met");
    worker.stop().await;
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 20);
    assert!(logged.values().all(|m| m.contacts.len() == 1));
    let contacts = relay.fake.records(ObjectType::Contact);
    assert_eq!(contacts.len(), 5, "one contact per number: {contacts:?}");
}

/// A HubSpot in front of the fake that forwards every request, and answers every one but
/// upserts: those take effect, and their answer never comes (a worker killed while it
/// waits for it).
async fn swallowing_proxy(target: String) -> (String, Arc<AtomicUsize>, AbortOnDrop<()>) {
    #[derive(Clone)]
    struct Proxy {
        target: String,
        http: reqwest::Client,
        swallowed: Arc<AtomicUsize>,
    }
    async fn forward(
        State(proxy): State<Proxy>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let mut request = proxy
            .http
            .request(method, format!("{}{path}", proxy.target))
            .body(body);
        for (name, value) in &headers {
            if name != "host" && name != "content-length" {
                request = request.header(name, value);
            }
        }
        let Ok(answer) = request.send().await else {
            return StatusCode::BAD_GATEWAY.into_response();
        };
        let status = answer.status();
        let content_type = answer.headers().get("content-type").cloned();
        let body = answer.bytes().await.unwrap_or_default();
        if uri.path().ends_with("batch/upsert") {
            proxy.swallowed.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }
        let mut response = (status, body).into_response();
        if let Some(content_type) = content_type {
            response.headers_mut().insert("content-type", content_type);
        }
        response
    }
    let swallowed = Arc::new(AtomicUsize::new(0));
    let proxy = Proxy {
        target,
        http: reqwest::Client::new(),
        swallowed: Arc::clone(&swallowed),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().fallback(forward).with_state(proxy);
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (url, swallowed, AbortOnDrop(task))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_worker_killed_mid_batch_leaves_its_entries_to_another_and_each_is_logged_once() {
    let relay = Relay::start(config(), false).await;
    for i in 0..10 {
        assert_eq!(
            relay
                .twilio(&format!("SM{i:03}"), &number(i % 3), "hello")
                .await,
            200
        );
    }
    // The first worker's upserts reach HubSpot, and it is killed before it hears back.
    let (proxy, swallowed, _proxy) = swallowing_proxy(relay.fake.base_url().to_owned()).await;
    let first = relay.worker(Some(&proxy));
    eventually(
        "the first worker's upsert reached HubSpot",
        Duration::from_secs(20),
        || async { swallowed.load(Ordering::SeqCst) > 0 },
    )
    .await;
    assert_eq!(relay.fake.message_count(), 10, "stored, not yet associated");
    first.kill();
    let account = AccountName::default();
    let held = status(&relay.streams, [&account]).await.unwrap();
    assert_eq!((held[0].pending, held[0].backlog), (10, 0), "{held:?}");

    let second = relay.worker(None);
    eventually(
        "the second worker logs them",
        Duration::from_secs(30),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    assert_eq!(second.counts.claimed(), 10, "claimed after the idle time");
    assert_eq!(second.counts.logged(), 10);
    second.stop().await;
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 10);
    assert!(
        logged.values().all(|m| m.contacts.len() == 1),
        "each on its contact"
    );
    assert_eq!(relay.fake.records(ObjectType::Contact).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn redis_killed_and_started_again_loses_nothing_acknowledged() {
    let relay = Arc::new(Relay::start(config(), true).await);
    // Stored, then Redis is killed before any worker read them.
    for i in 0..15 {
        assert_eq!(
            relay
                .twilio(&format!("SMA{i:03}"), &number(i % 4), "before")
                .await,
            200
        );
    }
    relay.crash_redis();
    relay.start_redis_again();
    assert_eq!(
        relay.inbox_len().await,
        15,
        "the AOF kept every acknowledged entry"
    );

    // Then deliveries while a worker runs, and Redis killed again in their midst: a provider
    // retries what was not answered 200, as Twilio may.
    let worker = relay.worker(None);
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let refused = Arc::new(AtomicUsize::new(0));
    let sending = {
        let (relay, acknowledged, refused) = (
            Arc::clone(&relay),
            Arc::clone(&acknowledged),
            Arc::clone(&refused),
        );
        tokio::spawn(async move {
            for i in 0..30 {
                let sid = format!("SMB{i:03}");
                loop {
                    let status = relay.twilio(&sid, &number(i % 4), "during").await;
                    if status == 200 {
                        acknowledged.lock().unwrap().insert(sid);
                        break;
                    }
                    assert_eq!(status, 503, "Redis away is a 503");
                    refused.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    eventually(
        "some deliveries are in",
        Duration::from_secs(20),
        || async { acknowledged.lock().unwrap().len() >= 10 },
    )
    .await;
    relay.crash_redis();
    tokio::time::sleep(Duration::from_millis(300)).await;
    relay.start_redis_again();
    sending
        .await
        .expect("every delivery is answered 200 in the end");
    assert!(
        refused.load(Ordering::SeqCst) > 0,
        "some deliveries met Redis away"
    );
    eventually(
        "every acknowledged message is logged",
        Duration::from_secs(60),
        || async { relay.inbox_len().await == 0 && relay.fake.message_count() >= 45 },
    )
    .await;
    worker.stop().await;
    let mut expected: Vec<String> = (0..15).map(|i| format!("SMA{i:03}")).collect();
    expected.extend(acknowledged.lock().unwrap().iter().cloned());
    expected.sort();
    assert_eq!(expected.len(), 45);
    assert_eq!(
        stored_keys(&relay.fake),
        expected,
        "each acknowledged message once"
    );
    assert!(
        logged_once(&relay.fake)
            .values()
            .all(|m| m.contacts.len() == 1)
    );
    assert_eq!(relay.fake.records(ObjectType::Contact).len(), 4);
}

/// Ten messages from one new number, delivered at once, and the workers that log them; then
/// the one contact that holds the number.
async fn race_on_one_new_number(relay: &Relay, workers: Vec<super::RunningWorker>) {
    let new_number = "+14155550999";
    let sids: Vec<String> = (0..10).map(|i| format!("SMR{i:03}")).collect();
    let deliveries = sids.iter().map(|sid| relay.twilio(sid, new_number, "hi"));
    let statuses = futures::future::join_all(deliveries).await;
    assert!(statuses.iter().all(|s| *s == 200));
    eventually(
        "every message is settled",
        Duration::from_secs(30),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    for worker in workers {
        worker.stop().await;
    }
    let holders: Vec<_> = relay
        .fake
        .records(ObjectType::Contact)
        .into_iter()
        .filter(|(_, c)| c.get("phone").map(String::as_str) == Some(new_number))
        .collect();
    assert_eq!(
        holders.len(),
        1,
        "one contact for one new number: {holders:?}"
    );
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 10);
    assert!(
        logged
            .values()
            .all(|m| m.contacts == [holders[0].0.clone()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn one_worker_with_requests_in_flight_makes_one_contact_per_new_number() {
    // Upserts of one message, three at once, and two lookups at once: each would search for
    // the number before the first created its contact.
    let relay = Relay::start(config(), false).await;
    let worker = relay.worker_with(None, |options| {
        options.batch_size = 1;
        options.upserts_in_flight = 3;
        options.linger = Duration::from_millis(1);
    });
    race_on_one_new_number(&relay, vec![worker]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn two_workers_racing_on_one_new_number_make_one_contact() {
    // Two workers searching at once each find nothing and each create a contact (and, with
    // the fake's search lag, on main by default, each misses the other's for seconds after):
    // only a claim per number that both workers respect keeps it to one contact.
    let relay = Relay::start(config(), false).await;
    let workers: Vec<_> = (0..2)
        .map(|_| {
            relay.worker_with(None, |options| {
                options.batch_size = 1;
                options.linger = Duration::from_millis(1);
            })
        })
        .collect();
    race_on_one_new_number(&relay, workers).await;
}
