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
//! Laid out by command: [`setup`], [`import`](mod@import), [`export`], each with the `run` the binary
//! calls; what they share beside them ([`connect`]: the token or `--demo`; [`exit`]: the exit
//! codes; [`input`]: the files import reads and export writes; the progress display, Ctrl-C,
//! files written whole). A new command is a new folder here, a variant of the binary's command
//! enum and its table in [`exit`]. The command line's own types (clap) live in the binary, not
//! in this library, whose options are plain structs:
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

// The commands, a folder (or file) each.
pub mod export;
pub mod follow;
pub mod import;
pub mod relay;
pub mod setup;

// What they share.
pub mod connect;
mod durable;
pub mod exit;
pub mod input;
pub mod progress;
pub mod resume;
mod shutdown;

pub use import::{Counts, ImportError, ImportOptions, MAX_WAITING_ROWS, Summary, import};
pub use setup::DEFAULT_KEY_PROPERTY;
