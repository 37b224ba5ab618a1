//! What an import is asked to do: the library's options, which the command line fills.

use std::path::PathBuf;

use hubspot_communications::{Channel, Region};

use crate::durable;
use crate::input::Format;
use crate::resume::RunOptions;
use crate::setup::DEFAULT_KEY_PROPERTY;

/// What to import, and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The file.
    pub file: PathBuf,
    /// Its format (by its extension if `None`).
    pub format: Option<Format>,
    /// The region of numbers without a country code.
    pub default_region: Option<Region>,
    /// The channel of rows that name none.
    pub channel: Channel,
    /// The report (default: the file's path with `.report.jsonl` added; `.dry-run.report.jsonl`
    /// for a dry run).
    pub report: Option<PathBuf>,
    /// Log nothing.
    pub dry_run: bool,
    /// Create contacts for numbers no contact holds.
    pub create_missing_contacts: bool,
    /// The unique communication property the keys go in.
    pub key_property: String,
    /// Read at most this many rows.
    pub max_rows: Option<u64>,
    /// The state file (default: the report's path with `.state.json`
    /// added), restarting, progress, stopping.
    pub run: RunOptions,
}

impl ImportOptions {
    /// The defaults for `file`: SMS, no default region, the default key property, no progress.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self {
            file: file.into(),
            format: None,
            default_region: None,
            channel: Channel::Sms,
            report: None,
            dry_run: false,
            create_missing_contacts: false,
            key_property: DEFAULT_KEY_PROPERTY.to_owned(),
            max_rows: None,
            run: RunOptions::default(),
        }
    }

    /// The report's path.
    pub fn report_path(&self) -> PathBuf {
        let suffix = if self.dry_run {
            ".dry-run.report.jsonl"
        } else {
            ".report.jsonl"
        };
        self.report
            .clone()
            .unwrap_or_else(|| durable::beside(&self.file, suffix))
    }

    /// The state file's path.
    pub fn state_path(&self) -> PathBuf {
        self.run
            .state
            .clone()
            .unwrap_or_else(|| durable::beside(&self.report_path(), ".state.json"))
    }
}
