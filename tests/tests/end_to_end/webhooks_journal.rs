//! HubSpot's webhooks journal, end to end: an app's own token (the client-credentials grant),
//! every change read once and in order, entry files downloaded without the token from the
//! fake's file host, expired URLs asked for again, an offset past the retention refused with
//! the typed error, subscriptions and filters deciding what is journaled, snapshots, and the
//! two checkpoints.

use std::time::Duration;

use futures::StreamExt;
use hubspot_communications::journal::{
    Checkpoint, FileCheckpoint, FilterCondition, JournalAction, JournalEntry, JournalOffset,
    JournalStart, ObjectSubscription, SnapshotRequest, SnapshotState, SubscriptionFilter,
};
use hubspot_communications::{
    AppCredentials, Association, Channel, Client, Error, MessageUpdate, NewMessage, ObjectType,
    Operation,
};
use hubspot_communications_mock::{
    Config, JournalAction as FakeAction, MockServer, ObjectSubscription as FakeSubscription,
    PropertyOwner, WebhooksJournal,
};
use hubspot_communications_tests::contract::CheckedServer;
use hubspot_communications_tests::{fast_retries, roomy, start};

const APP: &str = "journal-app-1d2e";
const SECRET: &str = "cs-9e8f-journal-client-secret";
const TOKEN: &str = "pat-na1-journal-writer";

/// Messages and contacts, every action, their usual properties watched.
fn everything() -> WebhooksJournal {
    let all = [
        FakeAction::Create,
        FakeAction::Update,
        FakeAction::Delete,
        FakeAction::AssociationAdded,
        FakeAction::AssociationRemoved,
    ];
    WebhooksJournal::default()
        .max_events_per_entry(3)
        .subscribe(
            FakeSubscription::new(PropertyOwner::Communication)
                .actions(all)
                .properties(["hs_communication_body", "hs_communication_channel_type"]),
        )
        .subscribe(
            FakeSubscription::new(PropertyOwner::Record(
                hubspot_communications_mock::ObjectType::Contact,
            ))
            .actions(all)
            .properties(["email"]),
        )
}

/// A fake that knows the app and takes only its app tokens and the writer's token; a client
/// that writes with the private-app token.
async fn fake(journal: WebhooksJournal) -> (CheckedServer, Client) {
    let config: Config = roomy()
        .token(TOKEN)
        .oauth_app(APP, SECRET)
        .webhooks_journal(journal);
    let (server, _) = start(config).await;
    let writer = Client::builder(TOKEN)
        .for_testing(server.base_url())
        .build()
        .unwrap();
    (server, writer)
}

