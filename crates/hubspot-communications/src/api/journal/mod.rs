//! The webhooks journal's calls: reading entries (`read`: the requests of a
//! [`JournalReader`](crate::journal::JournalReader)'s stream and the entry files' downloads),
//! subscriptions and their filters, snapshots (`subscriptions`).

mod read;
mod subscriptions;
