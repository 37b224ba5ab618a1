//! `hubspot-comms import FILE`: every message of a file logged on the contact its number
//! belongs to, exactly once. A module a step:
//!
//! ```text
//! read ─▶ resolve (find contacts, `known` keeps what was found) ─▶ write (keyed upserts)
//!   ─▶ settle (in file order: `report`, `state`, `summary`)
//! ```
//!
//! `row` reads a record into a message, `flow` is what moves between the steps, `pipeline`
//! joins them, `options` is what the caller asks, and `command` is what the binary runs.

mod command;
mod error;
mod flow;
mod known;
mod options;
mod pipeline;
mod read;
pub mod report;
mod resolve;
pub mod row;
mod settle;
pub mod state;
pub mod summary;
pub(crate) mod write;

pub use command::run;
pub use error::ImportError;
pub use options::ImportOptions;
pub use pipeline::import;
pub use resolve::MAX_WAITING_ROWS;
pub use summary::{Counts, Summary};
