//! `hubspot-comms`: import whole conversation histories into HubSpot, and export them.
//!
//! `hubspot-comms import FILE` logs every message of a JSON Lines or CSV file (Twilio's
//! message-log export among others) on the HubSpot contact its phone number belongs to,
//! exactly once: contacts are found many numbers per search, messages are upserted 100 per
//! request by a key (the provider's message id, or a hash of the row) held in a unique
//! property, so a rerun or a resumed run logs nothing twice. Rows that were not logged go to a
//! report that can be imported again; a state file lets a stopped run resume.
//! `hubspot-comms setup` makes sure the account has that key property (the Properties API),
//! once per account. See `hubspot-comms import --help` and the crate's README.
//!
//! `hubspot-comms export FILE` writes communications out in the format `import` reads (see
//! [`export`]), so that an export imported into another account is a round trip.
//!
//! The binary is a thin layer over this library, which the tests and the benchmark drive:
//!
//! ```no_run
//! use hubspot_comms::{ImportOptions, import};
//! use hubspot_communications::{Client, Region};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new(std::env::var("HUBSPOT_ACCESS_TOKEN")?)?;
//! let mut options = ImportOptions::new("messages.csv");
//! options.default_region = Some(Region::parse("US")?);
//! let summary = import(&client, options).await?;
//! println!("{summary}");
//! std::process::exit(summary.exit_code().into());
//! # }
//! ```

#![warn(missing_docs)]

pub mod args;
pub mod connect;
mod durable;
mod error;
pub mod export;
mod flow;
mod import;
pub mod input;
mod known;
mod progress;
mod read;
pub mod report;
mod resolve;
pub mod row;
mod settle;
pub mod setup;
pub mod state;
pub mod summary;
mod write;

pub use error::ImportError;
pub use import::{ImportOptions, import};
pub use resolve::MAX_WAITING_ROWS;
pub use summary::{Counts, Summary};

/// The unique communication property that holds each message's key, unless
/// `--key-property` names another.
pub const DEFAULT_KEY_PROPERTY: &str = "external_message_id";
