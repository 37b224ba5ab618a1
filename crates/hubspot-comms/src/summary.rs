//! What became of the rows, and the exit code that says it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Every row was logged (or found logged already).
pub const EXIT_OK: u8 = 0;
/// The import could not run, or stopped before the end of the file (bad arguments, an
/// unreadable file, no connection, the key property missing, a fatal HubSpot answer,
/// interrupted, `--max-rows` reached): run it again to resume.
pub const EXIT_COULD_NOT_RUN: u8 = 1;
/// The file was imported, but some rows were not logged: bad rows, rows HubSpot refused,
/// numbers no contact or several contacts hold. They are in the report.
pub const EXIT_NOT_LOGGED: u8 = 2;
/// The file was imported, but some rows' fate is unknown (HubSpot may or may not have stored
/// them): run the import again, or import the report; neither logs anything twice.
pub const EXIT_UNKNOWN: u8 = 3;

/// The text of [`EXIT_CODES`], for `concat!`.
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0  every row was logged (or found logged already)
  1  could not run, or stopped early (bad arguments, unreadable file, no connection, key
     property missing, interrupted, --max-rows): run it again to resume
  2  some rows were not logged (bad rows, refused by HubSpot, contact not found or
     ambiguous): see the report
  3  some rows' fate is unknown: run it again (nothing is logged twice)"
    };
}
pub(crate) use exit_codes;

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = exit_codes!();

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
    /// The process's exit code.
    pub fn exit_code(&self) -> u8 {
        let counts = &self.counts;
        if !self.complete {
            EXIT_COULD_NOT_RUN
        } else if counts.unknown > 0 {
            EXIT_UNKNOWN
        } else if counts.reported() > 0 {
            EXIT_NOT_LOGGED
        } else {
            EXIT_OK
        }
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
        assert_eq!(summary(clean.clone(), true).exit_code(), EXIT_OK);
        assert_eq!(
            summary(clean.clone(), false).exit_code(),
            EXIT_COULD_NOT_RUN
        );
        let refused = Counts {
            not_found: 1,
            ..clean.clone()
        };
        assert_eq!(summary(refused.clone(), true).exit_code(), EXIT_NOT_LOGGED);
        let unknown = Counts {
            unknown: 1,
            ..refused
        };
        assert_eq!(summary(unknown, true).exit_code(), EXIT_UNKNOWN);
    }
}