/// The app's client of `server`.
fn app(server: &MockServer) -> Client {
    Client::app(AppCredentials::new(APP, SECRET))
        .base_url(server.base_url())
        .retry(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Creates, changes, archives and associates messages and contacts through the API: a contact
/// created, two messages created, a message's body changed, an association added (seen from
/// both sides) and removed (both sides), a message archived.
async fn make_changes(writer: &Client) {
    let contact = writer
        .create_record(
            ObjectType::Contact,
            [("email".to_owned(), "ana@example.com".to_owned())].into(),
        )
        .await
        .unwrap();
    let first = writer
        .create(&NewMessage::new(Channel::Sms, "one"))
        .await
        .unwrap();
    let second = writer
        .create(&NewMessage::new(Channel::WhatsApp, "two"))
        .await
        .unwrap();
    writer
        .update(&first.id, &MessageUpdate::new().body("one, edited"))
        .await
        .unwrap();
    writer
        .associate(&second.id, &Association::contact(&contact.id))
        .await
        .unwrap();
    writer
        .remove_association(&second.id, &Association::contact(&contact.id))
        .await
        .unwrap();
    writer.archive(&first.id).await.unwrap();
}

/// Every entry until caught up.
async fn read_all(client: &Client, start: JournalStart) -> Result<Vec<JournalEntry>, Error> {
    let mut stream = client.journal().start(start).until_caught_up().stream();
    let mut entries = Vec::new();
    while let Some(entry) = stream.next().await {
        entries.push(entry?);
    }
    Ok(entries)
}

fn raw_events(entries: &[JournalEntry]) -> Vec<serde_json::Value> {
    entries
        .iter()
        .flat_map(|entry| {
            entry
                .events
                .iter()
                .map(|e| serde_json::Value::Object(e.raw.clone()))
        })
        .collect()
}

#[tokio::test]
async fn every_change_is_read_once_and_in_order_with_an_app_token() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    let entries = read_all(&client, JournalStart::Earliest).await.unwrap();
    let journaled = server.journal_events();
    assert_eq!(raw_events(&entries), journaled);
    let actions: Vec<String> = entries
        .iter()
        .flat_map(|e| &e.events)
        .map(|e| {
            format!(
                "{}:{}",
                e.object_type_id.as_deref().unwrap_or("?"),
                e.action
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "0-1:CREATE",
            "0-18:CREATE",
            "0-18:CREATE",
            "0-18:UPDATE",
            "0-18:ASSOCIATION_ADDED",
            "0-1:ASSOCIATION_ADDED",
            "0-18:ASSOCIATION_REMOVED",
            "0-1:ASSOCIATION_REMOVED",
            "0-18:DELETE",
        ],
        "{journaled:#?}"
    );
    // At most 3 events an entry: several entries, offsets all different.
    assert!(entries.len() >= 3);
    let mut offsets: Vec<&JournalOffset> = entries.iter().map(|e| &e.offset).collect();
    offsets.dedup();
    assert_eq!(offsets.len(), entries.len());
    let update = entries.iter().flat_map(|e| &e.events).nth(3).unwrap();
    assert_eq!(
        update.properties["hs_communication_body"].as_deref(),
        Some("one, edited")
    );
    let added = entries.iter().flat_map(|e| &e.events).nth(4).unwrap();
    let association = added.association.as_ref().unwrap();
    assert_eq!(association.object_type(), Some(ObjectType::Contact));
    assert_eq!(association.association_type_id, Some(81));
    // Nothing new: read again after the last offset, nothing comes.
    let last = entries.last().unwrap().offset.clone();
    assert!(
        read_all(&client, JournalStart::After(last))
            .await
            .unwrap()
            .is_empty()
    );
    // From the latest (the newest entry when the stream is first polled): only what comes next.
    let mut latest = client
        .journal()
        .start(JournalStart::Latest)
        .poll_interval(Duration::from_millis(10))
        .stream();
    let waiting = tokio::spawn(async move { latest.next().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    writer
        .create(&NewMessage::new(Channel::Sms, "three"))
        .await
        .unwrap();
    let next = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(next.events.len(), 1);
    assert_eq!(next.events[0].action, JournalAction::Create);
    assert!(server.violations().is_empty(), "{:?}", server.violations());
}

#[tokio::test]
async fn the_token_never_reaches_the_download_host() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    let entries = read_all(&client, JournalStart::Earliest).await.unwrap();
    assert!(!entries.is_empty());
    let downloads = server.journal_downloads();
    assert_eq!(downloads.len(), entries.len());
    for download in &downloads {
        assert_eq!(download.status, 200, "{download:?}");
        assert!(download.header("authorization").is_none(), "{download:?}");
        assert!(
            !download.headers.iter().any(|(_, v)| v.contains("app-")),
            "a token in {download:?}"
        );
    }
    // Another host: the file host is another port of the fake.
    assert_ne!(server.journal_files_url(), server.base_url());
    // The app's own token reached the API (the fake takes no other token but the writer's).
    assert!(format!("{client:?}").contains("<redacted>"));
}

#[tokio::test]
async fn an_expired_url_is_asked_for_again() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    let mut stream = client
        .journal()
        .batch_size(100)
        .concurrent_downloads(1)
        .until_caught_up()
        .stream();
    let first = stream.next().await.unwrap().unwrap();
    // The rest of the batch's URLs were given with the first: they expire before use.
    server.expire_journal_urls();
    let mut entries = vec![first];
    while let Some(entry) = stream.next().await {
        entries.push(entry.unwrap());
    }
    assert_eq!(raw_events(&entries), server.journal_events());
    // Each later entry: its old URL refused once, its new one answered.
    let downloads = server.journal_downloads();
    let statuses: Vec<u16> = downloads.iter().map(|d| d.status).collect();
    let mut expected = vec![200];
    for _ in 1..entries.len() {
        expected.extend([403, 200]);
    }
    assert_eq!(statuses, expected, "{downloads:?}");
}

#[tokio::test]
async fn starting_after_an_offset_past_the_retention_fails_with_the_typed_error() {
    let (server, writer) = fake(everything().retention(Duration::from_millis(300))).await;
    make_changes(&writer).await;
    let client = app(&server);
    let entries = read_all(&client, JournalStart::Earliest).await.unwrap();
    let old = entries[0].offset.clone();
    tokio::time::sleep(Duration::from_millis(400)).await;
    writer
        .create(&NewMessage::new(Channel::Sms, "later"))
        .await
        .unwrap();
    let mut stream = client
        .journal()
        .start(JournalStart::After(old.clone()))
        .until_caught_up()
        .stream();
    match stream.next().await {
        Some(Err(Error::JournalOffsetGone { offset })) => assert_eq!(offset, old),
        other => panic!("{other:?}"),
    }
    assert!(stream.next().await.is_none(), "nothing after the error");
    // An offset the journal never held is refused alike.
    let unknown = JournalOffset::new("00000000-0000-4000-8000-000000000000");
    let error = read_all(&client, JournalStart::After(unknown))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::JournalOffsetGone { .. }), "{error}");
}

