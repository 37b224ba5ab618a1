//! What a worker asks of HubSpot: a backlog in full requests (100 messages an upsert, 1,000 an
//! association request, however its entries were read and looked up), and, while HubSpot is
//! away, one probe at a time rather than everything it holds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hubspot_communications_mock::Config;

use super::super::common;
use super::{Relay, config, eventually, logged_once};

/// The requests of each kind the fake answered.
#[derive(Default)]
struct Requests {
    searches: AtomicUsize,
    upserts: AtomicUsize,
    associations: AtomicUsize,
}

impl Requests {
    fn counted(&self) -> (usize, usize, usize) {
        (
            self.searches.load(Ordering::SeqCst),
            self.upserts.load(Ordering::SeqCst),
            self.associations.load(Ordering::SeqCst),
        )
    }
}

fn counting(config: Config) -> (Config, Arc<Requests>) {
    let requests = Arc::new(Requests::default());
    let counted = Arc::clone(&requests);
    let config = config.observe(move |exchange| {
        let path = &exchange.path;
        let kind = if path.ends_with("/contacts/search") {
            &counted.searches
        } else if path.ends_with("/communications/batch/upsert") {
            &counted.upserts
        } else if path.contains("/associations/") && path.ends_with("/batch/create") {
            &counted.associations
        } else {
            return;
        };
        kind.fetch_add(1, Ordering::SeqCst);
    });
    (config, requests)
}

fn number(i: usize) -> String {
    format!("+1415555{:04}", 6_000 + i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_backlog_goes_in_full_upserts_and_association_requests() {
    let (config, requests) = counting(config());
    let relay = Relay::start(config, false).await;
    let numbers: Vec<String> = (0..50).map(number).collect();
    for from in &numbers {
        common::contact(&relay.fake, &[("phone", from)]);
    }
    // HubSpot was away: 2,500 messages from 50 numbers wait, read 1,000 at a time.
    for i in 0..2_500 {
        let sid = format!("SMFULL{i:05}");
        assert_eq!(relay.twilio(&sid, &numbers[i % 50], "hello").await, 200);
    }
    let worker = relay.worker(None);
    eventually("the backlog is logged", Duration::from_secs(60), || async {
        relay.inbox_len().await == 0 && relay.fake.message_count() == 2_500
    })
    .await;
    worker.stop().await;
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 2_500);
    assert!(logged.values().all(|stored| stored.contacts.len() == 1));
    assert_eq!(
        requests.counted(),
        (1, 25, 3),
        "(searches, upserts, association requests): the 50 numbers in one search, \
         25 upserts of 100, 3 association requests (1,000 + 1,000 + 500)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn while_hubspot_is_away_a_worker_sends_one_probe_at_a_time() {
    let relay = Relay::start(config(), false).await;
    let numbers: Vec<String> = (0..20).map(number).collect();
    for from in &numbers {
        common::contact(&relay.fake, &[("phone", from)]);
    }
    let worker = relay.worker(None);
    // Their contacts known (in the directory): the backlog to come needs no lookup.
    for (i, from) in numbers.iter().enumerate() {
        assert_eq!(
            relay.twilio(&format!("SMWARM{i:02}"), from, "hi").await,
            200
        );
    }
    eventually(
        "the first messages are logged",
        Duration::from_secs(20),
        || async { relay.fake.message_count() == 20 },
    )
    .await;

    let outage = Duration::from_secs(6);
    relay.fake.outage(outage);
    let started = std::time::Instant::now();
    let before = relay.fake.stats().requests;
    for i in 0..1_000 {
        let sid = format!("SMAWAY{i:05}");
        assert_eq!(relay.twilio(&sid, &numbers[i % 20], "hello").await, 200);
    }
    tokio::time::sleep(outage.saturating_sub(started.elapsed())).await;
    let during = relay.fake.stats().requests - before;

    eventually("the backlog is logged", Duration::from_secs(30), || async {
        relay.inbox_len().await == 0 && relay.fake.message_count() == 1_020
    })
    .await;
    worker.stop().await;
    assert_eq!(logged_once(&relay.fake).len(), 1_020);
    // A probe is one request (and the client's 2 quick retries), a backoff (100 ms doubling
    // to 500 ms) after the last: about 12 in 6 s, after a first round of up to 4 upserts.
    // Sending what it holds each time would be 10 upserts a round: hundreds.
    assert!(
        during <= 80,
        "{during} requests while HubSpot was away for {outage:?}"
    );
}
