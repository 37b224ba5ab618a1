//! What was exported, and the exit code that says it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::exit;

/// What was exported. Kept in the state file, so that a resumed run's summary covers the
/// runs before it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportCounts {
    /// Messages written.
    pub messages: u64,
    /// Written without a number: the message is associated with no contact.
    pub without_contact: u64,
    /// Written without a number: its contact has none.
    pub without_number: u64,
    /// Written with a number its contact holds in a form not readable as one (an
    /// extension, a national number without `--default-region`): as the contact holds it.
    pub number_as_stored: u64,
    /// Associated with several contacts: written with the first one's number (all are in
    /// `contact_ids`).
    pub several_contacts: u64,
    /// Written without a body, a date, or a channel `import` reads.
    pub incomplete: u64,
    /// Contacts whose messages were asked for (`--contact`, `--numbers`).
    pub contacts: u64,
    /// Numbers of `--numbers` no contact holds.
    pub numbers_not_found: u64,
    /// Numbers of `--numbers` several contacts hold (each one's messages are exported).
    pub numbers_ambiguous: u64,
}

impl ExportCounts {
    pub(crate) fn add(&mut self, other: &Self) {
        self.messages += other.messages;
        self.without_contact += other.without_contact;
        self.without_number += other.without_number;
        self.number_as_stored += other.number_as_stored;
        self.several_contacts += other.several_contacts;
        self.incomplete += other.incomplete;
    }

    /// Messages written without what an import needs (an import reports them as bad rows),
    /// and numbers asked for that no contact holds.
    pub fn lacking(&self) -> u64 {
        self.without_contact
            + self.without_number
            + self.number_as_stored
            + self.incomplete
            + self.numbers_not_found
    }
}

/// The end of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportSummary {
    /// The counts, the messages of resumed runs included.
    pub counts: ExportCounts,
    /// Whether everything was read (else `--max-messages` or a stop ended it).
    pub complete: bool,
}

impl ExportSummary {
    /// The process's exit code ([`exit::EXPORT`]): 0 when every message was written with what
    /// an import needs, 2 when some were not (or numbers asked for have no contact), 1 when it
    /// stopped early.
    pub fn exit_code(&self) -> u8 {
        exit::of_run(self.complete, self.counts.lacking(), 0)
    }
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let mut line = |label: &str, count: u64| writeln!(f, "  {label:<28}{count:>10}");
        line("messages", c.messages)?;
        line("without a contact", c.without_contact)?;
        line("contact without a number", c.without_number)?;
        line("number as stored", c.number_as_stored)?;
        line("incomplete", c.incomplete)?;
        line("on several contacts", c.several_contacts)?;
        if c.contacts > 0 || c.numbers_not_found > 0 {
            line("contacts asked for", c.contacts)?;
            line("numbers without a contact", c.numbers_not_found)?;
            line("numbers of several contacts", c.numbers_ambiguous)?;
        }
        Ok(())
    }
}
