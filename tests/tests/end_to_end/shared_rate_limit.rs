//! The rate limit shared through Redis: clients with limiters of their own but one window in a
//! real redis-server stay under the fake's limit together; the window's script is atomic; an
//! unreachable Redis is waited for or stood in for, as the user chose.
#![cfg(feature = "redis")]

use std::time::Duration;

use futures::future::join_all;
use hubspot_communications::{
    Client, Error, RateLimit, RedisUnavailable, RetryPolicy, SharedRateLimit,
};
use hubspot_communications_mock::{Config, MockServer, RateLimit as FakeRateLimit};
use hubspot_communications_tests::redis_server::{RedisServer, nowhere};
use hubspot_communications_tests::scripted::message;
use hubspot_communications_tests::{fast_retries, roomy};
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

const PREFIX: &str = "hubspot:portal-62515";

/// A client of `server` with its own limiter (`limit`), sharing `shared` if given, that never
/// retries: a 429 would be the caller's error.
fn client(base_url: &str, limit: RateLimit, shared: Option<SharedRateLimit>) -> Client {
    let builder = Client::builder("test-token")
        .base_url(base_url)
        .rate_limit(limit)
        .retry(RetryPolicy::never())
        .timeout(Duration::from_secs(5));
    match shared {
        Some(shared) => builder.shared_rate_limit(shared),
        None => builder,
    }
    .build()
    .unwrap()
}

fn shared(redis: &RedisServer) -> SharedRateLimit {
    SharedRateLimit::redis(&redis.url(), PREFIX).unwrap()
}

