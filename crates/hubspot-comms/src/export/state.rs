//! The export's state file: what it exports (a hash of the query), where its reading stopped
//! (a cursor: a list page, a search window's last id, a place in the contacts), how much of
//! `FILE.partial` that accounts for and the counts, written atomically after the file itself is
//! on the disk. A run stopped at any moment goes on from the last state: the partial file is
//! cut back to the state's length, and reading goes on from its cursor; nothing is written
//! twice (a killed run reads again what it read after its last save).

use serde::{Deserialize, Serialize};

use crate::resume::StateFile;

use super::summary::ExportCounts;

const VERSION: u32 = 1;

/// Where reading goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cursor {
    /// Every message, by list pages: the cursor of the next page (`None` for the first).
    List {
        /// HubSpot's cursor.
        after: Option<String>,
    },
    /// A search, by id windows: the messages after this id (`None` from the first).
    Search {
        /// The last id written.
        after_id: Option<String>,
    },
    /// The messages of the selected contacts: from this contact on (in the selection's
    /// order), and within it, the messages after this id.
    Contacts {
        /// The first contact not done.
        next_contact: usize,
        /// Of its chunk's messages, the last one written.
        after_message: Option<String>,
    },
    /// Everything was read.
    End,
}

/// An export's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportState {
    /// The state file's format.
    pub version: u32,
    /// What is exported: a hash of the filters, the format and the key property.
    pub query: String,
    /// Where reading goes on.
    pub cursor: Cursor,
    /// The partial file's length when it held exactly what was read before the cursor.
    pub bytes: u64,
    /// The counts of what was written.
    pub counts: ExportCounts,
    /// The selected contacts, in order (`--contact`, `--numbers`: numbers are not looked up
    /// again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection: Option<Vec<String>>,
}

impl ExportState {
    /// The state of an export that has written nothing yet.
    pub fn new(query: String, cursor: Cursor) -> Self {
        Self {
            version: VERSION,
            query,
            cursor,
            bytes: 0,
            counts: ExportCounts::default(),
            selection: None,
        }
    }
}

impl StateFile for ExportState {
    const WHAT: &'static str = "an export's state file";
    const VERSION: u32 = VERSION;

    fn version(&self) -> u32 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::check_round_trip;

    #[test]
    fn saves_and_loads_every_cursor() {
        for cursor in [
            Cursor::List {
                after: Some("abc".into()),
            },
            Cursor::Search { after_id: None },
            Cursor::Contacts {
                next_contact: 3,
                after_message: Some("99".into()),
            },
            Cursor::End,
        ] {
            let mut state = ExportState::new("q".into(), cursor);
            state.bytes = 12;
            state.counts.messages = 4;
            state.selection = Some(vec!["1".into()]);
            check_round_trip(&state);
        }
    }
}
