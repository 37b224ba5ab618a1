//! The state file: how far a run got (the last line up to which every row is settled, and
//! how much of the report that accounts for), written atomically so that a run killed at any
//! moment resumes where it stopped. Correctness never depends on it (messages are upserted by
//! key, so redoing a row logs nothing twice); it only saves redoing work.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::resume::StateFile;
use sha2::{Digest, Sha256};

use super::summary::Counts;

const VERSION: u32 = 1;
/// How much of the input identifies it: a file that grew since keeps its identity.
const HEAD_BYTES: u64 = 64 * 1024;

/// A run's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The state file's format.
    pub version: u32,
    /// The input it belongs to: a hash of its first 64 KiB.
    pub input: String,
    /// The key property the messages were written with.
    pub key_property: String,
    /// Every row that starts on this line or before is settled (logged or reported).
    pub settled_line: u64,
    /// The byte offset just past that row (progress).
    pub settled_bytes: u64,
    /// The report's length when it held exactly the rows up to `settled_line`.
    pub report_bytes: u64,
    /// The counts of the rows up to `settled_line`.
    pub counts: Counts,
    /// Rows after `settled_line` already logged (they settled before rows above them): the
    /// next run settles them as they were, without sending them again.
    #[serde(default)]
    pub done: Vec<Done>,
}

/// Consecutive rows after the settled line, all logged with one outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    /// The line the first row starts on.
    pub first_line: u64,
    /// The line the last row starts on.
    pub last_line: u64,
    /// Whether they were logged already (else logged by this import).
    pub already_logged: bool,
}

impl Done {
    /// The range holding `line`, among ranges sorted by line.
    pub fn find(ranges: &[Done], line: u64) -> Option<&Done> {
        let after = ranges.partition_point(|range| range.first_line <= line);
        ranges[..after]
            .last()
            .filter(|range| line <= range.last_line)
    }
}

impl State {
    /// The state of a run that has settled nothing yet.
    pub fn new(input: String, key_property: String) -> Self {
        Self {
            version: VERSION,
            input,
            key_property,
            settled_line: 0,
            settled_bytes: 0,
            report_bytes: 0,
            counts: Counts::default(),
            done: Vec::new(),
        }
    }
}

impl StateFile for State {
    const WHAT: &'static str = "a state file";
    const VERSION: u32 = VERSION;

    fn version(&self) -> u32 {
        self.version
    }
}

/// What identifies an input file: the SHA-256 of its first 64 KiB.
pub fn fingerprint(input: &Path) -> io::Result<String> {
    let mut head = Vec::new();
    File::open(input)?.take(HEAD_BYTES).read_to_end(&mut head)?;
    Ok(hex::encode(Sha256::digest(&head)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::check_round_trip;

    #[test]
    fn saves_and_loads_and_finds_the_rows_done() {
        let mut state = State::new("abc".into(), "external_message_id".into());
        state.settled_line = 42;
        state.report_bytes = 7;
        state.counts.logged = 40;
        state.done = vec![Done {
            first_line: 50,
            last_line: 60,
            already_logged: false,
        }];
        check_round_trip(&state);
        let done = &state.done;
        assert_eq!(Done::find(done, 49), None);
        assert_eq!(Done::find(done, 50), Some(&done[0]));
        assert_eq!(Done::find(done, 60), Some(&done[0]));
        assert_eq!(Done::find(done, 61), None);
    }
}
