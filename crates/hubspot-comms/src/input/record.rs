//! One record of an input file, or why it could not be read: what both formats' readers give.

use serde_json::{Map, Value};

/// One record of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The byte offset just past it (progress).
    pub end: u64,
    /// Its fields by name, or why they could not be read (with the text, where it is text).
    pub fields: Result<Map<String, Value>, Unreadable>,
}

#[cfg(test)]
impl Record {
    /// Why it could not be read (it must not have been).
    pub(super) fn reason(&self) -> &str {
        &self
            .fields
            .as_ref()
            .expect_err("an unreadable record")
            .reason
    }

    /// A field of a record that was read.
    pub(super) fn field(&self, name: &str) -> &Value {
        &self.fields.as_ref().expect("a record read")[name]
    }
}

/// A record that is not a record: not JSON, not UTF-8, too long.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// Why.
    pub reason: String,
    /// The record's text, where there is one (cut to its first 4,096 characters).
    pub text: Option<String>,
}

/// Text for a report, cut to a bounded length.
pub(super) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 4_096;
    text.chars().take(MAX_CHARS).collect()
}