#[tokio::test]
async fn subscriptions_and_filters_decide_what_is_journaled() {
    let (server, writer) = fake(WebhooksJournal::default()).await;
    let client = app(&server);
    assert!(client.journal_subscriptions().await.unwrap().is_empty());
    let subscription = client
        .subscribe_journal(
            &ObjectSubscription::new(62515, ObjectType::Communication)
                .action(JournalAction::Create)
                .properties(["hs_communication_channel_type"]),
        )
        .await
        .unwrap();
    assert_eq!(subscription.object_type(), Some(ObjectType::Communication));
    assert_eq!(subscription.actions, [JournalAction::Create]);
    let filter = client
        .add_subscription_filter(
            subscription.id,
            &SubscriptionFilter::new()
                .condition(FilterCondition::eq("hs_communication_channel_type", "SMS")),
        )
        .await
        .unwrap();
    let filters = client.subscription_filters(subscription.id).await.unwrap();
    assert_eq!(filters.len(), 1);
    assert_eq!(filters[0].id, filter);
    for (channel, body) in [(Channel::Sms, "in"), (Channel::WhatsApp, "out")] {
        writer
            .create(&NewMessage::new(channel, body))
            .await
            .unwrap();
    }
    let entries = read_all(&client, JournalStart::Earliest).await.unwrap();
    let events: Vec<_> = entries.iter().flat_map(|e| &e.events).collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0].properties["hs_communication_channel_type"].as_deref(),
        Some("SMS")
    );
    assert_eq!(events[0].subscription_id, Some(subscription.id));
    // Without the filter, both; without the subscription, none.
    client.delete_subscription_filter(filter).await.unwrap();
    writer
        .create(&NewMessage::new(Channel::WhatsApp, "now in"))
        .await
        .unwrap();
    client
        .delete_journal_subscription(subscription.id)
        .await
        .unwrap();
    writer
        .create(&NewMessage::new(Channel::Sms, "never"))
        .await
        .unwrap();
    let after = entries.last().unwrap().offset.clone();
    let later = read_all(&client, JournalStart::After(after)).await.unwrap();
    let events: Vec<_> = later.iter().flat_map(|e| &e.events).collect();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert!(server.violations().is_empty(), "{:?}", server.violations());
}

#[tokio::test]
async fn a_snapshot_puts_an_objects_state_in_the_journal() {
    let (server, writer) = fake(WebhooksJournal::default()).await;
    let message = writer
        .create(&NewMessage::new(Channel::Sms, "as it is"))
        .await
        .unwrap();
    let client = app(&server);
    let started = client
        .snapshot_objects(&[SnapshotRequest::new(
            62515,
            ObjectType::Communication,
            message.id.parse().unwrap(),
        )
        .properties(["hs_communication_body"])])
        .await
        .unwrap();
    assert_eq!(started.len(), 1);
    let status = client.snapshot_status(&started[0].status_id).await.unwrap();
    assert_eq!(status.state, SnapshotState::Done);
    let entries = read_all(&client, JournalStart::Earliest).await.unwrap();
    let event = &entries[0].events[0];
    assert_eq!(event.action, JournalAction::Snapshot);
    assert_eq!(
        event.properties["hs_communication_body"].as_deref(),
        Some("as it is")
    );
    assert!(server.violations().is_empty(), "{:?}", server.violations());
}

