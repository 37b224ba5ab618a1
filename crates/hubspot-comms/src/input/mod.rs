//! Reading an input file one record at a time (never the whole file at once): each record is
//! its fields by name with the line it starts on, or why it could not be read.

mod csv;
mod jsonl;
pub mod time;

// For the report's test, which holds its outcomes to these.
#[cfg(test)]
pub(crate) use jsonl::LOGGED_OUTCOMES;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header line (Twilio's message-log export, say).
    Csv,
}

impl Format {
    /// The format a file's extension names: `.csv`; `.jsonl`, `.ndjson`, `.json`.
    pub fn of(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" | "json" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// One record of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The byte offset just past it (progress).
    pub end: u64,
    /// Its fields by name, or why they could not be read (with the text, where it is text).
    pub fields: Result<Map<String, Value>, Unreadable>,
}

#[cfg(test)]
impl Record {
    /// Why it could not be read (it must not have been).
    fn reason(&self) -> &str {
        &self
            .fields
            .as_ref()
            .expect_err("an unreadable record")
            .reason
    }

    /// A field of a record that was read.
    fn field(&self, name: &str) -> &Value {
        &self.fields.as_ref().expect("a record read")[name]
    }
}

/// A record that is not a record: not JSON, not UTF-8, too long.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// Why.
    pub reason: String,
    /// The record's text, where there is one (cut to its first 4,096 characters).
    pub text: Option<String>,
}

/// The records of a file, in order.
pub type Records = Box<dyn Iterator<Item = io::Result<Record>> + Send>;

/// Opens `path` and reads its records in `format`. An I/O error ends the iteration with that
/// error; a record that cannot be read is a record with [`Unreadable`] fields.
pub fn open(path: &Path, format: Format) -> io::Result<Records> {
    let reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    Ok(records(reader, format))
}

/// The records `reader` holds in `format` (the relay reads a request's body this way).
pub(crate) fn records(reader: impl BufRead + Send + 'static, format: Format) -> Records {
    match format {
        Format::Jsonl => Box::new(jsonl::Lines::new(reader)),
        Format::Csv => Box::new(csv::Rows::new(reader)),
    }
}

/// Every record of `text` (each format's tests).
#[cfg(test)]
fn read(text: &[u8], format: Format) -> Vec<Record> {
    records(io::Cursor::new(text.to_vec()), format)
        .map(Result::unwrap)
        .collect()
}

/// Text for a report, cut to a bounded length.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 4_096;
    text.chars().take(MAX_CHARS).collect()
}
