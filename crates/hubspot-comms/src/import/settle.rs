//! The settling stage: rows come back in any order; they are taken in file order, so that the
//! report, the counts and the state file always describe exactly the rows up to one line.
//! Rows that settle early wait here for those before them: the rows in flight, or, in a file
//! whose rows wait for contacts found late (numbers scattered through the file), up to most of
//! the file; a logged row waits as its place and fate only (under 100 bytes).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::error::ImportError;
use super::flow::{Fate, Original, Settled};
use super::report::{Entry, Outcome, Report};
use super::state::{Done, State};
use crate::progress::Progress;
use crate::resume::StateFile;

/// How often the state file is written while rows settle.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// The rows settled so far, in order.
pub(crate) struct Settler {
    next: u64,
    early: BTreeMap<u64, Settled>,
    report: Report,
    state: State,
    /// Where the state is kept; `None` for a dry run, which keeps none.
    state_path: Option<PathBuf>,
    progress: Progress,
    saved: Instant,
    /// Contacts created, by the contact stage, since this run began.
    created: Arc<AtomicU64>,
    created_before: u64,
    /// The journal of resolved numbers, flushed to the disk with the state.
    known: Option<File>,
}

impl Settler {
    pub(crate) fn new(
        report: Report,
        state: State,
        state_path: Option<PathBuf>,
        progress: Progress,
        created: Arc<AtomicU64>,
    ) -> Self {
        let created_before = state.counts.contacts_created;
        Self {
            next: 0,
            early: BTreeMap::new(),
            report,
            state,
            state_path,
            progress,
            saved: Instant::now(),
            created,
            created_before,
            known: None,
        }
    }

    /// Flushes `journal` (the resolved numbers' file) to the disk each time the state is saved.
    pub(crate) fn keep_numbers_in(&mut self, journal: Option<File>) {
        self.known = journal;
    }

    /// Takes a settled row; applies every row that is now next in order.
    pub(crate) fn accept(&mut self, mut settled: Settled) -> Result<(), ImportError> {
        // A row that waits for those before it keeps only what its report line needs: a
        // logged one, nothing of its original.
        if settled.place.seq != self.next && !settled.fate.is_reported() {
            settled.original = Original::Text(None);
            settled.key = None;
            settled.number = None;
        }
        self.early.insert(settled.place.seq, settled);
        while let Some(settled) = self.early.remove(&self.next) {
            self.apply(settled)?;
            self.next += 1;
        }
        if self.saved.elapsed() >= SAVE_EVERY {
            self.save()?;
        }
        Ok(())
    }

    fn apply(&mut self, settled: Settled) -> Result<(), ImportError> {
        let counts = &mut self.state.counts;
        counts.rows += 1;
        let number = settled.number.as_ref().map(|n| n.as_str().to_owned());
        let mut contacts: &[String] = &[];
        let (outcome, reason) = match &settled.fate {
            Fate::Logged => {
                counts.logged += 1;
                (None, String::new())
            }
            Fate::AlreadyLogged => {
                counts.already_logged += 1;
                (None, String::new())
            }
            Fate::WouldLog => {
                counts.would_log += 1;
                (None, String::new())
            }
            Fate::Bad(reason) => {
                counts.bad_rows += 1;
                (Some(Outcome::BadRow), reason.clone())
            }
            Fate::NotFound => {
                counts.not_found += 1;
                let number = number.as_deref().unwrap_or_default();
                (
                    Some(Outcome::NotFound),
                    format!("no contact holds {number}"),
                )
            }
            Fate::Ambiguous(ids) => {
                counts.ambiguous += 1;
                contacts = ids;
                let number = number.as_deref().unwrap_or_default();
                let reason = format!("{} contacts hold {number}: none was chosen", ids.len());
                (Some(Outcome::Ambiguous), reason)
            }
            Fate::Refused(reason) => {
                counts.failed += 1;
                (Some(Outcome::Refused), reason.clone())
            }
            Fate::Unknown(reason) => {
                counts.unknown += 1;
                (Some(Outcome::Unknown), reason.clone())
            }
        };
        if let Some(outcome) = outcome {
            let (row, text) = match &settled.original {
                Original::Fields(fields) => (Some(fields), None),
                Original::Text(text) => (None, text.as_deref()),
            };
            let entry = Entry {
                line: settled.place.line,
                outcome,
                reason: &reason,
                key: settled.key.as_deref(),
                number: number.as_deref(),
                contacts,
                row,
                text,
            };
            self.report
                .write(&entry)
                .map_err(ImportError::io(self.report.path()))?;
        }
        self.state.settled_line = settled.place.line;
        self.state.settled_bytes = settled.place.end;
        self.progress
            .update(settled.place.end, self.state.counts.rows, String::new());
        Ok(())
    }

    /// Writes the report through to the disk, then the state that accounts for it.
    pub(crate) fn save(&mut self) -> Result<(), ImportError> {
        self.saved = Instant::now();
        self.state.report_bytes = self
            .report
            .sync()
            .map_err(ImportError::io(self.report.path()))?;
        self.state.counts.contacts_created =
            self.created_before + self.created.load(Ordering::Relaxed);
        self.state.done = self.done();
        if let Some(journal) = &self.known {
            // Best effort: the journal only saves lookups, and a run killed before this keeps
            // its lines anyway (each was written whole).
            let _ = journal.sync_data();
        }
        if let Some(path) = &self.state_path {
            self.state.save(path).map_err(ImportError::io(path))?;
        }
        Ok(())
    }

    /// The rows logged after the last row settled in order, as ranges of consecutive rows of
    /// one outcome.
    fn done(&self) -> Vec<Done> {
        let mut ranges: Vec<Done> = Vec::new();
        let mut previous = None;
        for (seq, settled) in &self.early {
            let already_logged = match settled.fate {
                Fate::Logged => false,
                Fate::AlreadyLogged => true,
                _ => {
                    previous = None;
                    continue;
                }
            };
            let line = settled.place.line;
            match ranges.last_mut() {
                Some(range)
                    if previous.is_some_and(|p: u64| p + 1 == *seq)
                        && range.already_logged == already_logged =>
                {
                    range.last_line = line;
                }
                _ => ranges.push(Done {
                    first_line: line,
                    last_line: line,
                    already_logged,
                }),
            }
            previous = Some(*seq);
        }
        ranges
    }

    /// The state as of the last row settled in order.
    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// The progress display.
    pub(crate) fn progress(&self) -> &Progress {
        &self.progress
    }
}
