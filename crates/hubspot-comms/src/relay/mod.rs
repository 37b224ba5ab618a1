//! The relay: messages from messaging providers to HubSpot, nothing lost and nothing doubled,
//! through Redis Streams. A pipeline of small pieces, each usable alone in a service of your
//! own (an axum `Router`, a worker you run, functions over Redis):
//!
//! ```text
//! provider ─▶ receive (signature checked) ─▶ inbox (a Redis Stream per account, appended once
//!   per message key) ─▶ 2xx to the provider ─▶ work (a consumer group: batches, contacts,
//!   upserts by key, associations) ─▶ acknowledged when HubSpot's answer is final
//!                                      └──▶ dead letters (refused for good, or unreadable)
//! ```
//!
//! - [`Entry`](entry::Entry): what is stored of a received message (flat string fields with a
//!   version), read back defensively: an entry that cannot be read is a dead letter with its
//!   reason, never dropped.
//! - [`Inbox`](inbox::Inbox): appends an entry to its account's stream, once per message key
//!   (one Lua script: the key's dedupe marker and the `XADD` together, or neither).
//! - [`receive`]: an axum `Router` with Twilio's "a message comes in" webhook
//!   (`/twilio/messages`, `X-Twilio-Signature` checked) and a signed JSON endpoint (`/messages`,
//!   the rows `hubspot-comms import` reads, `X-Relay-Signature`): each request is answered 2xx
//!   only once Redis has acknowledged its entries.
//! - [`work`]: the [`Worker`](work::Worker), any number of them on any number of machines: reads
//!   the streams as one consumer group, takes the contacts from the account's contact
//!   directory (in Redis, shared by the workers) and finds or creates the others many numbers
//!   per search, logs the messages exactly once by key (upserts of 100, then association
//!   requests of 1,000, gathered across what it holds), and acknowledges an entry only when
//!   HubSpot's answer is final; entries a crashed worker held are claimed by the others after a
//!   timeout.
//! - [`dead_letters`]: the messages HubSpot refused for good (or that could not be read), with
//!   their reasons, and retrying them; [`status`]: backlog, pending and dead letters per account.
//! - [`accounts`]: which HubSpot account a message goes to, and the client a worker logs it
//!   with; [`routing`]: the routing file of a relay for several accounts.
//!
//! # The Redis layout
//!
//! One stream per account, under a key prefix (`hubspot-comms:relay` by default) and the
//! account's name in a hash tag, so that an account's keys live together (one slot, should a
//! cluster ever hold them):
//!
//! | key | type | what |
//! |---|---|---|
//! | `<prefix>:{<account>}:inbox` | stream | the entries not yet logged; consumer group `workers` |
//! | `<prefix>:{<account>}:seen:<message key>` | string (with a time to live) | the id of the entry a key was stored as: a repeated delivery is stored once |
//! | `<prefix>:{<account>}:dead` | stream | dead letters: the entry's fields as they were, and `dead_reason`, `dead_at`, `dead_entry` |
//! | `<prefix>:{<account>}:directory:<number>` | string (with a time to live: an hour) | the contact directory: the id of the contact a number (E.164) was found or created as, read before a number is looked up; deleted when HubSpot refuses that contact |
//! | `<prefix>:{<account>}:lookup:<number>` | string (with a time to live: 60 s) | a worker's lease on looking a number up (the worker's name): the others' entries of that number wait a moment for the directory rather than search it again |
//! | `<prefix>:{<account>}:contact-claim:<number>`, `…:contact:<number>` | strings (with times to live) | the facade's claims on new numbers (`RedisClaims`, made in [`worker_client`](accounts::worker_client)): who creates a new number's contact, and the contact made |
//! | `<prefix>:{<account>}:rate-limit`, `…:search-rate-limit` | the facade's shared limit (`SharedRateLimit`) | the account's HubSpot limits, shared by every worker |
//!
//! One stream per account rather than one for all: an account whose HubSpot is away, or whose
//! limit is spent, holds back only its own messages (a worker reads each account's stream on
//! its own); a request is one account's, as an upsert must be; and each account's backlog and
//! pending counts are Redis's own numbers for its stream, not a scan. An entry is deleted from
//! its stream when it is acknowledged (`XACK` and `XDEL` in one script), so the stream holds
//! exactly what is not yet logged: its length is the backlog plus the pending entries.
//!
//! # What Redis promises
//!
//! An entry is acknowledged to the provider (2xx) once Redis has answered the `XADD`. What
//! survives a crash after that depends on the server's persistence, which the relay does not
//! set (it is the server's configuration):
//!
//! | persistence | a Redis process crash (killed, OOM) | the machine's crash or power loss |
//! |---|---|---|
//! | none, or RDB snapshots only | everything since the last snapshot | the same |
//! | AOF, `appendfsync everysec` | nothing, as a rule (the write reaches the kernel before the answer), but up to 2 s when a slow disk made Redis postpone its writes | up to about the last second of acknowledged messages (two, when the disk is slow) |
//! | AOF, `appendfsync always` | nothing | nothing: Redis answers a write only after `fsync` (writes of one event-loop turn share one `fsync`) |
//! | a replica, and [`InboxOptions::wait_for_replicas`](inbox::InboxOptions::wait_for_replicas) (`WAIT`) | as the primary's persistence, and a failover keeps what the replicas acknowledged | a failover to a replica loses nothing acknowledged |
//!
//! **The relay needs AOF with `appendfsync always`** (`appendonly yes`) on one machine: it is
//! what "nothing acknowledged is lost" means, and what the tests run (they kill `redis-server`
//! with SIGKILL mid-test and start it again on its AOF). `everysec` is faster on slow disks and
//! loses about a second of messages on a power loss, never on a Redis crash; replication without
//! `WAIT` loses what the primary had not yet sent when it failed. The tests cannot tell
//! `always` from `everysec` (a killed process loses nothing under either; only a power loss
//! would): they run the recommended one. Replication is asynchronous:
//! `WAIT` makes the answer wait for the replicas' copies, so a failover loses nothing
//! acknowledged, at a round trip's cost. A dedupe marker and its entry are written by one script,
//! and a script's writes reach the AOF and the replicas together, so after any restart either
//! both are there or neither is.

mod account_name;
pub mod accounts;
pub mod dead_letters;
pub mod demo;
pub mod entry;
mod error;
pub mod inbox;
mod keys;
pub mod metrics;
pub mod operate;
pub mod receive;
pub mod routing;
pub mod service;
pub mod status;
mod streams;
pub mod work;

pub use accounts::AccountName;
pub use error::RelayError;
pub use streams::{DEFAULT_GROUP, DEFAULT_PREFIX, Streams, StreamsOptions};
