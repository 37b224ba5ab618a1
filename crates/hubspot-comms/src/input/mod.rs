//! Reading an input file one record at a time (never the whole file at once): each record is
//! its fields by name with the line it starts on, or why it could not be read.

mod csv;
mod jsonl;
mod record;
pub mod time;

pub use record::{Record, Unreadable};

// For the report's test, which holds its outcomes to these.
#[cfg(test)]
pub(crate) use jsonl::LOGGED_OUTCOMES;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

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
