//! The reading stage, on a thread of its own (file I/O and number parsing block): records in
//! file order, each read into a row or a bad row, sent on a bounded channel (the file is never
//! held whole).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use crate::flow::{Original, Parsed, Place};
use crate::input::{self, Format};
use crate::row::{self, Defaults};

/// What to read.
pub(crate) struct Reading {
    pub path: PathBuf,
    pub format: Format,
    pub defaults: Defaults,
    /// Rows starting on this line or before were settled by an earlier run: skipped.
    pub skip_through_line: u64,
    /// Read at most this many rows.
    pub max_rows: Option<u64>,
    /// Set to stop reading (Ctrl-C).
    pub stop: Arc<AtomicBool>,
}

/// Sends every row of the file to `rows`; answers whether it read to the end (rather than
/// being stopped, or finding nobody listening).
pub(crate) fn read(reading: Reading, rows: &mpsc::Sender<Parsed>) -> io::Result<bool> {
    let records = input::open(&reading.path, reading.format)?;
    let mut seq = 0;
    for record in records {
        let record = record?;
        if record.line <= reading.skip_through_line {
            continue;
        }
        if reading.stop.load(Ordering::Relaxed) || reading.max_rows.is_some_and(|max| seq >= max) {
            return Ok(false);
        }
        let place = Place {
            seq,
            line: record.line,
            end: record.end,
        };
        let parsed = match record.fields {
            Ok(fields) => Parsed {
                place,
                row: row::interpret(&fields, &reading.defaults),
                original: Original::Fields(fields),
            },
            Err(unreadable) => Parsed {
                place,
                row: Err(unreadable.reason),
                original: Original::Text(unreadable.text),
            },
        };
        if rows.blocking_send(parsed).is_err() {
            return Ok(false);
        }
        seq += 1;
    }
    Ok(true)
}
