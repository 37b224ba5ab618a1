//! A local copy of every communication's latest state, kept from HubSpot's webhooks journal,
//! that survives being killed at any moment.
//!
//! ```sh
//! cargo run --example journal_mirror                        # on the embedded fake, no token
//! HUBSPOT_CLIENT_ID=… HUBSPOT_CLIENT_SECRET=… \
//!     cargo run --example journal_mirror -- ./mirror        # your app's journal, until Ctrl-C
//! ```
//!
//! For each entry of the journal, in order: (1) apply its events to the copy in memory, (2)
//! write the copy to `mirror.json` atomically (a temporary file, flushed, renamed over the old
//! one), (3) save the entry's offset in the checkpoint (`journal.offset`, atomically too).
//! Killed anywhere, the next run loads the last copy written and reads on after the offset
//! saved last: the entries after it are applied again, and since each event *sets* state (a
//! property's value, archived, an association there or not), applying them again, in order,
//! ends in the same copy. No entry is skipped: an offset the journal no longer holds (3 days
//! away) stops the mirror with `Error::JournalOffsetGone`, to be rebuilt from a snapshot.
//!
//! On the embedded fake, a writer makes messages (created, edited, archived, associated with a
//! contact) while the mirror is started and killed five times at random moments; then the
//! mirror catches up and is compared with the fake's store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use hubspot_communications::journal::{
    Checkpoint, FileCheckpoint, JournalAction, JournalEvent, JournalStart,
};
use hubspot_communications::{
    AppCredentials, Association, Channel, Client, Error, MessageUpdate, NewMessage, ObjectType,
};
use hubspot_communications_mock::{
    Config, JournalAction as Action, MockServer, ObjectSubscription, PropertyOwner, WebhooksJournal,
};
use serde::{Deserialize, Serialize};

/// One communication, as the journal told it.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Copy {
    properties: BTreeMap<String, Option<String>>,
    archived: bool,
    contacts: BTreeSet<u64>,
}

/// Every communication's latest state, by id.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Mirror {
    messages: BTreeMap<u64, Copy>,
}

impl Mirror {
    fn load(path: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(error) => Err(error.into()),
        }
    }

    /// Applies one event: each sets state, so applying it again changes nothing.
    fn apply(&mut self, event: &JournalEvent) {
        if event.object_type() != Some(ObjectType::Communication) {
            return;
        }
        let Some(id) = event.object_id else { return };
        let copy = self.messages.entry(id).or_default();
        match &event.action {
            JournalAction::Create | JournalAction::Update | JournalAction::Snapshot => {
                copy.properties.extend(event.properties.clone());
            }
            JournalAction::Delete => copy.archived = true,
            JournalAction::Restore => copy.archived = false,
            JournalAction::AssociationAdded | JournalAction::AssociationRemoved => {
                let contact = event
                    .association
                    .as_ref()
                    .filter(|a| a.object_type() == Some(ObjectType::Contact))
                    .and_then(|a| a.object_id);
                if let Some(contact) = contact {
                    if event.action == JournalAction::AssociationAdded {
                        copy.contacts.insert(contact);
                    } else {
                        copy.contacts.remove(&contact);
                    }
                }
            }
            _ => {}
        }
    }

    /// Writes the copy so that a crash leaves the old file or the new one, never a torn one.
    fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let temporary = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&serde_json::to_vec(self)?)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        if let Some(folder) = path.parent() {
            std::fs::File::open(folder)?.sync_all()?;
        }
        Ok(())
    }
}

