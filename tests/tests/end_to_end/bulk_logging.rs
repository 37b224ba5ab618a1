//! Bulk logging through faults: every input accounted for, nothing duplicated, and the keyed
//! path reaching exactly once.

use std::collections::BTreeMap;

use futures::{StreamExt, stream};
use hubspot_communications::UpsertInput;
use hubspot_communications::{Channel, LogOutcome, NewMessage};
use hubspot_communications_mock::{FaultKind, Faults};
use hubspot_communications_tests::{roomy, start, with_unique_key};

fn faults() -> Faults {
    Faults::seeded(11)
        .with(FaultKind::RateLimited, 0.10)
        .with(FaultKind::Unavailable, 0.05)
        .with(FaultKind::DropBeforeStore, 0.05)
        .with(FaultKind::DropAfterStore, 0.05)
}

fn bodies(server: &hubspot_communications_mock::MockServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, properties) in server.messages() {
        *counts
            .entry(properties["hs_communication_body"].clone())
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn every_input_comes_back_with_its_fate() {
    let (server, client) = start(roomy().faults(faults())).await;
    let inputs = stream::iter(0..3_000).map(|i| NewMessage::new(Channel::Sms, format!("bulk {i}")));
    let logged: Vec<_> = client.log_all(inputs).collect().await;

    assert_eq!(logged.len(), 3_000, "one outcome per input");
    let mut indexes: Vec<u64> = logged.iter().map(|l| l.index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..3_000).collect::<Vec<_>>());
    let stored = bodies(&server);
    assert!(stored.values().all(|n| *n == 1), "nothing duplicated");
    let mut unknown = 0;
    for item in &logged {
        let body = format!("bulk {}", item.index);
        match &item.outcome {
            LogOutcome::Logged(message) => assert_eq!(message.body.as_ref(), Some(&body)),
            LogOutcome::Unknown(_) => unknown += 1,
            LogOutcome::Failed(error) => panic!("{body}: {error:?}"),
        }
        if !matches!(item.outcome, LogOutcome::Unknown(_)) {
            assert_eq!(stored.get(&body), Some(&1), "{body} logged and stored once");
        }
    }
    assert!(
        unknown > 0,
        "the dropped connections were reported, not hidden"
    );
}

#[tokio::test]
async fn keyed_logging_is_exactly_once_through_the_same_faults() {
    let config = with_unique_key(roomy(), "external_message_id").faults(faults());
    let (server, client) = start(config).await;
    let inputs = stream::iter(0..3_000).map(|i| {
        UpsertInput::new(
            format!("key-{i}"),
            NewMessage::new(Channel::Sms, format!("bulk {i}")),
        )
    });
    let logged: Vec<_> = client
        .log_all_keyed("external_message_id", inputs)
        .collect()
        .await;

    assert_eq!(logged.len(), 3_000);
    assert!(
        logged
            .iter()
            .all(|l| matches!(l.outcome, LogOutcome::Logged(_))),
        "no unknowns"
    );
    let stored = bodies(&server);
    assert_eq!(stored.len(), 3_000);
    assert!(stored.values().all(|n| *n == 1), "exactly once");
}
