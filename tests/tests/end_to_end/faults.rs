//! Every fault the fake injects reaches the caller as the right typed error (retries off), and
//! rate limits are met without errors when retries are on.

use std::time::Duration;

use hubspot_communications::{
    Channel, Error, NewMessage, RateLimit, RetryPolicy, TransportErrorKind,
};
use hubspot_communications_mock::{
    Config, FaultKind, Faults, MockServer, RateLimit as FakeRateLimit, Script,
};
use hubspot_communications_tests::{client_of, roomy, start};

async fn fault(kind: FaultKind) -> (MockServer, Error) {
    let faults = Faults::seeded(1)
        .with(kind, 1.0)
        .slow_delay(Duration::from_secs(3));
    let server = MockServer::start_with(roomy().faults(faults))
        .await
        .unwrap();
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.base_url())
        .retry(RetryPolicy::never())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let error = client
        .create(&NewMessage::new(Channel::Sms, "hi"))
        .await
        .unwrap_err();
    (server, error)
}

#[tokio::test]
async fn each_fault_kind_surfaces_as_its_error() {
    let (_, error) = fault(FaultKind::RateLimited).await;
    assert!(error.is_rate_limited() && error.is_retryable(), "{error:?}");
    for (kind, status) in [
        (FaultKind::InternalError, 500),
        (FaultKind::BadGateway, 502),
        (FaultKind::Unavailable, 503),
    ] {
        let (_, error) = fault(kind).await;
        assert_eq!(error.status(), Some(status), "{kind:?}");
    }
    let (_, error) = fault(FaultKind::Slow).await;
    assert!(error.is_timeout(), "{error:?}");

    let (server, error) = fault(FaultKind::DropBeforeStore).await;
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Interrupted),
        "{error:?}"
    );
    assert!(error.is_fate_unknown());
    assert_eq!(server.message_count(), 0);

    let (server, error) = fault(FaultKind::DropAfterStore).await;
    assert!(error.is_fate_unknown(), "{error:?}");
    assert_eq!(
        server.message_count(),
        1,
        "stored, though the client cannot know"
    );

    let (server, error) = fault(FaultKind::TruncatedBody).await;
    assert!(error.is_fate_unknown(), "{error:?}");
    assert_eq!(server.message_count(), 1);
}

#[tokio::test]
async fn reads_retry_through_faults_and_creates_do_not_duplicate() {
    let faults = Faults::seeded(7)
        .with(FaultKind::Unavailable, 0.3)
        .with(FaultKind::DropAfterStore, 0.1);
    let (server, client) = start(roomy().faults(faults)).await;
    let id = server.seed_messages(1).remove(0);
    for _ in 0..20 {
        assert_eq!(client.get(&id).await.unwrap().id, id);
    }
    let mut unknown = 0;
    for i in 0..30 {
        match client
            .create(&NewMessage::new(Channel::Sms, format!("m{i}")))
            .await
        {
            Ok(_) => {}
            Err(error) if error.is_fate_unknown() => unknown += 1,
            Err(error) => panic!("{error:?}"),
        }
    }
    let stored = server.message_count() - 1;
    assert!(stored <= 30, "never more messages than creates: {stored}");
    assert_eq!(
        stored, 30,
        "each create stored once: dropped answers still stored ({unknown} unknown)"
    );
}

#[tokio::test]
async fn the_client_limiter_keeps_a_bulk_job_clear_of_429s() {
    let config = Config::default()
        .rate_limit(FakeRateLimit::new(20, Duration::from_millis(500)))
        .search_rate_limit(FakeRateLimit::new(100, Duration::from_secs(1)));
    let server = MockServer::start_with(config).await.unwrap();
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.base_url())
        .rate_limit(RateLimit::new(20, Duration::from_millis(500)))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .create(&NewMessage::new(Channel::Sms, format!("m{i}")))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.stats().rate_limited, 0);
    assert_eq!(server.message_count(), 60);
}

#[tokio::test]
async fn a_daily_limit_is_not_retried() {
    let server = MockServer::start_with(roomy().daily_limit(2))
        .await
        .unwrap();
    let client = client_of(&server, hubspot_communications_tests::fast_retries());
    let id = server.seed_messages(1).remove(0);
    client.get(&id).await.unwrap();
    client.get(&id).await.unwrap();
    let error = client.get(&id).await.unwrap_err();
    assert_eq!(
        error.rate_limit_policy(),
        Some(&hubspot_communications::RateLimitPolicy::Daily)
    );
    assert_eq!(server.stats().requests, 3, "no retry after a DAILY 429");
}

/// Scripted answers, where seeded faults are too blunt: exactly two HTML 502s from HubSpot's
/// load balancer, then a 429 with a `Retry-After` of 0; the client retries through all three
/// and reads the message the store kept all along.
#[tokio::test]
async fn a_read_is_retried_through_scripted_gateway_pages_and_a_rate_limit() {
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    server.script(
        Script::on(format!("communications/{id}"))
            .status(502)
            .header("content-type", "text/html")
            .body("<html><body><h1>502 Bad Gateway</h1></body></html>")
            .times(2),
    );
    server.script(
        Script::on(format!("communications/{id}"))
            .status(429)
            .header("retry-after", "0")
            .json(&serde_json::json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"})),
    );
    let client = client_of(&server, hubspot_communications_tests::fast_retries());
    assert_eq!(client.get(&id).await.unwrap().id, id);
    assert_eq!(server.stats().scripted, 3);

    // Without retries, the first of them is the caller's error, with its status.
    server.script(
        Script::on(format!("communications/{id}"))
            .status(502)
            .body("<html/>"),
    );
    let error = client_of(&server, RetryPolicy::never())
        .get(&id)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
}

/// `on_attempt` hears every request the client sends, retries included, with HubSpot's status
/// and the rate-limit wait; a transport failure has no status.
#[tokio::test]
async fn on_attempt_reports_each_request_and_its_status() {
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    server.script(
        Script::on(format!("communications/{id}"))
            .status(429)
            .header("retry-after", "0")
            .json(&serde_json::json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}))
            .times(2),
    );
    let seen: Heard = std::sync::Arc::default();
    let client = hubspot_communications::Client::builder("t")
        .base_url(server.base_url())
        .retry(hubspot_communications_tests::fast_retries())
        .on_attempt(recorder(&seen))
        .build()
        .unwrap();
    client.get(&id).await.unwrap();
    let get = hubspot_communications::Operation::GetCommunication;
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (get, 1, Some(429)),
            (get, 2, Some(429)),
            (get, 3, Some(200))
        ]
    );

    // Nobody listening: no status.
    seen.lock().unwrap().clear();
    // A port that was free a moment ago: nothing answers there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let nowhere = hubspot_communications::Client::builder("t")
        .base_url(url)
        .retry(RetryPolicy::never())
        .on_attempt(recorder(&seen))
        .build()
        .unwrap();
    assert!(nowhere.get(&id).await.is_err());
    assert_eq!(*seen.lock().unwrap(), [(get, 1, None)]);
}

/// What each attempt was: its operation, its number and its status.
type Heard =
    std::sync::Arc<std::sync::Mutex<Vec<(hubspot_communications::Operation, u32, Option<u16>)>>>;

/// An `on_attempt` callback that writes each attempt into `seen`.
fn recorder(seen: &Heard) -> impl Fn(&hubspot_communications::Attempt) + Send + Sync + 'static {
    let heard = std::sync::Arc::clone(seen);
    move |attempt| {
        heard
            .lock()
            .unwrap()
            .push((attempt.operation(), attempt.number(), attempt.status()));
    }
}
