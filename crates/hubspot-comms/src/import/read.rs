//! The reading stage, on a thread of its own (file I/O and number parsing block): records in
//! file order, each read into a row or a bad row, sent on a bounded channel (the file is never
//! held whole).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use super::flow::{Fate, Original, Parsed, Place};
use super::row::{self, Defaults};
use super::state::Done;
use crate::input::{self, Format};

/// What to read.
pub(crate) struct Reading {
    pub path: PathBuf,
    pub format: Format,
    pub defaults: Defaults,
    /// Rows starting on this line or before were settled by an earlier run: skipped.
    pub skip_through_line: u64,
    /// Rows after it that an earlier run logged: passed on with their fate, not read.
    pub done: Vec<Done>,
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
        let done = Done::find(&reading.done, record.line).map(|range| {
            if range.already_logged {
                Fate::AlreadyLogged
            } else {
                Fate::Logged
            }
        });
        let parsed = match record.fields {
            _ if done.is_some() => Parsed {
                place,
                row: Err(String::new()),
                original: Original::Text(None),
                done,
            },
            Ok(fields) => Parsed {
                place,
                row: row::interpret(&fields, &reading.defaults),
                original: Original::Fields(fields),
                done: None,
            },
            Err(unreadable) => Parsed {
                place,
                row: Err(unreadable.reason),
                original: Original::Text(unreadable.text),
                done: None,
            },
        };
        if rows.blocking_send(parsed).is_err() {
            return Ok(false);
        }
        seq += 1;
    }
    Ok(true)
}
