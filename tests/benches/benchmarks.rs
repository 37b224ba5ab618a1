//! The client's benchmarks, against the fake HubSpot: `cargo bench -p hubspot-communications-tests`
//! (or name some: `-- bulk faults overhead memory`).
//!
//! 1. bulk: log 100,000 messages with the fake limited to 50 requests per 1 s window; the bound
//!    is 100,000 / 100 per batch / 50 per s = 20 s.
//! 2. overhead: 20,000 single reads at concurrency 32, the facade against plain reqwest, on one
//!    fake in a child process, in the same run: requests per second and client CPU per request,
//!    the median of seven rounds that each interleave the clients in chunks of 2,000 reads.
//! 3. memory: stream-list 1,000,000 messages from a fake in a child process; the client's peak
//!    RSS after 100,000 and after 1,000,000.
//! 4. faults: the bulk import with 10 % 429, 5 % 503 and 2 % dropped connections (half before
//!    the fake stores the batch, half after), by `log_all` and by the exactly-once `log_all_keyed`.
//! 5. shared: four worker processes (this program started again) log 25,000 messages each into
//!    one account of a fake limited to 50 requests per 1 s window, first sharing one window in a
//!    redis-server of the benchmark's own (`SharedRateLimit`), then each with its own limiter;
//!    the bound is again 20 s. Needs `redis-server` (the `redis` feature, on by default).
//! 6. accounts: 1,000 accounts of one OAuth app in one process, one client each (one
//!    connection pool, `Client::for_account`), each logging 10 messages in two waves of 5
//!    concurrent creates; every access token expires between the waves (a 3 s life): no call
//!    may fail, and the fake must count exactly one refresh per account to start and one per
//!    expiry.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt, stream};
use hubspot_communications::UpsertInput;
use hubspot_communications::raw;
use hubspot_communications::{
    Channel, Client, LogOutcome, NewMessage, RateLimit, ReadOptions, RetryPolicy,
};
use hubspot_communications_mock::{
    Config, FaultKind, Faults, MockServer, RateLimit as FakeRateLimit,
};
use hubspot_communications_tests::with_unique_key;

const CHILD: &str = "HUBSPOT_BENCH_FAKE_MESSAGES";
/// Set in the worker processes of `shared`: `<worker> <fake's URL> <Redis URL or ->`.
const WORKER: &str = "HUBSPOT_BENCH_SHARED_WORKER";
const MESSAGES: usize = 100_000;

fn main() {
    if let Ok(count) = std::env::var(CHILD) {
        return run_child_fake(count.parse().expect("a message count"));
    }
    if let Ok(spec) = std::env::var(WORKER) {
        return shared::run_worker(&spec);
    }
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| chosen.is_empty() || chosen.iter().any(|c| c == name);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // First: the peak RSS it reads is the whole process's, so nothing may run before it.
        if wanted("memory") {
            memory().await;
        }
        if wanted("overhead") {
            overhead().await;
        }
        if wanted("bulk") {
            bulk().await;
        }
        if wanted("faults") {
            faults().await;
        }
        if wanted("shared") {
            shared::shared().await;
        }
        if wanted("accounts") {
            accounts::accounts().await;
        }
    });
}

fn limited_fake() -> Config {
    Config::default()
        .rate_limit(FakeRateLimit::new(50, Duration::from_secs(1)))
        .search_rate_limit(FakeRateLimit::new(50, Duration::from_secs(1)))
}

fn bulk_client(server: &MockServer) -> Client {
    Client::builder("bench")
        .base_url(server.base_url())
        .rate_limit(RateLimit::new(50, Duration::from_secs(1)))
        .build()
        .unwrap()
}

fn inputs() -> impl futures::Stream<Item = NewMessage> + Send + 'static {
    stream::iter(0..MESSAGES).map(|i| NewMessage::new(Channel::Sms, format!("bulk {i}")))
}

/// Counts of each stored body: how many times each input landed.
fn landed(server: &MockServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, properties) in server.messages() {
        *counts
            .entry(properties["hs_communication_body"].clone())
            .or_default() += 1;
    }
    counts
}

