//! The report: one JSON line per row that was not logged, with its line, why, and the row as
//! it was read, so that the report itself can be imported again (`hubspot-comms import
//! report.jsonl` reads each line's `row`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::durable;

/// Why a row is in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It could not be read, or lacks what a message needs.
    BadRow,
    /// No contact holds its number.
    NotFound,
    /// Several contacts hold its number.
    Ambiguous,
    /// HubSpot refused it (or refused to find or create its contact).
    Refused,
    /// HubSpot may or may not have stored it.
    Unknown,
}

/// One line of the report.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// The row's line in the file read.
    pub line: u64,
    /// What became of it.
    pub outcome: Outcome,
    /// Why, in words.
    pub reason: &'a str,
    /// The message's key, when the row has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<&'a str>,
    /// The contact's number in E.164, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// The contacts holding the number, when several do.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub contacts: &'a [String],
    /// The row as read (its fields by name): what importing the report reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<&'a Map<String, Value>>,
    /// The record's text, for one that could not be read as fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
}

/// The report file, written in the order of the input.
#[derive(Debug)]
pub struct Report {
    path: PathBuf,
    file: BufWriter<File>,
    bytes: u64,
}

impl Report {
    /// A new, empty report at `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let file = File::create(path)?;
        Ok(Self {
            path: path.to_owned(),
            file: BufWriter::new(file),
            bytes: 0,
        })
    }

    /// The report of an earlier run, cut back to its first `bytes` (what that run's state
    /// accounts for), to go on writing after them.
    pub fn resume(path: &Path, bytes: u64) -> io::Result<Self> {
        let file = durable::cut_back(path, bytes)?;
        Ok(Self {
            path: path.to_owned(),
            file: BufWriter::new(file),
            bytes,
        })
    }

    /// Appends one line.
    pub fn write(&mut self, entry: &Entry<'_>) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.bytes += line.len() as u64;
        Ok(())
    }

    /// Writes what is buffered through to the disk, and answers the report's length, which a
    /// state file may then rely on.
    pub fn sync(&mut self) -> io::Result<u64> {
        self.file.flush()?;
        self.file.get_ref().sync_data()?;
        Ok(self.bytes)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
