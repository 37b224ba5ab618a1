//! Measurements, not checks of behaviour (run them on purpose, on an idle machine):
//!
//! ```sh
//! cargo test --release -p hubspot-comms --test cli relay::measure -- --ignored --nocapture
//! ```
//!
//! - Receiving and draining: 3,000 Twilio-signed webhooks from 600 numbers (half of them new
//!   to the account), 16 at a time, to one receiver on Redis with AOF `appendfsync always`;
//!   two workers log them into the fake at HubSpot's Professional limits (190 requests per
//!   10 s, 5 searches a second). It prints the time to answer a webhook (p50, p99, max), the
//!   receiving rate, and how long the workers took to log everything.
//! - Draining a backlog: 5,000 numbers (half of them new) each send a message while four
//!   workers run; then the workers stop (HubSpot away) while 50,000 more, ten a number, are
//!   stored; then four new workers drain them at the Professional limits. It prints the drain's
//!   time, requests and searches against the bound of the general limit: two requests (an
//!   upsert and an association) per batch of 100, at most 190 in any 10 s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use hubspot_comms::relay::AccountName;
use hubspot_comms::relay::entry::{Entry, Provider};
use hubspot_comms::relay::inbox::Inbox;
use hubspot_comms::relay::status::status;
use hubspot_communications::Channel;
use hubspot_communications_mock::{ObjectType, RateLimit as FakeRateLimit};

use super::{Relay, eventually, logged_once};