async fn bulk() {
    let server = MockServer::start_with(limited_fake()).await.unwrap();
    let client = bulk_client(&server);
    let started = Instant::now();
    let logged: Vec<_> = client.log_all(inputs()).collect().await;
    let elapsed = started.elapsed();
    let counts = landed(&server);
    let failed = logged
        .iter()
        .filter(|l| !matches!(l.outcome, LogOutcome::Logged(_)))
        .count();
    println!(
        "bulk: {MESSAGES} messages in {:.2} s = {:.1} % of the 20 s bound",
        elapsed.as_secs_f64(),
        2000.0 / elapsed.as_secs_f64()
    );
    println!(
        "bulk: 429s met {}, outcomes {}, not logged {failed}, lost {}, duplicated {}",
        server.stats().rate_limited,
        logged.len(),
        MESSAGES - counts.len(),
        counts.values().filter(|n| **n > 1).count()
    );
}

async fn faults() {
    let fake = || {
        limited_fake().faults(
            Faults::seeded(2026)
                .with(FaultKind::RateLimited, 0.10)
                .with(FaultKind::Unavailable, 0.05)
                .with(FaultKind::DropBeforeStore, 0.01)
                .with(FaultKind::DropAfterStore, 0.01),
        )
    };
    for keyed in [false, true] {
        // The keyed run upserts on a unique property the account defines.
        let config = with_unique_key(fake(), "external_message_id");
        let server = MockServer::start_with(config).await.unwrap();
        let client = bulk_client(&server);
        let started = Instant::now();
        let outcomes: Vec<(u64, &'static str)> = if keyed {
            let keyed_inputs = inputs()
                .enumerate()
                .map(|(i, m)| UpsertInput::new(format!("bulk-{i}"), m));
            client
                .log_all_keyed("external_message_id", keyed_inputs)
                .map(|l| (l.index, fate(&l.outcome)))
                .collect()
                .await
        } else {
            client
                .log_all(inputs())
                .map(|l| (l.index, fate(&l.outcome)))
                .collect()
                .await
        };
        let elapsed = started.elapsed();
        let counts = landed(&server);
        let count = |name: &str| outcomes.iter().filter(|(_, f)| *f == name).count();
        let unknown: Vec<u64> = outcomes
            .iter()
            .filter(|(_, f)| *f == "unknown")
            .map(|(i, _)| *i)
            .collect();
        let unknown_stored = unknown
            .iter()
            .filter(|i| counts.contains_key(&format!("bulk {i}")))
            .count();
        let reported_logged_missing = outcomes
            .iter()
            .filter(|(i, f)| *f == "logged" && !counts.contains_key(&format!("bulk {i}")))
            .count();
        let stats = server.stats();
        println!(
            "faults ({}): {} outcomes in {:.2} s; logged {}, failed {}, unknown {} ({unknown_stored} of them stored); \
             lost {reported_logged_missing}, unaccounted {}, duplicated {}; faults injected {:?}",
            if keyed {
                "log_all_keyed, exactly once"
            } else {
                "log_all"
            },
            outcomes.len(),
            elapsed.as_secs_f64(),
            count("logged"),
            count("failed"),
            unknown.len(),
            MESSAGES - outcomes.len(),
            counts.values().filter(|n| **n > 1).count(),
            stats.faults,
        );
    }
}

fn fate(outcome: &LogOutcome) -> &'static str {
    match outcome {
        LogOutcome::Logged(_) => "logged",
        LogOutcome::Failed(_) => "failed",
        LogOutcome::Unknown(_) => "unknown",
    }
}

