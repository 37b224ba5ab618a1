//! The relay's pieces end to end: the receivers served on loopback, a `redis-server` each test
//! starts on a Unix socket of its own, workers as tasks (stopped, or dropped as a crash is),
//! and the embedded fake HubSpot. Each test proves its fault: nothing acknowledged to a
//! provider is lost, nothing is logged twice.
//!
//! The tests need `redis-server`: where it is not installed they are reported as ignored with
//! what to install; under CI (`CI` set) they run anyway, and fail without it.

mod accounts;
mod command;
mod contacts;
mod dead_letters;
mod example;
mod faults;
mod measure;
mod receive;
mod requests;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubspot_comms::relay::accounts::{AccountName, Routes, worker_client};
use hubspot_comms::relay::inbox::Inbox;
use hubspot_comms::relay::receive::{
    JSON_PATH, Receivers, TWILIO_PATH, Twilio, json_signature, twilio_signature,
};
use hubspot_comms::relay::work::{Worker, WorkerCounts, WorkerOptions};
use hubspot_comms::relay::{RelayError, Streams};
use hubspot_communications::{Client, RateLimit, RetryPolicy};
use hubspot_communications_mock::{Config, MockServer, RateLimit as FakeRateLimit};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::common::{self, TOKEN};
use hubspot_communications_tests::redis_server::RedisServer;

/// The Twilio auth token the tests sign with.
pub const AUTH_TOKEN: &str = "twilio-auth-token";
/// The JSON endpoint's secret.
pub const SECRET: &str = "relay-secret";
/// Twilio's account of the tests' webhooks.
pub const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";

/// A fake with the key property and limits high enough not to pace the tests.
pub fn config() -> Config {
    common::config()
        .rate_limit(FakeRateLimit::new(100_000, Duration::from_secs(1)))
        .search_rate_limit(FakeRateLimit::new(100_000, Duration::from_secs(1)))
}

/// A fake HubSpot, a redis-server, and the receivers in front of them.
pub struct Relay {
    pub fake: MockServer,
    redis: std::sync::Mutex<RedisServer>,
    redis_url: String,
    pub streams: Streams,
    /// The receivers' base URL (`http://127.0.0.1:PORT`), also their public URL.
    pub url: String,
    http: reqwest::Client,
    _receivers: AbortOnDrop<()>,
}