#[tokio::test]
async fn one_accounts_journal_and_another_account_sees_nothing() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    let local = |account| {
        let client = client.clone();
        async move {
            let mut stream = client.journal().account(account).until_caught_up().stream();
            let mut entries = Vec::new();
            while let Some(entry) = stream.next().await {
                entries.push(entry.unwrap());
            }
            entries
        }
    };
    assert_eq!(raw_events(&local(62515).await), server.journal_events());
    assert!(local(7).await.is_empty());
}

#[tokio::test]
async fn the_app_token_is_asked_for_again_when_it_expires() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    assert!(client.journal_subscriptions().await.is_ok());
    server.expire_access_tokens();
    // HubSpot's 401 EXPIRED_AUTHENTICATION: a new token, and the call goes through.
    assert_eq!(client.journal_subscriptions().await.unwrap().len(), 2);
    // A wrong secret is refused for good, as a refresh is.
    let wrong = Client::app(AppCredentials::new(APP, "wrong"))
        .base_url(server.base_url())
        .retry(fast_retries())
        .build()
        .unwrap();
    let error = wrong.journal_subscriptions().await.unwrap_err();
    assert!(
        matches!(&error, Error::RefreshRefused(api) if api.operation == Operation::CreateAppToken),
        "{error}"
    );
    assert!(!format!("{error} {error:?} {wrong:?}").contains(SECRET));
}

#[tokio::test]
async fn a_file_checkpoint_keeps_the_position_across_readers() {
    let (server, writer) = fake(everything()).await;
    make_changes(&writer).await;
    let client = app(&server);
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = FileCheckpoint::new(dir.path().join("journal.offset"));
    assert_eq!(checkpoint.load().await.unwrap(), None);
    // Read two entries, saving each; a second reader goes on after them.
    let start = checkpoint.start_or(JournalStart::Earliest).await.unwrap();
    let mut stream = client.journal().start(start).until_caught_up().stream();
    let mut read = Vec::new();
    for _ in 0..2 {
        let entry = stream.next().await.unwrap().unwrap();
        checkpoint.save(&entry.offset).await.unwrap();
        read.push(entry);
    }
    drop(stream);
    let start = checkpoint.start_or(JournalStart::Earliest).await.unwrap();
    assert_eq!(start, JournalStart::After(read[1].offset.clone()));
    read.extend(read_all(&client, start).await.unwrap());
    assert_eq!(raw_events(&read), server.journal_events());
    // Only the checkpoint is left in the folder; a torn file is refused, not read as empty.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    std::fs::write(dir.path().join("journal.offset"), "{\"off").unwrap();
    assert!(matches!(
        checkpoint.load().await,
        Err(Error::CheckpointUnavailable(_))
    ));
}

#[cfg(feature = "redis")]
#[tokio::test]
#[cfg_attr(
    not(redis_server),
    ignore = "needs redis-server: apt-get install redis-server"
)]
async fn a_redis_checkpoint_keeps_the_position() {
    use hubspot_communications::journal::RedisCheckpoint;
    use hubspot_communications_tests::redis_server::RedisServer;

    let redis = RedisServer::start();
    let checkpoint = RedisCheckpoint::new(&redis.url(), "hubspot:journal:offset").unwrap();
    assert_eq!(checkpoint.load().await.unwrap(), None);
    for offset in ["a", "b"] {
        checkpoint.save(&JournalOffset::new(offset)).await.unwrap();
    }
    let again = RedisCheckpoint::new(&redis.url(), "hubspot:journal:offset").unwrap();
    assert_eq!(
        again.start_or(JournalStart::Earliest).await.unwrap(),
        JournalStart::After(JournalOffset::new("b"))
    );
    let nowhere = RedisCheckpoint::new(&hubspot_communications_tests::redis_server::nowhere(), "k")
        .unwrap()
        .timeout(Duration::from_millis(200));
    assert!(matches!(
        nowhere.load().await,
        Err(Error::CheckpointUnavailable(_))
    ));
}