async fn overhead() {
    const READS: usize = 20_000;
    const CONCURRENCY: usize = 32;
    const ROUNDS: usize = 7;
    // Each round interleaves the three clients in chunks, so that a neighbour's load on this
    // shared machine falls on all of them rather than on whichever ran at that moment.
    const CHUNK: usize = 2_000;
    let (mut child, base_url) = spawn_child_fake(1);
    let id = "10001";
    let client = Client::builder("bench")
        .base_url(&base_url)
        .rate_limit(RateLimit::new(1_000_000_000, Duration::from_secs(1)))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    // reqwest as a program would build it, with the facade's timeouts (each arms a timer per
    // request) so that timers are not the difference. It keeps reqwest's other defaults, its
    // retry layer included, which the facade switches off (it retries by itself).
    let plain = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{base_url}/crm/v3/objects/communications/{id}");
    let facade_read = || {
        let client = client.clone();
        async move {
            client.get(id).await.unwrap();
        }
    };
    let plain_read = || {
        let (plain, url) = (plain.clone(), url.clone());
        async move {
            let response = plain.get(&url).bearer_auth("bench").send().await.unwrap();
            let _: serde_json::Value = response.error_for_status().unwrap().json().await.unwrap();
        }
    };
    // The generated client alone (the `unstable-raw` feature's re-export), on the facade's
    // version's objects path, over the plain reqwest client.
    let objects = raw::ApiVersionPaths::get(client.api_version().name())
        .unwrap()
        .objects;
    let context =
        raw::ClientContext::default().with_bearer_token(raw::BearerToken::new("bench").unwrap());
    let raw = raw::Client::new_with_client(&format!("{base_url}{objects}"), plain.clone(), context);
    let raw_read = || {
        let raw = raw.clone();
        async move {
            raw.get_object()
                .object_type("communications")
                .object_id(id)
                .send()
                .await
                .unwrap();
        }
    };
    // Warm the connection pools.
    measure(CONCURRENCY, CONCURRENCY, &facade_read).await;
    measure(CONCURRENCY, CONCURRENCY, &plain_read).await;

    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let (mut facade, mut plain, mut raw) =
            (Tally::default(), Tally::default(), Tally::default());
        for chunk in 0..READS / CHUNK {
            // Alternate which goes first.
            if chunk % 2 == 0 {
                facade += measure(CHUNK, CONCURRENCY, &facade_read).await;
                plain += measure(CHUNK, CONCURRENCY, &plain_read).await;
            } else {
                plain += measure(CHUNK, CONCURRENCY, &plain_read).await;
                facade += measure(CHUNK, CONCURRENCY, &facade_read).await;
            }
            raw += measure(CHUNK, CONCURRENCY, &raw_read).await;
        }
        let ratio = facade.per_second() / plain.per_second();
        println!(
            "overhead (round {round}): facade {facade}; plain reqwest {plain}; raw generated client alone {raw}; ratio {ratio:.2}"
        );
        ratios.push(ratio);
        cpu_ratios.push(
            plain
                .cpu_per_request()
                .div_duration_f64(facade.cpu_per_request()),
        );
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(
        "overhead: median facade/reqwest throughput {:.2}x, CPU efficiency (reqwest's CPU/req over the facade's) {:.2}x",
        median(ratios),
        median(cpu_ratios)
    );
    let _ = child.kill();
}

/// Requests made, and the wall-clock and client CPU time they took.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    requests: usize,
    elapsed: Duration,
    cpu: Duration,
}

impl Tally {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn cpu_per_request(&self) -> Duration {
        self.cpu / u32::try_from(self.requests).unwrap()
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Self) {
        self.requests += other.requests;
        self.elapsed += other.elapsed;
        self.cpu += other.cpu;
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} req/s, {:.1} µs CPU/req",
            self.per_second(),
            self.cpu_per_request().as_secs_f64() * 1e6
        )
    }
}

/// Makes `total` calls, `concurrency` at a time.
async fn measure<F, Fut>(total: usize, concurrency: usize, call: &F) -> Tally
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cpu_before = process_cpu();
    let started = Instant::now();
    stream::iter(0..total)
        .map(|_| call())
        .buffer_unordered(concurrency)
        .collect::<Vec<()>>()
        .await;
    Tally {
        requests: total,
        elapsed: started.elapsed(),
        cpu: process_cpu().saturating_sub(cpu_before),
    }
}

