//! Keyed logging keeps its messages' associations (HubSpot's upsert takes none: they are created
//! in association batches once the messages are stored), and `associate_batch` accounts for
//! every pair.

use futures::{StreamExt, stream};
use hubspot_communications::{Association, BatchError, Channel, LogOutcome, NewMessage, Record};
use hubspot_communications::{AssociationInput, UpsertInput};
use hubspot_communications_mock::ObjectType;
use hubspot_communications_tests::{roomy, start, with_unique_key};

const KEY: &str = "external_message_id";

#[tokio::test]
async fn keyed_messages_land_on_their_contacts_once_even_when_logged_again() {
    let (server, client) = start(with_unique_key(roomy(), KEY)).await;
    let contacts: Vec<String> = (0..7)
        .map(|i| server.seed_contact(&format!("c{i}@example.com")))
        .collect();
    let inputs = |count: usize| {
        let contacts = contacts.clone();
        stream::iter(0..count).map(move |i| {
            let message = NewMessage::new(Channel::Sms, format!("m{i}"))
                .associate(Association::contact(&contacts[i % contacts.len()]));
            UpsertInput::new(format!("key-{i}"), message)
        })
    };

    for round in 0..2 {
        let logged: Vec<_> = client.log_all_keyed(KEY, inputs(1_250)).collect().await;
        assert_eq!(logged.len(), 1_250, "round {round}");
        for item in &logged {
            let LogOutcome::Logged(message) = &item.outcome else {
                panic!("round {round}: {:?}", item.outcome);
            };
            let expected = &contacts[item.index as usize % contacts.len()];
            assert_eq!(
                server.associated_records(&message.id, ObjectType::Contact),
                vec![expected.clone()],
                "round {round}: message {} on its contact",
                item.index
            );
        }
    }
    assert_eq!(server.message_count(), 1_250, "the second round updated");
}

#[tokio::test]
async fn a_refused_association_fails_its_message_alone() {
    let (server, client) = start(with_unique_key(roomy(), KEY)).await;
    let contact = server.seed_contact("linda@example.com");
    let inputs = vec![
        UpsertInput::new(
            "good",
            NewMessage::new(Channel::Sms, "good").associate(Association::contact(&contact)),
        ),
        UpsertInput::new(
            "no-such-contact",
            NewMessage::new(Channel::Sms, "bad").associate(Association::contact("999999")),
        ),
        UpsertInput::new("none", NewMessage::new(Channel::Sms, "alone")),
    ];
    let mut logged: Vec<_> = client
        .log_all_keyed(KEY, stream::iter(inputs))
        .collect()
        .await;
    logged.sort_by_key(|l| l.index);

    assert!(matches!(logged[0].outcome, LogOutcome::Logged(_)));
    assert!(
        matches!(&logged[1].outcome, LogOutcome::Failed(BatchError::Item { message, .. }) if !message.is_empty()),
        "{:?}",
        logged[1].outcome
    );
    assert!(matches!(logged[2].outcome, LogOutcome::Logged(_)));
    // Stored all the same: logging it again with its key will not duplicate it.
    assert_eq!(server.message_count(), 3);
}

#[tokio::test]
async fn associate_batch_accounts_for_every_pair_across_object_types() {
    let (server, client) = start(roomy()).await;
    let contact = server.seed_contact("linda@example.com");
    let company = server.seed_company("Example Corp");
    let messages = server.seed_messages(1_500);
    let mut pairs: Vec<AssociationInput> = messages
        .iter()
        .map(|id| AssociationInput::new(id.clone(), Association::contact(&contact)))
        .collect();
    pairs.push(AssociationInput::new(
        messages[0].clone(),
        Association::company(&company),
    ));
    pairs.push(AssociationInput::new(
        messages[1].clone(),
        Association::contact("999999"),
    ));
    pairs.push(AssociationInput::new(
        messages[2].clone(),
        Association::new(Record::company(&company), []),
    ));

    let before = server.stats().requests;
    let outcome = client.associate_batch(&pairs).await;
    // 1,501 contact pairs in two requests of at most 1,000, one for the company; the pair
    // without a type is refused before sending.
    assert_eq!(server.stats().requests - before, 3);

    let mut succeeded: Vec<usize> = outcome.succeeded.iter().filter_map(|s| s.input).collect();
    succeeded.sort_unstable();
    let expected: Vec<usize> = (0..1_501).collect();
    assert_eq!(succeeded, expected, "every good pair matched to its input");
    assert_eq!(outcome.failed_inputs(), vec![1_501, 1_502]);
    assert!(outcome.unknown_inputs().is_empty());
    assert_eq!(
        server.associated_records(&messages[0], ObjectType::Company),
        vec![company.clone()]
    );
    assert_eq!(
        server.associated_records(&messages[1_499], ObjectType::Contact),
        vec![contact]
    );
}

/// A finite stream logged with a long association linger: its upserts go 100 a request as
/// the limit lets them, and all of its associations in one request once the stream ends (not
/// a linger later).
#[tokio::test]
async fn a_long_association_linger_sends_a_finite_streams_associations_at_its_end() {
    let association_batches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&association_batches);
    // Every answer takes 300 ms: upserts, two at a time, finish further apart than the
    // default linger of 250 ms.
    let slow = hubspot_communications_mock::Faults::seeded(1)
        .with(hubspot_communications_mock::FaultKind::Slow, 1.0)
        .slow_delay(std::time::Duration::from_millis(300));
    let config = with_unique_key(roomy(), KEY)
        .faults(slow)
        .observe(move |exchange| {
            if exchange.path.contains("/associations/") && exchange.path.ends_with("/batch/create")
            {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
    let server = hubspot_communications_mock::MockServer::start_with(config)
        .await
        .unwrap();
    let contact = server.seed_contact("c@example.com");
    let client = hubspot_communications::Client::builder("test-token")
        .base_url(server.base_url())
        .association_linger(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let inputs = stream::iter(0..500).map(move |i| {
        let message = NewMessage::new(Channel::Sms, format!("m{i}"))
            .associate(Association::contact(&contact));
        UpsertInput::new(format!("key-{i}"), message)
    });
    let started = std::time::Instant::now();
    let logged: Vec<_> = client.log_all_keyed(KEY, inputs).collect().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the end of the stream, not the linger, sent them"
    );
    assert!(
        logged
            .iter()
            .all(|item| matches!(item.outcome, LogOutcome::Logged(_)))
    );
    assert_eq!(server.message_count(), 500);
    assert_eq!(
        association_batches.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "500 pairs in one request"
    );
}
