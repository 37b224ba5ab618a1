//! What moves between the import's stages: read rows, rows ready to log, settled rows.

use hubspot_communications::{NewMessage, PhoneNumber};
use serde_json::{Map, Value};

use super::row::Row;

/// Where a row is in the file, and in the run's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// Its position among the rows this run read, from 0: rows settle in this order.
    pub seq: u64,
    /// Its line in the file.
    pub line: u64,
    /// The byte offset just past it.
    pub end: u64,
}

/// A row as it was read, for the report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Original {
    /// Its fields by name.
    Fields(Map<String, Value>),
    /// A record that could not be read as fields, with its text where it has one.
    Text(Option<String>),
}

/// A row read from the file.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub place: Place,
    pub original: Original,
    /// What it says, or why it is a bad row.
    pub row: Result<Row, String>,
    /// Its fate, when an earlier run logged it already (it is not read again).
    pub done: Option<Fate>,
}

/// A row whose contact is known, to be logged.
#[derive(Debug)]
pub(crate) struct Ready {
    pub place: Place,
    pub original: Original,
    pub key: String,
    pub number: PhoneNumber,
    /// The message, associated with its contact.
    pub message: NewMessage,
}

/// What became of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Logged by this import.
    Logged,
    /// It was there before this import began (its key was taken), and was updated.
    AlreadyLogged,
    /// A dry run would log it.
    WouldLog,
    /// It cannot be read, or lacks what a message needs.
    Bad(String),
    /// No contact holds its number.
    NotFound,
    /// Several contacts hold its number.
    Ambiguous(Vec<String>),
    /// HubSpot refused it, or refused to find or create its contact.
    Refused(String),
    /// HubSpot may or may not have stored it.
    Unknown(String),
}

impl Fate {
    /// Whether the row goes in the report.
    pub(crate) fn is_reported(&self) -> bool {
        !matches!(self, Self::Logged | Self::AlreadyLogged | Self::WouldLog)
    }
}

/// A row whose fate is known.
#[derive(Debug)]
pub(crate) struct Settled {
    pub place: Place,
    pub original: Original,
    pub key: Option<String>,
    pub number: Option<PhoneNumber>,
    pub fate: Fate,
}

impl Settled {
    /// A row settled before it was written.
    pub(crate) fn row(parsed: Parsed, fate: Fate) -> Self {
        let (key, number) = match parsed.row {
            Ok(row) => (Some(row.key), Some(row.number)),
            Err(_) => (None, None),
        };
        Self {
            place: parsed.place,
            original: parsed.original,
            key,
            number,
            fate,
        }
    }
}
