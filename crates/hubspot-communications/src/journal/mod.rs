//! HubSpot's webhooks journal: every change your app subscribed to, read in order, however long
//! the reader was away (up to HubSpot's 3 days).
//!
//! HubSpot keeps the changes of the objects an app subscribed to (messages, contacts, …) in a
//! journal of entries, each addressed by an offset and held for 3 days; an entry is a JSON file
//! behind a pre-signed URL that expires. Nothing needs a public endpoint or a signature: the
//! app reads the journal with its own token ([`Client::app`](crate::Client::app), HubSpot's
//! client-credentials grant) and keeps its position.
//!
//! - [`Client::journal`](crate::Client::journal) reads it as a `Stream` of [`JournalEntry`]s
//!   from a [`JournalStart`] (the earliest entry, what comes after the latest, or after an
//!   offset), the global journal of every account the app is installed in or one account's
//!   ([`JournalReader::account`]). Entry files are downloaded without the `Authorization`
//!   header (the token never goes to the files' host), an expired URL is asked for again, and
//!   an offset HubSpot no longer has ends the stream with
//!   [`Error::JournalOffsetGone`](crate::Error::JournalOffsetGone), never with a silent skip.
//! - A [`Checkpoint`] keeps the caller's position: [`FileCheckpoint`] (a file replaced
//!   atomically), [`RedisCheckpoint`] (the `redis` feature), or a store of yours. Save an
//!   entry's offset once it is handled: after a crash the reader goes on after the last saved
//!   one, so at most the entries handled since are read again, each with its own offset.
//! - Subscriptions decide what is journaled ([`ObjectSubscription`]:
//!   [`Client::subscribe_journal`](crate::Client::subscribe_journal)), narrowed by filters
//!   ([`SubscriptionFilter`]); snapshots put objects' current state in the journal
//!   ([`Client::snapshot_objects`](crate::Client::snapshot_objects)).
//!
//! ```no_run
//! use futures::StreamExt;
//! use hubspot_communications::journal::{Checkpoint, FileCheckpoint, JournalStart};
//! use hubspot_communications::{AppCredentials, Client};
//!
//! # async fn run() -> Result<(), hubspot_communications::Error> {
//! let client = Client::app(AppCredentials::new("client-id", "client-secret")).build()?;
//! let checkpoint = FileCheckpoint::new("journal.offset");
//! let start = checkpoint.start_or(JournalStart::Earliest).await?;
//! let mut entries = client.journal().start(start).stream();
//! while let Some(entry) = entries.next().await {
//!     let entry = entry?;
//!     for event in &entry.events {
//!         println!("{} {:?} {:?}", entry.offset, event.action, event.object_id);
//!     }
//!     checkpoint.save(&entry.offset).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! What an entry file holds is not in HubSpot's spec: [`JournalEvent`] reads the fields HubSpot's
//! webhook events and journal subscriptions name, each optional, and keeps every field as sent
//! ([`JournalEvent::raw`]); an entry file is a JSON array of events (an object with an `events`
//! array is read too).

mod checkpoint;
mod entry;
mod event;
mod reader;
#[cfg(feature = "redis")]
mod redis;
mod subscription;

pub use checkpoint::{Checkpoint, FileCheckpoint};
pub use entry::{JournalEntry, JournalOffset, JournalStart};
pub use event::{JournalAction, JournalAssociation, JournalEvent};
pub use reader::{DEFAULT_BATCH_SIZE, DEFAULT_POLL_INTERVAL, JournalReader, JournalStream};
#[cfg(feature = "redis")]
pub use redis::RedisCheckpoint;
pub use subscription::{
    ConditionOperator, FilterCondition, JournalSubscription, ObjectSubscription, SnapshotRequest,
    SnapshotStarted, SnapshotState, SnapshotStatus, StoredFilter, SubscriptionFilter,
};

pub(crate) use entry::parse_entry_file;
