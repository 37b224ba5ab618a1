//! What an export is asked to do: the library's options, which the command line fills.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use hubspot_communications::{Channel, Region};

use crate::durable;
use crate::input::Format;
use crate::resume::RunOptions;
use crate::setup::DEFAULT_KEY_PROPERTY;

/// What to export, and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExportOptions {
    /// The file to write.
    pub file: PathBuf,
    /// Its format (by its extension if `None`).
    pub format: Option<Format>,
    /// Only messages sent at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only messages sent before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only messages of these channels (all when empty).
    pub channels: Vec<Channel>,
    /// Only the messages of these contacts (and of those of `numbers`).
    pub contacts: Vec<String>,
    /// Only the messages of the contacts holding the numbers of this file (and of those of
    /// `contacts`).
    pub numbers: Option<PathBuf>,
    /// The region of numbers without a country code.
    pub default_region: Option<Region>,
    /// The unique communication property whose value is a message's key.
    pub key_property: String,
    /// How messages selected by the filters are read.
    pub read_by: ReadBy,
    /// Stop after the page that brings the messages written to this many.
    pub max_messages: Option<u64>,
    /// The state file (default: the file's path with `.export-state.json`
    /// added), restarting, progress, stopping.
    pub run: RunOptions,
}

impl ExportOptions {
    /// Everything into `file`, keyed by the default key property, no progress shown.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            format: None,
            since: None,
            until: None,
            channels: Vec::new(),
            contacts: Vec::new(),
            numbers: None,
            default_region: None,
            key_property: DEFAULT_KEY_PROPERTY.to_owned(),
            read_by: ReadBy::Auto,
            max_messages: None,
            run: RunOptions::default(),
        }
    }

    /// Where the file is written until it is complete: its path with `.partial` added.
    pub fn partial_path(&self) -> PathBuf {
        durable::beside(&self.file, ".partial")
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.run
            .state
            .clone()
            .unwrap_or_else(|| durable::beside(&self.file, ".export-state.json"))
    }
}

/// How an export with filters reads its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadBy {
    /// The list when the filters keep at least half of all messages (two searches count
    /// them), else the search.
    #[default]
    Auto,
    /// List pages of every message, filtered here (the general rate limit).
    List,
    /// HubSpot's search, in id windows (the search rate limit).
    Search,
}
