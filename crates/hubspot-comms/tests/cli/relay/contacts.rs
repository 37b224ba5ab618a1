//! The contact directory the workers share in Redis: a number looked up once, by any worker, is
//! not searched again; a contact deleted since it was written is looked up afresh, not
//! dead-lettered; and a directory Redis will not read, or holds garbage in, costs searches,
//! never a message.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hubspot_comms::relay::accounts::{AccountName, worker_client};
use hubspot_comms::relay::work::{Worker, WorkerOptions};
use hubspot_comms::relay::{Streams, dead_letters};
use hubspot_communications::{Client, RateLimit};
use hubspot_communications_mock::{Config, ObjectType};
use redis::AsyncCommands;

use super::super::common::{self, TOKEN};
use super::{Relay, RunningWorker, config, eventually, logged_once};

/// A fake that counts the contact searches it answers.
fn counting_searches(config: Config) -> (Config, Arc<AtomicUsize>) {
    let searches = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&searches);
    let config = config.observe(move |exchange| {
        if exchange.path.ends_with("/contacts/search") {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (config, searches)
}

fn number(i: usize) -> String {
    format!("+1415555{:04}", 3_000 + i)
}

fn directory_key(number: &str) -> String {
    format!("hubspot-comms:relay:{{default}}:directory:{number}")
}

/// Sends `per_number` messages from each of `numbers`, their sids starting with `prefix`; then
/// waits until the relay has logged `total` messages in all and its inbox is empty.
async fn send_and_drain(
    relay: &Relay,
    prefix: &str,
    numbers: &[String],
    per_number: usize,
    total: usize,
) {
    for round in 0..per_number {
        for (i, from) in numbers.iter().enumerate() {
            let sid = format!("{prefix}{round:02}{i:04}");
            assert_eq!(relay.twilio(&sid, from, "hello").await, 200);
        }
    }
    eventually(
        "every message is logged",
        Duration::from_secs(60),
        || async { relay.inbox_len().await == 0 && relay.fake.message_count() >= total },
    )
    .await;
}

/// The contact each number's messages are on: every message of a number on that one contact
/// (the test fails otherwise), by the number its key was sent from.
fn contact_of_each_number(relay: &Relay, numbers: &[String]) -> BTreeMap<String, String> {
    let contacts: BTreeMap<String, String> = relay
        .fake
        .records(ObjectType::Contact)
        .into_iter()
        .filter_map(|(id, properties)| Some((properties.get("phone")?.clone(), id)))
        .collect();
    for (key, stored) in logged_once(&relay.fake) {
        let at: usize = key[key.len() - 4..].parse().unwrap();
        let holder = &contacts[&numbers[at]];
        assert_eq!(
            stored.contacts,
            std::slice::from_ref(holder),
            "{key} on its number's contact"
        );
    }
    numbers
        .iter()
        .map(|n| (n.clone(), contacts[n].clone()))
        .collect()
}

/// The directory's entry of each number, and the least time to live among them.
async fn directory(relay: &Relay, numbers: &[String]) -> (BTreeMap<String, String>, i64) {
    let mut redis = relay.redis().await;
    let mut entries = BTreeMap::new();
    let mut least_ttl = i64::MAX;
    for number in numbers {
        let key = directory_key(number);
        let id: Option<String> = redis.get(&key).await.unwrap();
        if let Some(id) = id {
            entries.insert(number.clone(), id);
        }
        let ttl: i64 = redis.ttl(&key).await.unwrap();
        least_ttl = least_ttl.min(ttl);
    }
    (entries, least_ttl)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn numbers_one_worker_looked_up_are_searched_by_no_worker_again() {
    let (config, searches) = counting_searches(config());
    let relay = Relay::start(config, false).await;
    let numbers: Vec<String> = (0..12).map(number).collect();
    // Half of them the account knows; the other half are new.
    for from in &numbers[..6] {
        common::contact(&relay.fake, &[("phone", from)]);
    }
    let workers = [relay.worker(None), relay.worker(None)];
    send_and_drain(&relay, "SMA", &numbers, 2, 24).await;
    for worker in workers {
        worker.stop().await;
    }
    let first = searches.load(Ordering::SeqCst);
    assert!(first > 0, "the numbers were searched once");
    let contacts = contact_of_each_number(&relay, &numbers);
    let (entries, least_ttl) = directory(&relay, &numbers).await;
    assert_eq!(
        entries, contacts,
        "every number's contact is in the directory"
    );
    assert!(
        (1..=3_600).contains(&least_ttl),
        "each entry lapses within the hour: {least_ttl}"
    );

    // Two other workers (other processes, as far as memory goes): not one search.
    let workers = [relay.worker(None), relay.worker(None)];
    send_and_drain(&relay, "SMB", &numbers, 3, 60).await;
    for worker in &workers {
        assert_eq!(worker.counts.dead_lettered(), 0);
    }
    for worker in workers {
        worker.stop().await;
    }
    assert_eq!(
        searches.load(Ordering::SeqCst),
        first,
        "numbers in the directory are not searched"
    );
    assert_eq!(contact_of_each_number(&relay, &numbers), contacts);
    assert_eq!(relay.fake.records(ObjectType::Contact).len(), 12);
}

/// Deletes a contact through the fake's API, as someone in HubSpot would.
async fn delete_contact(relay: &Relay, id: &str) {
    let answer = reqwest::Client::new()
        .delete(format!(
            "{}/crm/v3/objects/contacts/{id}",
            relay.fake.base_url()
        ))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_contact_deleted_since_the_directory_named_it_is_looked_up_afresh() {
    let lag = Duration::from_millis(200);
    let relay = Relay::start(config().search_lag(lag), false).await;
    let numbers = [number(0), number(1)];
    let first = common::contact(&relay.fake, &[("phone", &numbers[0])]);
    let second = common::contact(&relay.fake, &[("phone", &numbers[1])]);
    let worker = relay.worker(None);
    send_and_drain(&relay, "SMA", &numbers, 1, 2).await;
    let (entries, _) = directory(&relay, &numbers).await;
    assert_eq!(entries[&numbers[0]], first);
    assert_eq!(entries[&numbers[1]], second);

    // Both deleted; the first number's person has another contact, the second has none.
    delete_contact(&relay, &first).await;
    delete_contact(&relay, &second).await;
    let other = common::contact(&relay.fake, &[("phone", &numbers[0])]);
    tokio::time::sleep(lag * 2).await;
    send_and_drain(&relay, "SMB", &numbers, 1, 4).await;
    assert_eq!(worker.counts.dead_lettered(), 0, "not dead-lettered");
    assert!(
        worker.counts.retried() >= 2,
        "each tried again after the refusal"
    );
    worker.stop().await;

    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 4, "nothing lost, nothing doubled");
    assert_eq!(logged["SMB000000"].contacts, std::slice::from_ref(&other));
    let made = &logged["SMB000001"].contacts;
    assert_eq!(made.len(), 1);
    assert_ne!(made[0], second, "not on the deleted contact");
    let holder = relay.fake.record(ObjectType::Contact, &made[0]).unwrap();
    assert_eq!(holder["phone"], numbers[1], "a contact made for the number");
    let (entries, _) = directory(&relay, &numbers).await;
    assert_eq!(entries[&numbers[0]], other, "the directory follows");
    assert_eq!(entries[&numbers[1]], made[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_contact_refused_again_after_a_fresh_search_is_a_dead_letter() {
    // Search shows the deleted contact for a minute: the fresh lookup finds it again, HubSpot
    // refuses it again, and the message waits in the dead letters for someone to look.
    let relay = Relay::start(config().search_lag(Duration::from_secs(60)), false).await;
    let from = number(0);
    let contact = common::contact(&relay.fake, &[("phone", &from)]);
    let worker = relay.worker(None);
    send_and_drain(&relay, "SMA", std::slice::from_ref(&from), 1, 1).await;
    delete_contact(&relay, &contact).await;
    assert_eq!(relay.twilio("SMB", &from, "hello").await, 200);
    eventually(
        "the message is dead-lettered",
        Duration::from_secs(30),
        || async { relay.inbox_len().await == 0 },
    )
    .await;
    assert_eq!(worker.counts.dead_lettered(), 1);
    assert!(worker.counts.retried() >= 1, "tried once more first");
    worker.stop().await;
    let dead = dead_letters::list(&relay.streams, &AccountName::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(
        dead[0].reason.contains(&contact),
        "the reason names the contact: {}",
        dead[0].reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn garbage_in_the_directory_is_no_contact() {
    let relay = Relay::start(config(), false).await;
    let numbers: Vec<String> = (0..4).map(number).collect();
    let known: Vec<String> = numbers[..3]
        .iter()
        .map(|from| common::contact(&relay.fake, &[("phone", from)]))
        .collect();
    let mut redis = relay.redis().await;
    let _: () = redis
        .set(directory_key(&numbers[0]), "not a contact")
        .await
        .unwrap();
    let _: () = redis
        .set(directory_key(&numbers[1]), "9".repeat(40))
        .await
        .unwrap();
    let _: () = redis
        .hset(directory_key(&numbers[2]), "id", &known[2])
        .await
        .unwrap();
    let _: () = redis
        .set(directory_key(&numbers[3]), b"\xff\x00".as_slice())
        .await
        .unwrap();
    let worker = relay.worker(None);
    send_and_drain(&relay, "SMA", &numbers, 2, 8).await;
    assert_eq!(worker.counts.dead_lettered(), 0);
    worker.stop().await;
    let contacts = contact_of_each_number(&relay, &numbers);
    assert_eq!(
        contacts.values().take(3).cloned().collect::<Vec<_>>(),
        known
    );
    let (entries, _) = directory(&relay, &numbers).await;
    assert_eq!(entries, contacts, "the garbage is written over");
}

/// A worker of the default account on `streams` (another Redis user than the relay's).
fn worker_on(relay: &Relay, streams: &Streams) -> RunningWorker {
    let mut options = WorkerOptions::default();
    options.linger = Duration::from_millis(50);
    options.retry_after = Duration::from_millis(100);
    options.max_retry_after = Duration::from_millis(500);
    let account = AccountName::default();
    let roomy = RateLimit::new(10_000, Duration::from_secs(1));
    let builder = Client::builder(TOKEN)
        .base_url(relay.fake.base_url())
        .rate_limit(roomy)
        .search_rate_limit(roomy);
    let client = worker_client(streams, &account, builder).unwrap();
    RunningWorker::start(Worker::new(streams.clone(), options).account(account, client))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn a_directory_redis_will_not_read_costs_searches_not_messages() {
    let (config, searches) = counting_searches(config());
    let relay = Relay::start(config, false).await;
    // The workers' Redis user may do anything but MGET, the directory's read.
    let _: () = redis::cmd("ACL")
        .arg(&[
            "SETUSER", "worker", "on", ">secret", "~*", "&*", "+@all", "-mget",
        ])
        .query_async(&mut relay.redis().await)
        .await
        .unwrap();
    let url = format!("{}?user=worker&pass=secret", relay.redis_url);
    let streams = Streams::connect(&url).await.unwrap();
    let numbers: Vec<String> = (0..6).map(number).collect();
    for from in &numbers[..3] {
        common::contact(&relay.fake, &[("phone", from)]);
    }
    let worker = worker_on(&relay, &streams);
    send_and_drain(&relay, "SMA", &numbers, 2, 12).await;
    let first = searches.load(Ordering::SeqCst);
    send_and_drain(&relay, "SMB", &numbers, 2, 24).await;
    assert!(
        searches.load(Ordering::SeqCst) > first,
        "an unreadable directory is an empty one: the numbers are searched"
    );
    assert_eq!(worker.counts.dead_lettered(), 0);
    assert_eq!(worker.counts.logged(), 24);
    worker.stop().await;
    contact_of_each_number(&relay, &numbers);
    assert_eq!(relay.fake.records(ObjectType::Contact).len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn workers_draining_one_backlog_search_each_number_once() {
    // Each search the fake answers, as the list of the test's numbers it names.
    let searched: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&searched);
    let numbers: Vec<String> = (0..40).map(number).collect();
    let watched = numbers.clone();
    let config = config().observe(move |exchange| {
        if exchange.path.ends_with("/contacts/search") {
            let body = String::from_utf8_lossy(&exchange.request_body);
            let mut seen = seen.lock().unwrap();
            seen.extend(
                watched
                    .iter()
                    .filter(|n| body.contains(n.as_str()))
                    .cloned(),
            );
        }
    });
    let relay = Relay::start(config, false).await;
    for from in &numbers {
        common::contact(&relay.fake, &[("phone", from)]);
    }
    // A backlog first (HubSpot was away, say): 3 messages a number, the numbers interleaved.
    for round in 0..3 {
        for (i, from) in numbers.iter().enumerate() {
            let sid = format!("SMD{round:02}{i:04}");
            assert_eq!(relay.twilio(&sid, from, "hello").await, 200);
        }
    }
    // Three workers at once, in small batches: each batch holds numbers the others' hold too.
    let small = |options: &mut hubspot_comms::relay::work::WorkerOptions| options.batch_size = 15;
    let workers = [
        relay.worker_with(None, small),
        relay.worker_with(None, small),
        relay.worker_with(None, small),
    ];
    eventually("the backlog drained", Duration::from_secs(60), || async {
        relay.inbox_len().await == 0 && relay.fake.message_count() >= 120
    })
    .await;
    for worker in workers {
        worker.stop().await;
    }
    assert_eq!(logged_once(&relay.fake).len(), 120);
    let mut searched = searched.lock().unwrap().clone();
    searched.sort();
    let searches_of_each = searched.len();
    searched.dedup();
    assert_eq!(searched.len(), numbers.len(), "every number was searched");
    assert_eq!(
        searches_of_each,
        numbers.len(),
        "no number searched twice: a worker looking one up holds the others off it"
    );
}