/// Keeps the mirror in `folder` from the journal: until caught up, or for ever (saying so for
/// each entry when `report`).
async fn mirror(
    client: &Client,
    folder: &Path,
    for_ever: bool,
    report: bool,
) -> Result<usize, Box<dyn std::error::Error>> {
    let copy_path = folder.join("mirror.json");
    let checkpoint = FileCheckpoint::new(folder.join("journal.offset"));
    let mut mirror = Mirror::load(&copy_path)?;
    let start = checkpoint.start_or(JournalStart::Earliest).await?;
    let mut reader = client.journal().start(start);
    reader = if for_ever {
        reader.poll_interval(Duration::from_millis(500))
    } else {
        reader.until_caught_up()
    };
    let mut entries = reader.stream();
    let mut applied = 0;
    while let Some(entry) = entries.next().await {
        let entry = match entry {
            Err(Error::JournalOffsetGone { offset }) => {
                return Err(format!(
                    "the journal no longer holds {offset}: rebuild the mirror (a snapshot), then \
                     start a new checkpoint"
                )
                .into());
            }
            other => other?,
        };
        for event in &entry.events {
            mirror.apply(event);
        }
        mirror.save(&copy_path)?;
        checkpoint.save(&entry.offset).await?;
        applied += entry.events.len();
        if report {
            println!(
                "{}: {} events, {} communications mirrored",
                entry.offset,
                entry.events.len(),
                mirror.messages.len()
            );
        }
    }
    Ok(applied)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = (
        std::env::var("HUBSPOT_CLIENT_ID"),
        std::env::var("HUBSPOT_CLIENT_SECRET"),
    );
    if let (Ok(id), Ok(secret)) = credentials {
        let folder = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "mirror".into()));
        std::fs::create_dir_all(&folder)?;
        let base_url = std::env::var("HUBSPOT_BASE_URL")
            .unwrap_or_else(|_| hubspot_communications::DEFAULT_BASE_URL.to_owned());
        let client = Client::app(AppCredentials::new(id, secret))
            .base_url(base_url)
            .build()?;
        println!("Mirroring your app's journal into {}.", folder.display());
        mirror(&client, &folder, true, true).await?;
        return Ok(());
    }
    demo().await
}

/// The embedded fake: a writer's changes, the mirror killed five times meanwhile, then checked.
async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let every = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::AssociationAdded,
        Action::AssociationRemoved,
    ];
    let journal = WebhooksJournal::default()
        .max_events_per_entry(10)
        .subscribe(
            ObjectSubscription::new(PropertyOwner::Communication)
                .actions(every)
                .properties(["hs_communication_body", "hs_communication_channel_type"]),
        );
    let fake = MockServer::start_with(
        Config::default()
            .oauth_app("app", "secret")
            .webhooks_journal(journal),
    )
    .await?;
    println!(
        "No HUBSPOT_CLIENT_ID: the embedded fake HubSpot at {}, its journal on {}.",
        fake.base_url(),
        fake.journal_files_url()
    );
    let app = Client::app(AppCredentials::new("app", "secret"))
        .base_url(fake.base_url())
        .build()?;
    let writer = Client::builder("demo-token")
        .for_testing(fake.base_url())
        .build()?;
    let contact = fake.seed_contact("linda@example.com");
    let writing = tokio::spawn(write_changes(writer, contact));

    let folder = std::env::temp_dir().join(format!("journal-mirror-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    for round in 1..=5 {
        let (client, at) = (app.clone(), folder.clone());
        let running = tokio::spawn(async move {
            mirror(&client, &at, true, false)
                .await
                .map_err(|e| e.to_string())
        });
        tokio::time::sleep(Duration::from_millis(100 + fastrand::u64(0..300))).await;
        running.abort();
        println!("Killed the mirror ({round} of 5) while the writer writes.");
    }
    writing.await??;
    let applied = mirror(&app, &folder, false, false).await?;
    println!("Restarted: {applied} events applied from the checkpoint on, caught up.");

    let mirrored = Mirror::load(&folder.join("mirror.json"))?;
    let stored = fake.messages();
    assert_eq!(mirrored.messages.len(), stored.len());
    for (id, properties) in &stored {
        let copy = &mirrored.messages[&id.parse::<u64>()?];
        assert_eq!(
            copy.properties["hs_communication_body"].as_deref(),
            properties.get("hs_communication_body").map(String::as_str),
            "message {id}"
        );
    }
    let archived = mirrored.messages.values().filter(|m| m.archived).count();
    let associated = mirrored
        .messages
        .values()
        .filter(|m| !m.contacts.is_empty())
        .count();
    println!(
        "The mirror matches the fake: {} communications ({archived} archived, {associated} on \
         the contact), in {}.",
        mirrored.messages.len(),
        folder.display()
    );
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}

/// 120 messages: each created, every third edited, every fifth associated with the contact and
/// every tenth dissociated again, every seventh archived.
async fn write_changes(writer: Client, contact: String) -> Result<(), Error> {
    for i in 0..120 {
        let message = writer
            .create(&NewMessage::new(Channel::Sms, format!("message {i}")))
            .await?;
        if i % 3 == 0 {
            let edit = MessageUpdate::new().body(format!("message {i}, edited"));
            writer.update(&message.id, &edit).await?;
        }
        if i % 5 == 0 {
            writer
                .associate(&message.id, &Association::contact(&contact))
                .await?;
            if i % 10 == 0 {
                writer
                    .remove_association(&message.id, &Association::contact(&contact))
                    .await?;
            }
        }
        if i % 7 == 0 {
            writer.archive(&message.id).await?;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}