/// A synchronous connection to look at what the window holds.
fn inspect(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn window_size(redis: &RedisServer) -> u64 {
    redis::cmd("ZCARD")
        .arg(format!("{PREFIX}:rate-limit"))
        .query(&mut inspect(redis))
        .unwrap()
}

/// `calls` reads of a message by each client, all at once; the errors.
async fn read_all(clients: &[Client], id: &str, calls: usize) -> Vec<Error> {
    let reads = clients
        .iter()
        .flat_map(|client| (0..calls).map(move |_| client.get(id)));
    join_all(reads)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// A fake that allows 5 requests per second, holding one message.
async fn fake_at_five_per_second() -> (MockServer, String) {
    let server = MockServer::start_with(
        Config::default().rate_limit(FakeRateLimit::new(5, Duration::from_secs(1))),
    )
    .await
    .unwrap();
    let id = server.seed_messages(1).remove(0);
    (server, id)
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn clients_sharing_a_window_stay_under_the_limit_together() {
    let redis = RedisServer::start();
    let (server, id) = fake_at_five_per_second().await;
    let limit = RateLimit::new(5, Duration::from_secs(1));
    let shared = shared(&redis);
    // Three workers, each with a limiter of its own (as in three processes), one window.
    let workers: Vec<Client> = (0..3)
        .map(|_| client(server.base_url(), limit, Some(shared.clone())))
        .collect();
    let errors = read_all(&workers, &id, 5).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(server.stats().requests, 15);
    assert_eq!(
        server.stats().rate_limited,
        0,
        "the fake never saw more than 5 requests in a second"
    );
}

#[tokio::test]
async fn without_the_shared_window_the_same_clients_meet_429s() {
    // The control of the test above: it would fail without the shared window.
    let (server, id) = fake_at_five_per_second().await;
    let limit = RateLimit::new(5, Duration::from_secs(1));
    let workers: Vec<Client> = (0..3)
        .map(|_| client(server.base_url(), limit, None))
        .collect();
    let errors = read_all(&workers, &id, 5).await;
    assert!(!errors.is_empty() && errors.iter().all(Error::is_rate_limited));
    assert!(server.stats().rate_limited > 0);
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn the_window_follows_the_limit_hubspot_reports() {
    let redis = RedisServer::start();
    let (server, id) = fake_at_five_per_second().await;
    // Configured far too high: the fake's X-HubSpot-RateLimit-Max and -Interval correct it.
    let roomy_limit = RateLimit::new(1_000, Duration::from_secs(1));
    let workers: Vec<Client> = (0..2)
        .map(|_| client(server.base_url(), roomy_limit, Some(shared(&redis))))
        .collect();
    for worker in &workers {
        worker.get(&id).await.unwrap();
    }
    let errors = read_all(&workers, &id, 4).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(server.stats().rate_limited, 0);
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn the_window_script_is_atomic_under_concurrency() {
    let redis = RedisServer::start();
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    let limit = RateLimit::new(20, Duration::from_secs(60));
    // Eight clients, each with a connection of its own, ask for 80 turns at once: exactly 20
    // may be given. A check-then-record from the clients would give more.
    let clients: Vec<Client> = (0..8)
        .map(|_| {
            Client::builder("test-token")
                .base_url(server.base_url())
                .rate_limit(limit)
                .shared_rate_limit(shared(&redis))
                .retry(RetryPolicy::default().max_retry_after(Duration::from_millis(100)))
                .build()
                .unwrap()
        })
        .collect();
    let errors = read_all(&clients, &id, 10).await;
    assert_eq!(errors.len(), 60);
    assert!(
        errors
            .iter()
            .all(|error| matches!(error, Error::Throttled { wait, .. } if *wait > Duration::from_secs(50))),
        "{errors:?}"
    );
    assert_eq!(server.stats().requests, 20);
    assert_eq!(window_size(&redis), 20);
    // The key goes when the window has been idle for its length.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(format!("{PREFIX}:rate-limit"))
        .query(&mut inspect(&redis))
        .unwrap();
    assert!(ttl > 50_000 && ttl <= 60_025, "{ttl}");
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn a_retry_after_pauses_every_client_of_the_window() {
    let redis = RedisServer::start();
    let scripted = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .mount(&scripted)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message("1")))
        .mount(&scripted)
        .await;
    let limit = RateLimit::new(1_000, Duration::from_secs(1));
    let build = || {
        Client::builder("test-token")
            .base_url(scripted.uri())
            .rate_limit(limit)
            .shared_rate_limit(shared(&redis))
            .retry(fast_retries())
            .build()
            .unwrap()
    };
    let (first, second) = (build(), build());
    let met_429 = tokio::spawn(async move { first.get("1").await });
    // The first client meets the 429 and pauses the window for everyone.
    let paused_key = format!("{PREFIX}:rate-limit:paused");
    let mut left_ms: i64 = -2;
    for _ in 0..200 {
        left_ms = redis::cmd("PTTL")
            .arg(&paused_key)
            .query(&mut inspect(&redis))
            .unwrap();
        if left_ms > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(left_ms > 0, "no pause in Redis");
    let started = Instant::now();
    second.get("1").await.unwrap();
    assert!(
        started.elapsed()
            >= Duration::from_millis(left_ms as u64).saturating_sub(Duration::from_millis(200)),
        "the second client did not wait out the first one's Retry-After ({left_ms} ms left, waited {:?})",
        started.elapsed()
    );
    met_429.await.unwrap().unwrap();
    assert_eq!(scripted.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn a_request_is_counted_from_its_answer() {
    let redis = RedisServer::start();
    let slow = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(message("1"))
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&slow)
        .await;
    let client = client(
        &slow.uri(),
        RateLimit::new(10, Duration::from_secs(10)),
        Some(shared(&redis)),
    );
    let redis_now = || -> u64 {
        let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut inspect(&redis)).unwrap();
        secs * 1_000_000 + micros
    };
    let before = redis_now();
    client.get("1").await.unwrap();
    let entries: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg(format!("{PREFIX}:rate-limit"))
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query(&mut inspect(&redis))
        .unwrap();
    assert_eq!(entries.len(), 1);
    // Counted from its answer, 300 ms after its turn, not from its turn.
    assert!(
        entries[0].1 >= (before + 300_000) as f64,
        "{entries:?} vs {before}"
    );
}

#[tokio::test]
async fn an_unreachable_redis_is_waited_for_within_the_calls_bounds_then_an_error() {
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    let unreachable = SharedRateLimit::redis(&nowhere(), PREFIX)
        .unwrap()
        .when_unavailable(RedisUnavailable::Wait);
    let limit = RateLimit::new(100, Duration::from_secs(1));
    // Bounded by the deadline…
    let with_deadline = Client::builder("test-token")
        .base_url(server.base_url())
        .rate_limit(limit)
        .shared_rate_limit(unreachable.clone())
        .deadline(Duration::from_millis(400))
        .build()
        .unwrap();
    // …or by the longest wait of the retry policy.
    let with_longest_wait = Client::builder("test-token")
        .base_url(server.base_url())
        .rate_limit(limit)
        .shared_rate_limit(unreachable)
        .retry(RetryPolicy::default().max_retry_after(Duration::from_millis(300)))
        .build()
        .unwrap();
    for client in [with_deadline, with_longest_wait] {
        let error = client.get(&id).await.unwrap_err();
        assert!(
            matches!(error, Error::RateLimitUnavailable { .. }),
            "{error:?}"
        );
        assert!(!error.is_fate_unknown() && !error.is_retryable());
        assert!(error.to_string().contains("Redis"), "{error}");
    }
    assert_eq!(server.stats().requests, 0, "nothing was sent");
}

#[tokio::test]
async fn an_unreachable_redis_can_be_stood_in_for_by_the_local_limiter() {
    let (server, id) = fake_at_five_per_second().await;
    let unreachable = SharedRateLimit::redis(&nowhere(), PREFIX)
        .unwrap()
        .when_unavailable(RedisUnavailable::FallBackToLocal);
    let client = client(
        server.base_url(),
        RateLimit::new(5, Duration::from_secs(1)),
        Some(unreachable),
    );
    // The local limiter still holds the limit: 8 calls at 5 per second, no 429.
    let errors = read_all(std::slice::from_ref(&client), &id, 8).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(server.stats().requests, 8);
    assert_eq!(server.stats().rate_limited, 0);
}

/// What the client logs, captured for one test (a current-thread runtime runs it all).
#[derive(Clone, Default)]
struct Logged(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logged {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logged {
    fn count(&self, text: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .matches(text)
            .count()
    }
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn redis_going_away_and_coming_back_under_fall_back() {
    let logged = Logged::default();
    let writer = logged.clone();
    let _guard = hubspot_communications_tests::trace_into(
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .finish(),
    );
    let mut redis = RedisServer::start();
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    let shared = shared(&redis).when_unavailable(RedisUnavailable::FallBackToLocal);
    let client = client(
        server.base_url(),
        RateLimit::new(1_000, Duration::from_secs(10)),
        Some(shared),
    );
    for _ in 0..3 {
        client.get(&id).await.unwrap();
    }
    assert_eq!(window_size(&redis), 3);

    redis.stop();
    for _ in 0..3 {
        client.get(&id).await.unwrap();
    }
    assert_eq!(logged.count("WARN"), 1, "one warning for the outage");
    assert_eq!(logged.count("cannot be reached"), 1);

    redis.restart(); // empty: it saves nothing
    // The client tries Redis again at most once a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    client.get(&id).await.unwrap();
    client.get(&id).await.unwrap();
    assert_eq!(window_size(&redis), 2, "the window is Redis's again");
    assert_eq!(server.stats().requests, 8);
    assert_eq!(logged.count("answers again"), 1);
    assert_eq!(logged.count("WARN"), 1);
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn redis_going_away_and_coming_back_under_wait() {
    let mut redis = RedisServer::start();
    let server = MockServer::start_with(roomy()).await.unwrap();
    let id = server.seed_messages(1).remove(0);
    let client = client(
        server.base_url(),
        RateLimit::new(1_000, Duration::from_secs(10)),
        Some(shared(&redis)),
    );
    client.get(&id).await.unwrap();
    assert_eq!(window_size(&redis), 1);

    redis.stop();
    let waiting = tokio::spawn({
        let (client, id) = (client.clone(), id.clone());
        async move { client.get(&id).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the call waits for Redis");
    assert_eq!(server.stats().requests, 1, "and sends nothing meanwhile");
    redis.restart();
    waiting.await.unwrap().unwrap();
    assert_eq!(window_size(&redis), 1, "counted in the new server");
    assert_eq!(server.stats().requests, 2);
}

#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn search_has_a_window_of_its_own() {
    let redis = RedisServer::start();
    let server = MockServer::start_with(roomy()).await.unwrap();
    let client = Client::builder("test-token")
        .base_url(server.base_url())
        .shared_rate_limit(shared(&redis))
        .build()
        .unwrap();
    use futures::TryStreamExt;
    let _: Vec<_> = client
        .search(hubspot_communications::Search::new())
        .try_collect()
        .await
        .unwrap();
    let searches: u64 = redis::cmd("ZCARD")
        .arg(format!("{PREFIX}:search-rate-limit"))
        .query(&mut inspect(&redis))
        .unwrap();
    assert_eq!((searches, window_size(&redis)), (1, 0));
}

#[test]
fn bad_settings_are_refused_and_debug_keeps_the_password() {
    assert!(matches!(
        SharedRateLimit::redis("http://127.0.0.1/", PREFIX),
        Err(Error::InvalidSetting(_))
    ));
    assert!(matches!(
        SharedRateLimit::redis("redis://127.0.0.1/", ""),
        Err(Error::InvalidSetting(_))
    ));
    let shared = SharedRateLimit::redis("redis://worker:s3cret@127.0.0.1:6390/2", PREFIX).unwrap();
    let shown = format!("{shared:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        shown.contains("127.0.0.1:6390/2") && shown.contains(PREFIX),
        "{shown}"
    );
    let other = shared.key_prefix("hubspot:portal-7").unwrap();
    assert!(format!("{other:?}").contains("hubspot:portal-7"));
}
