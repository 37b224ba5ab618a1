//! Dead letters: a message HubSpot refuses for good, one whose number several contacts hold,
//! and an entry that cannot be read each become a dead letter with its reason, never dropped;
//! the status counts them; a retry logs a message once.

use std::time::Duration;

use hubspot_comms::relay::AccountName;
use hubspot_comms::relay::dead_letters::{list, retry, retry_all};
use hubspot_comms::relay::status::{known_accounts, status};
use hubspot_communications_mock::Script;
use serde_json::json;

use super::{Relay, config, eventually, logged_once};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn refused_ambiguous_and_unreadable_entries_are_dead_letters_and_a_retry_logs_once() {
    let relay = Relay::start(config(), false).await;
    let account = AccountName::default();
    // HubSpot refuses the next upsert for good (its values).
    relay
        .fake
        .script(Script::on("batch/upsert").status(400).json(
            &json!({"status": "error", "category": "VALIDATION_ERROR",
                "message": "Property values were not valid: the body is not allowed",
                "correlationId": "c0ffee"}),
        ));
    assert_eq!(
        relay.twilio("SMDEAD1", "+14155550123", "refused").await,
        200
    );
    let backlog = status(&relay.streams, [&account]).await.unwrap();
    assert_eq!(
        (backlog[0].backlog, backlog[0].pending),
        (1, 0),
        "{backlog:?}"
    );
    assert!(backlog[0].oldest.is_some());

    let worker = relay.worker(None);
    eventually(
        "the refusal is a dead letter",
        Duration::from_secs(20),
        || async { worker.counts.dead_lettered() == 1 },
    )
    .await;
    // Several contacts hold this number: not guessed.
    super::super::common::contact(&relay.fake, &[("phone", "+14155550177")]);
    super::super::common::contact(&relay.fake, &[("mobilephone", "+1 (415) 555-0177")]);
    assert_eq!(relay.twilio("SMDEAD2", "+14155550177", "whose?").await, 200);
    // An entry that is not the relay's format.
    let _: String = redis::cmd("XADD")
        .arg("hubspot-comms:relay:{default}:inbox")
        .arg("*")
        .arg("v")
        .arg("9")
        .arg("key")
        .arg("junk")
        .query_async(&mut relay.redis().await)
        .await
        .unwrap();
    eventually("three dead letters", Duration::from_secs(20), || async {
        worker.counts.dead_lettered() == 3 && relay.inbox_len().await == 0
    })
    .await;
    assert_eq!(relay.fake.message_count(), 0);

    let letters = list(&relay.streams, &account, None, 10).await.unwrap();
    assert_eq!(letters.len(), 3, "{letters:?}");
    assert!(
        letters[0].reason.contains("Property values were not valid"),
        "{}",
        letters[0].reason
    );
    assert_eq!(letters[0].entry.as_ref().unwrap().key, "SMDEAD1");
    assert!(letters[0].dead_at.is_some() && letters[0].entry_id.is_some());
    // The other two in either order: an unreadable entry is a dead letter as soon as it is
    // read, an ambiguous number once its lookup answers.
    assert!(
        letters[1..]
            .iter()
            .any(|letter| letter.reason.contains("several contacts")),
        "{letters:?}"
    );
    let unreadable = letters[1..]
        .iter()
        .find(|letter| letter.reason.contains("unreadable entry"))
        .unwrap_or_else(|| panic!("{letters:?}"));
    assert!(
        unreadable
            .entry
            .as_ref()
            .unwrap_err()
            .reason
            .contains("version \"9\"")
    );
    let figures = status(&relay.streams, [&account]).await.unwrap();
    assert_eq!(
        (
            figures[0].backlog,
            figures[0].pending,
            figures[0].dead_letters
        ),
        (0, 0, 3),
        "{figures:?}"
    );
    assert_eq!(
        known_accounts(&relay.streams).await.unwrap(),
        std::slice::from_ref(&account)
    );

    // HubSpot takes it now: the retry logs it, once.
    assert_eq!(
        retry(&relay.streams, &account, &[letters[0].id.clone()])
            .await
            .unwrap(),
        1
    );
    eventually(
        "the retried message is logged",
        Duration::from_secs(20),
        || async { relay.fake.message_count() == 1 && relay.inbox_len().await == 0 },
    )
    .await;
    assert_eq!(logged_once(&relay.fake)["SMDEAD1"].contacts.len(), 1);
    // Retried again (from a copy an operator kept, say): still once.
    assert_eq!(
        retry(&relay.streams, &account, &[letters[0].id.clone()])
            .await
            .unwrap(),
        0
    );

    // The rest go back and come back: the ambiguity and the junk are still there.
    assert_eq!(retry_all(&relay.streams, &account).await.unwrap(), 2);
    eventually("dead again", Duration::from_secs(20), || async {
        worker.counts.dead_lettered() == 5 && relay.inbox_len().await == 0
    })
    .await;
    worker.stop().await;
    assert_eq!(
        list(&relay.streams, &account, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(relay.fake.message_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    all(not(redis_server), not(relay_ci)),
    ignore = "needs redis-server (Debian: apt-get install redis-server)"
)]
async fn senders_from_ranges_newer_than_the_metadata_are_logged_and_an_impossible_number_is_a_dead_letter()
 {
    use hubspot_communications_mock::ObjectType;

    let relay = Relay::start(config(), false).await;
    // Kenya's `1…` and `+1 472`, ranges opened after the numbering metadata the build carries.
    let wanjiru =
        super::super::common::contact(&relay.fake, &[("mobilephone", "+254 181 520 498")]);
    let dana = super::super::common::contact(&relay.fake, &[("phone", "(472) 555-8166")]);
    let deliveries = [
        ("SM10", "whatsapp:+254181520498"),
        ("SM11", "+14725558166"),
        // Nigeria's 9100, which no contact holds: one is made.
        ("SM12", "+2349100424019"),
        // Too short for its country: Twilio's message is kept, as a dead letter saying why.
        ("SM13", "+254181520"),
    ];
    for (sid, from) in deliveries {
        assert_eq!(relay.twilio(sid, from, "Hello").await, 200, "{from}");
    }
    let worker = relay.worker(None);
    eventually("all settled", Duration::from_secs(20), || async {
        relay.inbox_len().await == 0
    })
    .await;
    worker.stop().await;
    let logged = logged_once(&relay.fake);
    assert_eq!(logged.len(), 3);
    assert_eq!(logged["SM10"].contacts, [wanjiru]);
    assert_eq!(logged["SM11"].contacts, [dana]);
    let made = relay
        .fake
        .record(ObjectType::Contact, &logged["SM12"].contacts[0])
        .unwrap();
    assert_eq!(made["phone"], "+2349100424019");
    let letters = list(&relay.streams, &AccountName::default(), None, 10)
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].entry.as_ref().unwrap().key, "SM13");
    assert!(
        letters[0].reason.contains("+254181520"),
        "{}",
        letters[0].reason
    );
}