/// Held by each measurement while it runs: the test harness runs tests at once, and two
/// measurements sharing the machine would measure each other.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MESSAGES: usize = 3_000;
const NUMBERS: usize = 600;
const AT_ONCE: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test --release -p hubspot-comms --test cli relay::measure -- --ignored --nocapture"]
async fn measure_receiving_and_draining() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let config = super::super::common::config()
        .rate_limit(FakeRateLimit::PROFESSIONAL)
        .search_rate_limit(FakeRateLimit::SEARCH);
    let relay = Arc::new(Relay::start(config, true).await);
    for i in 0..NUMBERS / 2 {
        super::super::common::contact(&relay.fake, &[("phone", &number(i))]);
    }
    let workers: Vec<_> = (0..2).map(|_| relay.worker_at_hubspot_limits()).collect();

    let started = Instant::now();
    let latencies = Arc::new(std::sync::Mutex::new(Vec::with_capacity(MESSAGES)));
    let senders: Vec<_> = (0..AT_ONCE)
        .map(|sender| {
            let (relay, latencies) = (Arc::clone(&relay), Arc::clone(&latencies));
            tokio::spawn(async move {
                for i in (sender..MESSAGES).step_by(AT_ONCE) {
                    let sid = format!("SM{i:032}");
                    let sent = Instant::now();
                    let status = relay.twilio(&sid, &number(i % NUMBERS), "measured").await;
                    assert_eq!(status, 200);
                    latencies.lock().unwrap().push(sent.elapsed());
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    let received = started.elapsed();
    eventually(
        "every message is logged",
        Duration::from_secs(600),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    let drained = started.elapsed();
    let figures = status(&relay.streams, [&AccountName::default()])
        .await
        .unwrap();
    for worker in workers {
        worker.stop().await;
    }
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), MESSAGES);
    assert_eq!(relay.fake.records(ObjectType::Contact).len(), NUMBERS);

    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let at = |share: f64| {
        latencies[((latencies.len() as f64 * share) as usize).min(latencies.len() - 1)]
    };
    let stats = relay.fake.stats();
    println!(
        "received {MESSAGES} webhooks in {received:.2?} ({:.0}/s, {AT_ONCE} at a time); answer p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        MESSAGES as f64 / received.as_secs_f64(),
        at(0.50),
        at(0.99),
        latencies.last().unwrap()
    );
    println!(
        "logged all in {drained:.2?} from the first webhook; HubSpot requests {} (429s {}); status after: {figures:?}",
        stats.requests, stats.rate_limited
    );
}

fn number(i: usize) -> String {
    format!("+1415{:07}", 1_000_000 + i)
}

const BACKLOG_NUMBERS: usize = 5_000;
const BACKLOG_PER_NUMBER: usize = 10;
const BACKLOG_WORKERS: usize = 4;

/// Stores one entry per key of `keys`, from `number(i % BACKLOG_NUMBERS)`, 32 at a time.
async fn store(inbox: &Inbox, keys: std::ops::Range<usize>, prefix: &str) {
    futures::stream::iter(keys)
        .map(|i| {
            let entry = Entry::new(
                Provider::Twilio,
                AccountName::default(),
                format!("{prefix}{i:032}"),
                Channel::Sms,
                number(i % BACKLOG_NUMBERS),
                "measured",
            );
            async move { inbox.append(&entry).await.expect("stored") }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test --release -p hubspot-comms --test cli relay::measure -- --ignored --nocapture"]
async fn measure_draining_a_backlog() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let searches = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&searches);
    let config = super::super::common::config()
        .rate_limit(FakeRateLimit::PROFESSIONAL)
        .search_rate_limit(FakeRateLimit::SEARCH)
        .observe(move |exchange| {
            if exchange.path.ends_with("/contacts/search") {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        });
    let relay = Relay::start(config, false).await;
    for i in 0..BACKLOG_NUMBERS / 2 {
        super::super::common::contact(&relay.fake, &[("phone", &number(i))]);
    }
    let inbox = Inbox::new(relay.streams.clone());

    // Before the outage: every number writes once.
    let started = Instant::now();
    let workers: Vec<_> = (0..BACKLOG_WORKERS)
        .map(|_| relay.worker_at_hubspot_limits())
        .collect();
    store(&inbox, 0..BACKLOG_NUMBERS, "SMW").await;
    eventually(
        "the first messages are logged",
        Duration::from_secs(600),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    for worker in workers {
        worker.stop().await;
    }
    let warmed = started.elapsed();
    let warm_searches = searches.swap(0, Ordering::SeqCst);

    // HubSpot away: the workers are stopped while the backlog builds up.
    let messages = BACKLOG_NUMBERS * BACKLOG_PER_NUMBER;
    let stored_at = Instant::now();
    store(&inbox, 0..messages, "SMB").await;
    let stored = stored_at.elapsed();
    // The rolling window empties before the drain, as after an outage.
    tokio::time::sleep(Duration::from_secs(11).saturating_sub(stored)).await;

    let before = relay.fake.stats().requests;
    let started = Instant::now();
    let workers: Vec<_> = (0..BACKLOG_WORKERS)
        .map(|_| relay.worker_at_hubspot_limits())
        .collect();
    eventually(
        "the backlog is logged",
        Duration::from_secs(1_800),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    let drained = started.elapsed();
    for worker in workers {
        worker.stop().await;
    }
    let requests = relay.fake.stats().requests - before;
    let drain_searches = searches.load(Ordering::SeqCst);
    assert_eq!(logged_once(&relay.fake).len(), BACKLOG_NUMBERS + messages);
    assert_eq!(
        relay.fake.records(ObjectType::Contact).len(),
        BACKLOG_NUMBERS
    );

    // The least a drain needs: an upsert and an association a batch, at most 190 requests in
    // any 10 s from an empty window (the first 190 at once, then 190 every 10 s).
    let needed = 2 * messages.div_ceil(100);
    let bound = Duration::from_secs(10 * ((needed as u64 - 1) / 190));
    println!(
        "warm-up: {BACKLOG_NUMBERS} messages from {BACKLOG_NUMBERS} numbers logged in {warmed:.2?} with {warm_searches} searches"
    );
    println!(
        "backlog: {messages} messages ({BACKLOG_PER_NUMBER} a number) stored in {stored:.2?}; drained by {BACKLOG_WORKERS} workers in {drained:.2?} ({:.0} messages/s) with {requests} HubSpot requests, {drain_searches} of them searches",
        messages as f64 / drained.as_secs_f64()
    );
    println!(
        "bound of the general limit: {needed} requests, {bound:.2?} ({:.0} messages/s at 19 requests/s): the drain ran at {:.0} % of it",
        19.0 / 2.0 * 100.0,
        100.0 * bound.as_secs_f64() / drained.as_secs_f64()
    );
}

impl Relay {
    /// A worker whose client keeps to HubSpot's Professional limits, as a real one would.
    fn worker_at_hubspot_limits(&self) -> super::RunningWorker {
        self.worker_limited(
            hubspot_communications::RateLimit::PROFESSIONAL,
            hubspot_communications::RateLimit::SEARCH,
        )
    }
}
