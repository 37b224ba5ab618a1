//! JSON Lines: one object per line; blank lines are skipped. A line of a report (an object
//! with `reason` and the original `row`) stands for its row, so a report can be imported; a
//! report's line for a row that was logged (a warning) is skipped.

use std::io::{self, BufRead};

use serde_json::{Map, Value};

use super::record::{Record, Unreadable, excerpt};

/// The outcomes of a report's lines for rows that were logged (and are there for a warning):
/// the import's `report::Outcome::{Logged, AlreadyLogged, WouldLog}`.
pub(crate) const LOGGED_OUTCOMES: [&str; 3] = ["logged", "already_logged", "would_log"];

/// The longest line read; a longer one is reported, not held in memory.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The records of a JSON Lines file.
pub(super) struct Lines<R> {
    reader: R,
    line: u64,
    offset: u64,
    buffer: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(reader: R) -> Self {
        Self {
            reader,
            line: 0,
            offset: 0,
            buffer: Vec::new(),
        }
    }

    /// The next line into `buffer` (without its end), at most [`MAX_LINE_BYTES`] of it:
    /// `None` at the end, `Some(false)` when it was longer (the rest is skipped).
    fn next_line(&mut self) -> io::Result<Option<bool>> {
        self.buffer.clear();
        let mut whole = true;
        let mut read_any = false;
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (taken, ends) = match available.iter().position(|b| *b == b'\n') {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buffer.len());
            if taken > room {
                whole = false;
            }
            self.buffer.extend_from_slice(&available[..taken.min(room)]);
            self.reader.consume(taken);
            self.offset += taken as u64;
            if ends {
                break;
            }
        }
        if !read_any {
            return Ok(None);
        }
        while matches!(self.buffer.last(), Some(b'\n' | b'\r')) {
            self.buffer.pop();
        }
        Ok(Some(whole))
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let whole = match self.next_line() {
                Ok(Some(whole)) => whole,
                Ok(None) => return None,
                Err(error) => return Some(Err(error)),
            };
            self.line += 1;
            let fields = if !whole {
                Err(Unreadable {
                    reason: format!("the line is longer than {MAX_LINE_BYTES} bytes"),
                    text: None,
                })
            } else {
                match std::str::from_utf8(&self.buffer) {
                    Ok(text) if text.trim().is_empty() => continue,
                    Ok(text) => match object(text) {
                        Ok(None) => continue,
                        Ok(Some(fields)) => Ok(fields),
                        Err(unreadable) => Err(unreadable),
                    },
                    Err(error) => Err(Unreadable {
                        reason: format!("not UTF-8 text: {error}"),
                        text: None,
                    }),
                }
            };
            return Some(Ok(Record {
                line: self.line,
                end: self.offset,
                fields,
            }));
        }
    }
}

/// A line's object, or the row a report line carries; `None` for a report line of a row that
/// was logged (a warning: there is nothing to import again).
fn object(text: &str) -> Result<Option<Map<String, Value>>, Unreadable> {
    let unreadable = |reason: String| Unreadable {
        reason,
        text: Some(excerpt(text)),
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut object)) => {
            if object.contains_key("reason") {
                let outcome = object.get("outcome").and_then(Value::as_str);
                if outcome.is_some_and(|outcome| LOGGED_OUTCOMES.contains(&outcome)) {
                    return Ok(None);
                }
                if let Some(Value::Object(row)) = object.remove("row") {
                    return Ok(Some(row));
                }
            }
            Ok(Some(object))
        }
        Ok(_) => Err(unreadable("not a JSON object".to_owned())),
        Err(error) => Err(unreadable(format!("not JSON: {error}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, read};

    #[test]
    fn objects_blank_lines_and_junk_each_have_their_line() {
        let text = b"{\"body\":\"a\"}\n\n  \r\n[1]\nnot json\n{\"body\":\"b\"}";
        let records = read(text, Format::Jsonl);
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 4, 5, 6]);
        assert_eq!(records[0].field("body"), "a");
        assert!(records[1].reason().contains("object"));
        let junk = records[2].fields.as_ref().unwrap_err();
        assert!(junk.reason.starts_with("not JSON"));
        assert_eq!(junk.text.as_deref(), Some("not json"));
        assert_eq!(records[3].field("body"), "b");
        assert_eq!(records[3].end, text.len() as u64);
    }

    #[test]
    fn a_report_line_stands_for_its_row() {
        let records = read(
            br#"{"line":3,"reason":"no contact","row":{"From":"+1"}}"#,
            Format::Jsonl,
        );
        let fields = records[0].fields.as_ref().unwrap();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields["From"], "+1");
    }

    #[test]
    fn a_report_line_of_a_logged_row_is_skipped() {
        let text = br#"{"line":2,"outcome":"logged","reason":"logged","warning":"w","number":"+254181520498"}
{"line":3,"outcome":"not_found","reason":"no contact","warning":"w","row":{"From":"+2"}}
{"line":4,"outcome":"would_log","reason":"a dry run","warning":"w"}
{"outcome":"logged","body":"no reason: a row, not a report line"}"#;
        let records = read(text, Format::Jsonl);
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4]);
        assert_eq!(records[0].field("From"), "+2");
        assert_eq!(
            records[1].field("body"),
            "no reason: a row, not a report line"
        );
    }

    #[test]
    fn bad_utf8_and_overlong_lines_are_reported_and_skipped() {
        let mut text = b"\xff\xfe\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        text.extend(b"\n{\"body\":\"after\"}\n");
        let records = read(&text, Format::Jsonl);
        assert_eq!(records.len(), 3);
        assert!(records[0].reason().contains("UTF-8"));
        assert!(records[1].reason().contains("longer"));
        assert_eq!(records[2].line, 3);
        assert_eq!(records[2].field("body"), "after");
    }
}
