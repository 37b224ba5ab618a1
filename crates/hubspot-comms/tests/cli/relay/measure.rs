//! A measurement, not a check of behaviour (run it on purpose, on an idle machine):
//!
//! ```sh
//! cargo test -p hubspot-comms --test cli relay::measure -- --ignored --nocapture
//! ```
//!
//! 3,000 Twilio-signed webhooks from 600 numbers (half of them new to the account), 16 at a
//! time, to one receiver on Redis with AOF `appendfsync always`; two workers log them into the
//! fake at HubSpot's Professional limits (190 requests per 10 s, 5 searches a second). It prints
//! the time to answer a webhook (p50, p99, max), the receiving rate, and how long the workers
//! took to log everything against the bound of the limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hubspot_comms::relay::AccountName;
use hubspot_comms::relay::status::status;
use hubspot_communications_mock::{ObjectType, RateLimit as FakeRateLimit};

use super::{Relay, eventually, logged_once};

const MESSAGES: usize = 3_000;
const NUMBERS: usize = 600;
const AT_ONCE: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: cargo test -p hubspot-comms --test cli relay::measure -- --ignored --nocapture"]
async fn measure_receiving_and_draining() {
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

impl Relay {
    /// A worker whose client keeps to HubSpot's Professional limits, as a real one would.
    fn worker_at_hubspot_limits(&self) -> super::RunningWorker {
        self.worker_limited(
            hubspot_communications::RateLimit::PROFESSIONAL,
            hubspot_communications::RateLimit::SEARCH,
        )
    }
}
