//! Offsets, starting points and entries.

use std::fmt;

use serde_json::Value;

use super::event::JournalEvent;

/// Where an entry sits in the journal: the token HubSpot gives each entry
/// (`currentOffset`, a UUID in HubSpot's examples), handed back to read what follows it.
/// Opaque: compare, store and print it, nothing else.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct JournalOffset(String);

impl JournalOffset {
    /// An offset as HubSpot (or your checkpoint) gave it.
    pub fn new(offset: impl Into<String>) -> Self {
        Self(offset.into())
    }

    /// The offset's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JournalOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for JournalOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JournalOffset({:?})", self.0)
    }
}

impl From<String> for JournalOffset {
    fn from(offset: String) -> Self {
        Self(offset)
    }
}

impl From<&str> for JournalOffset {
    fn from(offset: &str) -> Self {
        Self(offset.to_owned())
    }
}

/// Where a journal read starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JournalStart {
    /// The earliest entry the journal still holds (up to 3 days old), and all after it.
    Earliest,
    /// What is journaled from now on: the entries after the newest one the journal holds when
    /// the stream is first polled (all of them, if it holds none).
    Latest,
    /// The entries after this offset (the last one handled, from a [`Checkpoint`]). An offset
    /// the journal no longer holds fails with
    /// [`Error::JournalOffsetGone`](crate::Error::JournalOffsetGone).
    ///
    /// [`Checkpoint`]: super::Checkpoint
    After(JournalOffset),
}

/// One journal entry: its offset and the events of its file, in the journal's order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// The entry's offset: save it (a [`Checkpoint`](super::Checkpoint)) once the entry is
    /// handled, and read on after it.
    pub offset: JournalOffset,
    /// The changes the entry's file holds, in order.
    pub events: Vec<JournalEvent>,
}

impl JournalEntry {
    /// An entry (for a stand-in of the journal in your tests).
    pub fn new(offset: JournalOffset, events: Vec<JournalEvent>) -> Self {
        Self { offset, events }
    }
}

/// Reads an entry file: a JSON array of events, or an object holding one under `events` (or
/// `results`), or a single event object. `None` for anything else.
pub(crate) fn parse_entry_file(bytes: &[u8]) -> Option<Vec<JournalEvent>> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let events = match value {
        Value::Array(events) => events,
        Value::Object(mut object) => match ["events", "results"].iter().find_map(|key| match object
            .remove(*key)
        {
            Some(Value::Array(events)) => Some(events),
            _ => None,
        }) {
            Some(events) => events,
            None => vec![Value::Object(object)],
        },
        _ => return None,
    };
    events
        .into_iter()
        .map(|event| match event {
            Value::Object(fields) => Some(JournalEvent::from_fields(fields)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::JournalAction;

    #[test]
    fn reads_an_array_an_object_of_events_and_refuses_the_rest() {
        let array = br#"[{"action":"CREATE","objectId":1},{"action":"UPDATE","objectId":1}]"#;
        let events = parse_entry_file(array).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].action, JournalAction::Update);
        let object = br#"{"events":[{"action":"DELETE","objectId":"7"}]}"#;
        assert_eq!(parse_entry_file(object).unwrap()[0].object_id, Some(7));
        assert!(parse_entry_file(b"not json").is_none());
        assert!(parse_entry_file(b"[1, 2]").is_none());
        assert!(parse_entry_file(b"[]").unwrap().is_empty());
    }
}
