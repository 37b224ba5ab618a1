//! Paging over many messages, big batches with bad items, search, and concurrent use.

use std::time::Duration;

use futures::TryStreamExt;
use hubspot_communications::search::{Filter, Search, Sort};
use hubspot_communications::{BatchReadOptions, Channel, MessageUpdate, NewMessage, ReadOptions};
use hubspot_communications::{UpdateInput, UpsertInput};
use hubspot_communications_tests::{roomy, start, with_unique_key};

#[tokio::test]
async fn lists_a_thousand_messages_across_pages() {
    let (server, client) = start(roomy()).await;
    let seeded = server.seed_messages(1_000);
    let listed: Vec<String> = client
        .list(ReadOptions::new())
        .map_ok(|m| m.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, seeded, "every message once, in order");
    assert_eq!(server.stats().requests, 10, "100 per page");
}

#[tokio::test]
async fn a_batch_of_250_with_bad_items_loses_nothing() {
    let (server, client) = start(roomy()).await;
    let messages: Vec<NewMessage> = (0..250)
        .map(|i| {
            let channel = if i % 50 == 7 {
                Channel::from("FAX")
            } else {
                Channel::Sms
            };
            NewMessage::new(channel, format!("message {i}"))
        })
        .collect();
    let outcome = client.create_batch(&messages).await;
    assert_eq!(outcome.failed_inputs(), [7, 57, 107, 157, 207]);
    assert_eq!(outcome.succeeded.len(), 245);
    for success in &outcome.succeeded {
        let index = success.input.unwrap();
        assert_eq!(
            success.value.body.as_deref(),
            Some(format!("message {index}").as_str())
        );
    }
    assert_eq!(server.message_count(), 245);

    let ids: Vec<String> = outcome
        .succeeded
        .iter()
        .map(|s| s.value.id.clone())
        .collect();
    let updates = ids
        .iter()
        .map(|id| UpdateInput::new(id.clone(), MessageUpdate::new().body("updated")))
        .collect::<Vec<_>>();
    assert!(client.update_batch(&updates).await.is_success());
    let read = client
        .read_batch(
            &ids,
            &BatchReadOptions::new().properties(["hs_communication_body"]),
        )
        .await;
    assert!(
        read.succeeded
            .iter()
            .all(|s| s.value.body.as_deref() == Some("updated"))
    );
    assert!(client.archive_batch(&ids).await.is_success());
    assert_eq!(
        client
            .list(ReadOptions::new())
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn upsert_by_a_unique_property_is_idempotent() {
    let (server, client) = start(with_unique_key(roomy(), "external_id")).await;
    let messages: Vec<UpsertInput> = (0..150)
        .map(|i| {
            UpsertInput::new(
                format!("ext-{i}"),
                NewMessage::new(Channel::Sms, format!("m{i}")),
            )
        })
        .collect();
    let first = client.upsert_batch("external_id", &messages).await;
    let again = client.upsert_batch("external_id", &messages).await;
    assert!(first.is_success() && again.is_success());
    assert_eq!(
        server.message_count(),
        150,
        "the second upsert updated, it did not duplicate"
    );
    assert!(again.succeeded.iter().all(|s| s.input.is_some()));
}

#[tokio::test]
async fn search_filters_sorts_and_pages() {
    // Instant search: this searches the messages it has just created.
    let (_server, client) = start(roomy().search_lag(Duration::ZERO)).await;
    let messages: Vec<NewMessage> = (0..30)
        .map(|i| {
            let channel = if i % 3 == 0 {
                Channel::LinkedIn
            } else {
                Channel::Sms
            };
            NewMessage::new(channel, format!("contract number {i}"))
        })
        .collect();
    assert!(client.create_batch(&messages).await.is_success());
    let search = Search::new()
        .filter(Filter::eq(
            "hs_communication_channel_type",
            "LINKEDIN_MESSAGE",
        ))
        .sort(Sort::descending("hs_object_id"))
        .page_size(3)
        .properties(["hs_communication_body"]);
    let found: Vec<_> = client.search(search).try_collect().await.unwrap();
    assert_eq!(found.len(), 10);
    assert!(
        found
            .windows(2)
            .all(|w| w[0].id.parse::<u64>().unwrap() > w[1].id.parse::<u64>().unwrap())
    );
    let all: Vec<_> = client
        .search_past_cap(
            Search::new()
                .filter(Filter::contains_token("hs_communication_body", "contract"))
                .page_size(7),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 30);
}

#[tokio::test]
async fn fifty_tasks_create_and_read_concurrently() {
    let (server, client) = start(roomy()).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let created = client
                    .create(&NewMessage::new(Channel::Sms, format!("task {i}")))
                    .await
                    .unwrap();
                let read = client.get(&created.id).await.unwrap();
                assert_eq!(read.body, Some(format!("task {i}")));
                created.id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    assert_eq!(server.message_count(), 50);
}