impl Relay {
    /// Everything started: the fake of `config`, a redis-server (with AOF `always` if `aof`),
    /// and the receivers (Twilio and JSON) for the one default account.
    pub async fn start(config: Config, aof: bool) -> Self {
        let fake = common::fake(config).await;
        let redis = if aof {
            RedisServer::start_aof()
        } else {
            RedisServer::start()
        };
        let redis_url = redis.url();
        let streams = Streams::connect(&redis_url).await.expect("Redis answers");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = Receivers::new(
            Inbox::new(streams.clone()),
            Routes::one(AccountName::default()),
        )
        .twilio(Twilio::new(&url, AUTH_TOKEN))
        .json(SECRET)
        .router();
        let served = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            fake,
            redis: std::sync::Mutex::new(redis),
            redis_url,
            streams,
            url,
            http: reqwest::Client::new(),
            _receivers: AbortOnDrop(served),
        }
    }

    /// A client of the fake for a worker: quick retries, the account's limit shared in Redis.
    pub fn client(&self, base_url: &str) -> Client {
        let roomy = RateLimit::new(10_000, Duration::from_secs(1));
        self.client_with(base_url, roomy, roomy)
    }

    /// [`client`](Self::client) with these limits.
    pub fn client_with(&self, base_url: &str, limit: RateLimit, search: RateLimit) -> Client {
        let builder = Client::builder(TOKEN)
            .base_url(base_url)
            .rate_limit(limit)
            .search_rate_limit(search)
            .retry(
                RetryPolicy::default()
                    .max_retries(2)
                    .initial_backoff(Duration::from_millis(1))
                    .max_backoff(Duration::from_millis(10)),
            );
        worker_client(&self.streams, &AccountName::default(), builder).expect("a client")
    }

    /// A worker of the default account on the fake (or on `base_url`), with the tests' quick
    /// timings; running until stopped (or dropped).
    pub fn worker(&self, base_url: Option<&str>) -> RunningWorker {
        self.worker_with(base_url, |_| {})
    }

    /// [`worker`](Self::worker) with options changed by `change`.
    pub fn worker_with(
        &self,
        base_url: Option<&str>,
        change: impl FnOnce(&mut WorkerOptions),
    ) -> RunningWorker {
        let mut options = WorkerOptions::default();
        options.linger = Duration::from_millis(50);
        options.claim_after = Duration::from_secs(2);
        options.retry_after = Duration::from_millis(100);
        options.max_retry_after = Duration::from_millis(500);
        change(&mut options);
        let client = self.client(base_url.unwrap_or(self.fake.base_url()));
        self.spawn_worker(client, options)
    }

    /// A worker of the default account whose client keeps to `limit` and `search`.
    pub fn worker_limited(&self, limit: RateLimit, search: RateLimit) -> RunningWorker {
        let client = self.client_with(self.fake.base_url(), limit, search);
        let mut options = WorkerOptions::default();
        options.linger = Duration::from_millis(50);
        self.spawn_worker(client, options)
    }

    fn spawn_worker(&self, client: Client, options: WorkerOptions) -> RunningWorker {
        RunningWorker::start(
            Worker::new(self.streams.clone(), options).account(AccountName::default(), client),
        )
    }

    /// Posts a Twilio webhook of message `sid` from `from`, signed; the answer's status.
    pub async fn twilio(&self, sid: &str, from: &str, body: &str) -> u16 {
        let params = twilio_params(sid, from, body);
        let signature =
            twilio_signature(AUTH_TOKEN, &format!("{}{TWILIO_PATH}", self.url), &params);
        self.post_twilio(&params, Some(&signature)).await.0
    }

    /// Posts `params` to the Twilio receiver with `signature`; the answer's status and body.
    pub async fn post_twilio(
        &self,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> (u16, String) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let mut request = self
            .http
            .post(format!("{}{TWILIO_PATH}", self.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        let answer = request.send().await.expect("the receiver answers");
        let status = answer.status().as_u16();
        (status, answer.text().await.unwrap_or_default())
    }

    /// Posts `body` to the JSON receiver, signed (or with `signature`); the answer's status
    /// and JSON body.
    pub async fn post_json(&self, body: &str, signature: Option<&str>) -> (u16, serde_json::Value) {
        let signature = signature
            .map(str::to_owned)
            .unwrap_or_else(|| json_signature(SECRET, body.as_bytes()));
        let answer = self
            .http
            .post(format!("{}{JSON_PATH}", self.url))
            .header("X-Relay-Signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .expect("the receiver answers");
        let status = answer.status().as_u16();
        let body = answer.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// Kills `redis-server` (SIGKILL), as a crash would.
    pub fn crash_redis(&self) {
        let mut redis = self.redis.lock().unwrap_or_else(|p| p.into_inner());
        tokio::task::block_in_place(|| redis.stop());
    }

    /// Starts `redis-server` again on its socket and directory (with AOF: what it had).
    pub fn start_redis_again(&self) {
        let mut redis = self.redis.lock().unwrap_or_else(|p| p.into_inner());
        tokio::task::block_in_place(|| redis.restart());
    }

    /// A connection of the test's own to the relay's Redis, to look at its keys.
    pub async fn redis(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.redis_url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .expect("the test connects to Redis")
    }

    /// The inbox stream's length.
    pub async fn inbox_len(&self) -> u64 {
        redis::cmd("XLEN")
            .arg("hubspot-comms:relay:{default}:inbox")
            .query_async(&mut self.redis().await)
            .await
            .unwrap()
    }
}

/// Twilio's form for one inbound message.
pub fn twilio_params(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    let to = if from.starts_with("whatsapp:") {
        "whatsapp:+14155550100"
    } else {
        "+14155550100"
    };
    [
        ("MessageSid", sid),
        ("SmsMessageSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", from),
        ("To", to),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .into()
}

/// A worker running as a task.
pub struct RunningWorker {
    task: Option<JoinHandle<Result<(), RelayError>>>,
    stop: Option<oneshot::Sender<()>>,
    pub counts: Arc<WorkerCounts>,
}

impl RunningWorker {
    /// Runs `worker` as a task until stopped (or dropped).
    pub fn start(worker: Worker) -> Self {
        let counts = worker.counts();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        }));
        Self {
            task: Some(task),
            stop: Some(stop),
            counts,
        }
    }

    /// Stops it as a shutdown does, and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().expect("running");
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("the worker stops")
            .expect("the worker's task")
            .expect("the worker ran");
    }

    /// Ends it at once, wherever it is, as a crash does (its batches in flight included).
    pub fn kill(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for RunningWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A task aborted when this is dropped.
pub struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Waits until `check` holds, polling; fails the test with `what` after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The fake's messages by key: each key must be stored once (the test fails otherwise), with
/// its contacts.
pub fn logged_once(fake: &MockServer) -> BTreeMap<String, common::Stored> {
    common::one_per_key(fake)
}

/// The keys of the fake's messages, each as often as it is stored.
pub fn stored_keys(fake: &MockServer) -> Vec<String> {
    let mut keys: Vec<String> = common::messages_by_key(fake)
        .into_iter()
        .flat_map(|(key, stored)| std::iter::repeat_n(key, stored.len()))
        .collect();
    keys.sort();
    keys
}
