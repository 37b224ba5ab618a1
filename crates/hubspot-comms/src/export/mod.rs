//! `hubspot-comms export FILE`: communications out of HubSpot, in the very format `import`
//! reads, so that an export imported into another account is a round trip. A module a step:
//!
//! ```text
//! select (which messages, from where) ─▶ fetch (pages, their associations and `contacts`'
//!   numbers) ─▶ row (the format import reads) ─▶ write (FILE.partial, then FILE)
//!                                          └──▶ state (cursor, length, counts) ─▶ summary
//! ```
//!
//! Which source: every message is read by list pages (the general rate limit; associations
//! come with them); `--since`, `--until` and `--channel` by search windows in id order, past
//! HubSpot's 10,000-result cap (the search rate limit), or by the list filtered here when they
//! keep at least half of all messages ([`ReadBy`]); `--contact` and `--numbers` by the
//! contacts' associations and batch reads of their messages. Memory is bounded whatever the
//! account's size: a few pages in flight and a bounded cache of contacts' numbers.
//! `pipeline` joins the steps, `options` is what the caller asks, `command` is what the binary
//! runs, and `demo` the messages `--demo` finds.
//!
//! ```no_run
//! use hubspot_comms::export::{ExportOptions, export};
//! use hubspot_communications::Client;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(std::env::var("HUBSPOT_ACCESS_TOKEN")?)?;
//! let summary = export(&client, ExportOptions::new("messages.jsonl")).await?;
//! println!("{summary}");
//! # Ok(()) }
//! ```

mod command;
mod contacts;
mod demo;
mod error;
mod fetch;
mod options;
mod pipeline;
mod row;
mod select;
mod state;
mod summary;
mod write;

pub use command::run;
pub use error::ExportError;
pub use options::{ExportOptions, ReadBy};
pub use pipeline::export;
pub use state::{Cursor, ExportState};
pub use summary::{ExportCounts, ExportSummary};