async fn memory() {
    const TOTAL: usize = 1_000_000;
    let (mut child, base_url) = spawn_child_fake(TOTAL);
    let client = Client::builder("bench")
        .base_url(&base_url)
        .rate_limit(RateLimit::new(1_000_000_000, Duration::from_secs(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut seen = 0usize;
    let mut at_100k = 0;
    let mut messages = std::pin::pin!(client.list(ReadOptions::new()));
    while let Some(message) = messages.try_next().await.unwrap() {
        std::hint::black_box(&message);
        seen += 1;
        if seen == 100_000 {
            at_100k = peak_rss_kib();
        }
    }
    println!(
        "memory: listed {seen} messages in {:.1} s; client peak RSS {:.1} MiB after 100,000, {:.1} MiB after {TOTAL}",
        started.elapsed().as_secs_f64(),
        at_100k as f64 / 1024.0,
        peak_rss_kib() as f64 / 1024.0
    );
    let _ = child.kill();
}

/// Starts this program again as a fake HubSpot holding `messages` messages; returns its URL.
fn spawn_child_fake(messages: usize) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, messages.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the child fake starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

fn run_child_fake(messages: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = Config::default()
            .rate_limit(FakeRateLimit::new(u32::MAX, Duration::from_secs(1)))
            .search_rate_limit(FakeRateLimit::new(u32::MAX, Duration::from_secs(1)));
        let server = MockServer::start_with(config).await.unwrap();
        server.seed_messages(messages);
        println!("{}", server.base_url());
        // Serve until the parent closes our stdin (or is gone).
        tokio::task::spawn_blocking(|| std::io::stdin().lines().count())
            .await
            .unwrap();
    });
}

/// This process's CPU time (user + system), from getrusage.
fn process_cpu() -> Duration {
    // getrusage counts in microseconds, where /proc's ticks are 10 ms: too coarse for chunks.
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// This process's peak resident set, in KiB (VmHWM).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Four processes logging into one account, with and without one window in Redis.
mod shared {
    use super::*;

    #[cfg(feature = "redis")]
    const WORKERS: usize = 4;
    const PER_WORKER: usize = 25_000;

    #[cfg(not(feature = "redis"))]
    pub async fn shared() {
        println!("shared: skipped (needs the redis feature)");
    }

    #[cfg(feature = "redis")]
    pub async fn shared() {
        let redis = hubspot_communications_tests::redis_server::RedisServer::start();
        for with_redis in [true, false] {
            let server = MockServer::start_with(limited_fake()).await.unwrap();
            let redis_url = if with_redis { redis.url() } else { "-".into() };
            let started = Instant::now();
            let workers: Vec<_> = (0..WORKERS)
                .map(|worker| {
                    let child = Command::new(std::env::current_exe().unwrap())
                        .env(
                            WORKER,
                            format!("{worker} {} {redis_url}", server.base_url()),
                        )
                        .stdout(Stdio::piped())
                        .spawn()
                        .expect("a worker starts");
                    // Waited for off the runtime's threads, which serve the fake.
                    tokio::task::spawn_blocking(move || child.wait_with_output())
                })
                .collect();
            let mut reports = Vec::new();
            for worker in futures::future::join_all(workers).await {
                let output = worker.unwrap().unwrap();
                assert!(output.status.success(), "a worker failed");
                reports.push(String::from_utf8_lossy(&output.stdout).trim().to_owned());
            }
            let elapsed = started.elapsed();
            let counts = landed(&server);
            let total = WORKERS * PER_WORKER;
            let requests = total / 100;
            println!(
                "shared ({}): {total} messages by {WORKERS} processes in {:.2} s = {:.1} % of the 20 s bound \
                 ({:.1} batch requests/s of 50); 429s met {}; lost {}, duplicated {}",
                if with_redis {
                    "one window in Redis"
                } else {
                    "a limiter per process"
                },
                elapsed.as_secs_f64(),
                2000.0 / elapsed.as_secs_f64(),
                requests as f64 / elapsed.as_secs_f64(),
                server.stats().rate_limited,
                total - counts.len(),
                counts.values().filter(|n| **n > 1).count(),
            );
            for report in reports {
                println!("  {report}");
            }
        }
    }

    /// One worker: logs its share and prints what became of it.
    pub fn run_worker(spec: &str) {
        let mut parts = spec.split(' ');
        let (worker, base_url, redis_url) = (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let builder = Client::builder("bench")
                .base_url(&base_url)
                .rate_limit(RateLimit::new(50, Duration::from_secs(1)));
            let client = with_shared(builder, &redis_url).build().unwrap();
            let started = Instant::now();
            let inputs = stream::iter(0..PER_WORKER)
                .map(move |i| NewMessage::new(Channel::Sms, format!("worker {worker} {i}")));
            let outcomes: Vec<&'static str> = client
                .log_all(inputs)
                .map(|l| fate(&l.outcome))
                .collect()
                .await;
            let count = |name| outcomes.iter().filter(|f| **f == name).count();
            println!(
                "worker: {} logged, {} failed, {} unknown in {:.2} s",
                count("logged"),
                count("failed"),
                count("unknown"),
                started.elapsed().as_secs_f64()
            );
        });
    }

    #[cfg(feature = "redis")]
    fn with_shared(
        builder: hubspot_communications::ClientBuilder,
        redis_url: &str,
    ) -> hubspot_communications::ClientBuilder {
        if redis_url == "-" {
            return builder;
        }
        let shared =
            hubspot_communications::SharedRateLimit::redis(redis_url, "bench:portal-1").unwrap();
        builder.shared_rate_limit(shared)
    }

    #[cfg(not(feature = "redis"))]
    fn with_shared(
        builder: hubspot_communications::ClientBuilder,
        _redis_url: &str,
    ) -> hubspot_communications::ClientBuilder {
        builder
    }
}

mod accounts {
    use hubspot_communications::{OAuthCredentials, Secret};
    use hubspot_communications_mock::Account;

    use super::*;

    const ACCOUNTS: u64 = 1_000;
    const WAVES: usize = 2;
    const PER_WAVE: usize = 5;
    /// How long the fake's access tokens live; the clients refresh 1 s before expiry.
    const LIFETIME: Duration = Duration::from_secs(3);
    /// Accounts logging at once (each with its `PER_WAVE` concurrent creates), so that the
    /// sockets stay well under the usual 1,024 open files.
    const ACCOUNTS_AT_ONCE: usize = 64;
    const APP: &str = "bench-app";

    fn refresh_token(hub: u64) -> Secret {
        Secret::new(format!("rt-install-{hub}"))
    }

    pub async fn accounts() {
        let mut config = Config::default()
            .oauth_app(APP, "bench-secret")
            .access_token_lifetime(LIFETIME);
        for hub in 1..=ACCOUNTS {
            config = config.account(Account::new(hub, APP, refresh_token(hub).expose()));
        }
        let server = MockServer::start_with(config).await.unwrap();
        let credentials =
            |hub| OAuthCredentials::new(APP, "bench-secret", refresh_token(hub)).account_id(hub);

        let started = Instant::now();
        let first = Client::oauth(credentials(1))
            .base_url(server.base_url())
            .refresh_margin(Duration::from_secs(1))
            .build()
            .unwrap();
        let mut clients = vec![(1, first.clone())];
        for hub in 2..=ACCOUNTS {
            clients.push((hub, first.for_account(credentials(hub)).unwrap()));
        }
        let built = started.elapsed();
        println!(
            "accounts: {ACCOUNTS} clients built in {:.1} ms ({:.1} µs each, one connection pool)",
            built.as_secs_f64() * 1e3,
            built.as_secs_f64() * 1e6 / ACCOUNTS as f64
        );

        let mut failed = 0;
        for wave in 0..WAVES {
            if wave > 0 {
                // Every token issued so far (all before the last wave ended) expires.
                tokio::time::sleep(LIFETIME).await;
            }
            let started = Instant::now();
            let outcomes: Vec<Result<(), hubspot_communications::Error>> =
                stream::iter(clients.iter().cloned())
                    .map(|(hub, client)| async move {
                        let creates = (0..PER_WAVE).map(|i| {
                            let text = format!("account {hub} message {}", wave * PER_WAVE + i);
                            let client = client.clone();
                            async move { client.create(&NewMessage::new(Channel::Sms, text)).await }
                        });
                        futures::future::join_all(creates).await
                    })
                    .buffer_unordered(ACCOUNTS_AT_ONCE)
                    .flat_map(|results| stream::iter(results.into_iter().map(|r| r.map(drop))))
                    .collect()
                    .await;
            let elapsed = started.elapsed();
            let errors: Vec<_> = outcomes.iter().filter_map(|r| r.as_ref().err()).collect();
            failed += errors.len();
            println!(
                "accounts: wave {} ({PER_WAVE} concurrent creates per account{}): {} messages in {:.2} s ({:.0}/s), {} failed{}",
                wave + 1,
                if wave == 0 {
                    ", first refresh"
                } else {
                    ", every token expired"
                },
                outcomes.len(),
                elapsed.as_secs_f64(),
                outcomes.len() as f64 / elapsed.as_secs_f64(),
                errors.len(),
                errors
                    .first()
                    .map(|e| format!(" (first: {e})"))
                    .unwrap_or_default(),
            );
        }

        let stats = server.stats();
        let per_account: Vec<u64> = (1..=ACCOUNTS)
            .map(|hub| stats.accounts[&hub].refreshes)
            .collect();
        let expired: u64 = stats.accounts.values().map(|a| a.expired).sum();
        let wrong = per_account.iter().filter(|n| **n != WAVES as u64).count();
        let counts = landed(&server);
        let expected = ACCOUNTS as usize * WAVES * PER_WAVE;
        println!(
            "accounts: refreshes {} (per account {}..={}, expected {WAVES}: one to start, one per expiry; {wrong} accounts otherwise), 401 EXPIRED met {expired}, failed {failed}, stored {} of {expected}, duplicated {}",
            stats.refreshes,
            per_account.iter().min().unwrap(),
            per_account.iter().max().unwrap(),
            counts.len(),
            counts.values().filter(|n| **n > 1).count(),
        );
    }
}
