//! What became of the rows, and the exit code that says it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exit;

/// How many rows came to what. Kept in the state file, so that a resumed run's summary
/// covers the rows of the runs before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// Rows settled.
    pub rows: u64,
    /// Logged by this import.
    pub logged: u64,
    /// Found logged already (HubSpot's upsert found the key taken: by an earlier run, a
    /// stopped run redone, a row repeating a key, another tool), and updated.
    pub already_logged: u64,
    /// Rows a dry run would have logged.
    pub would_log: u64,
    /// Refused by HubSpot.
    pub failed: u64,
    /// HubSpot may or may not have stored them.
    pub unknown: u64,
    /// Rows that could not be read or lack what a message needs (skipped).
    pub bad_rows: u64,
    /// Rows whose number no contact holds.
    pub not_found: u64,
    /// Rows whose number several contacts hold.
    pub ambiguous: u64,
    /// Contacts created for numbers no contact held (`--create-missing-contacts`).
    pub contacts_created: u64,
}

impl Counts {
    /// Rows written to the report.
    pub fn reported(&self) -> u64 {
        self.failed + self.unknown + self.bad_rows + self.not_found + self.ambiguous
    }
}

/// The end of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// The counts, the rows of resumed runs included.
    pub counts: Counts,
    /// Whether it read to the end of the file (else `--max-rows` stopped it).
    pub complete: bool,
    /// Whether it was a dry run.
    pub dry_run: bool,
}

impl Summary {
    /// The process's exit code ([`exit::IMPORT`]).
    pub fn exit_code(&self) -> u8 {
        let counts = &self.counts;
        exit::of_run(self.complete, counts.reported(), counts.unknown)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let mut line = |label: &str, count: u64| writeln!(f, "  {label:<24}{count:>10}");
        line("rows", c.rows)?;
        if self.dry_run {
            line("would be logged", c.would_log)?;
        } else {
            line("logged", c.logged)?;
            line("already logged", c.already_logged)?;
            line("failed (refused)", c.failed)?;
            line("fate unknown", c.unknown)?;
        }
        line("bad rows (skipped)", c.bad_rows)?;
        line("contact not found", c.not_found)?;
        line("contact ambiguous", c.ambiguous)?;
        if c.contacts_created > 0 {
            line("contacts created", c.contacts_created)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_code_says_the_worst() {
        let summary = |counts: Counts, complete| Summary {
            counts,
            complete,
            dry_run: false,
        };
        let clean = Counts {
            rows: 3,
            logged: 2,
            already_logged: 1,
            ..Counts::default()
        };
        assert_eq!(summary(clean.clone(), true).exit_code(), exit::OK);
        assert_eq!(
            summary(clean.clone(), false).exit_code(),
            exit::COULD_NOT_RUN
        );
        let refused = Counts {
            not_found: 1,
            ..clean.clone()
        };
        assert_eq!(
            summary(refused.clone(), true).exit_code(),
            exit::SOME_LEFT_OUT
        );
        let unknown = Counts {
            unknown: 1,
            ..refused
        };
        assert_eq!(summary(unknown, true).exit_code(), exit::FATE_UNKNOWN);
    }
}
