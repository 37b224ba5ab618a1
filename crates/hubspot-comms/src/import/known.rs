//! What a run learned about numbers (found, not found, ambiguous), kept beside the state file
//! so that a resumed run sends no search for a number an earlier run resolved.
//!
//! The file (`STATE.numbers`) is a journal: a header line naming the input and the key
//! property it belongs to, then one JSON line per lookup answered, appended in one write as
//! the answer comes (so a run killed at any moment keeps every answer it had), flushed to the
//! disk each time the state file is saved. Compact: each number once, about 25 bytes; bounded
//! by the input's distinct numbers, as the run's cache is. A line cut short by a crash, and
//! anything after it, is ignored (and cut off before the next run appends).
//!
//! Correctness never depends on it: without it (removed, unreadable, of another input) a
//! resumed run looks the numbers up again.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hubspot_communications::{ContactMatch, PhoneNumber};
use serde::{Deserialize, Serialize};

use crate::durable;

/// The journal's first line.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Header {
    numbers_of: String,
    key_property: String,
}

/// One lookup's answers, as a line.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Line {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    found: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    not_found: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    ambiguous: BTreeMap<String, Vec<String>>,
}

/// The journal of one import's resolved numbers, open for appending.
#[derive(Debug)]
pub(crate) struct Known {
    path: PathBuf,
    file: File,
}

impl Known {
    /// The journal's path: the state file's with `.numbers` added.
    pub(crate) fn path_of(state: &Path) -> PathBuf {
        durable::beside(state, ".numbers")
    }

    /// A new, empty journal for `input` (its fingerprint) and `key_property`, replacing any.
    pub(crate) fn create(path: &Path, input: &str, key_property: &str) -> io::Result<Self> {
        let mut file = File::create(path)?;
        let header = Header {
            numbers_of: input.to_owned(),
            key_property: key_property.to_owned(),
        };
        let mut line = serde_json::to_vec(&header).map_err(io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line)?;
        Ok(Self {
            path: path.to_owned(),
            file,
        })
    }

    /// The journal an earlier run of this import left, with what it knew; a new one when there
    /// is none or it belongs to another input.
    pub(crate) fn resume(
        path: &Path,
        input: &str,
        key_property: &str,
    ) -> io::Result<(Self, HashMap<PhoneNumber, ContactMatch>)> {
        let existing = match File::open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok((Self::create(path, input, key_property)?, HashMap::new()));
            }
            Err(error) => return Err(error),
        };
        let expected = Header {
            numbers_of: input.to_owned(),
            key_property: key_property.to_owned(),
        };
        let Some((known, valid_bytes)) = read(BufReader::new(existing), &expected)? else {
            return Ok((Self::create(path, input, key_property)?, HashMap::new()));
        };
        let mut file = OpenOptions::new().write(true).open(path)?;
        file.set_len(valid_bytes)?;
        file.seek(SeekFrom::Start(valid_bytes))?;
        Ok((
            Self {
                path: path.to_owned(),
                file,
            },
            known,
        ))
    }

    /// Appends one lookup's answers (those worth keeping: found, created, not found,
    /// ambiguous) in one write.
    pub(crate) fn record<'a>(
        &mut self,
        answers: impl IntoIterator<Item = (&'a PhoneNumber, &'a ContactMatch)>,
    ) -> io::Result<()> {
        let mut line = Line::default();
        for (number, answer) in answers {
            let number = number.as_str().to_owned();
            match answer {
                ContactMatch::Found(id) | ContactMatch::Created(id) => {
                    line.found.insert(number, id.clone());
                }
                ContactMatch::NotFound => line.not_found.push(number),
                ContactMatch::Ambiguous(ids) => {
                    line.ambiguous.insert(number, ids.clone());
                }
                // A refusal may not be one next time.
                _ => {}
            }
        }
        if line.found.is_empty() && line.not_found.is_empty() && line.ambiguous.is_empty() {
            return Ok(());
        }
        let mut bytes = serde_json::to_vec(&line).map_err(io::Error::other)?;
        bytes.push(b'\n');
        self.file.write_all(&bytes)
    }

    /// A handle to flush the journal to the disk with (the settling stage does it before it
    /// saves the state).
    pub(crate) fn syncer(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the journal at `path` (after a complete run), if it is there.
    pub(crate) fn remove(path: &Path) -> io::Result<()> {
        durable::remove(path)
    }
}

/// The answers of a journal whose header is `expected`, and the length of its whole lines;
/// `None` if it belongs to another import (or has no header).
fn read(
    mut reader: impl BufRead,
    expected: &Header,
) -> io::Result<Option<(HashMap<PhoneNumber, ContactMatch>, u64)>> {
    let mut text = Vec::new();
    let mut valid_bytes = 0;
    let mut known = HashMap::new();
    let mut header_read = false;
    loop {
        text.clear();
        let read = reader.read_until(b'\n', &mut text)?;
        if read == 0 || text.last() != Some(&b'\n') {
            break;
        }
        if !header_read {
            match serde_json::from_slice::<Header>(&text) {
                Ok(header) if header == *expected => header_read = true,
                _ => return Ok(None),
            }
        } else {
            let Ok(line) = serde_json::from_slice::<Line>(&text) else {
                break;
            };
            let parse = |number: &str| PhoneNumber::parse(number, None).ok();
            for (number, id) in line.found {
                if let Some(number) = parse(&number) {
                    known.insert(number, ContactMatch::Found(id));
                }
            }
            for number in line.not_found.iter().filter_map(|n| parse(n)) {
                known.insert(number, ContactMatch::NotFound);
            }
            for (number, ids) in line.ambiguous {
                if let Some(number) = parse(&number) {
                    known.insert(number, ContactMatch::Ambiguous(ids));
                }
            }
        }
        valid_bytes += read as u64;
    }
    Ok(header_read.then_some((known, valid_bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn number(text: &str) -> PhoneNumber {
        PhoneNumber::parse(text, None).unwrap()
    }

    #[test]
    fn answers_survive_a_resume_and_a_torn_last_line() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("import.state.json.numbers");
        let (linda, nobody, twins, refused) = (
            number("+14155550100"),
            number("+14155550177"),
            number("+14155550188"),
            number("+14155550199"),
        );
        let mut journal = Known::create(&path, "abc", "key").unwrap();
        let found = ContactMatch::Found("1".into());
        let ambiguous = ContactMatch::Ambiguous(vec!["2".into(), "3".into()]);
        let refusal = ContactMatch::Refused {
            category: None,
            message: "no".into(),
        };
        journal
            .record([(&linda, &found), (&refused, &refusal)])
            .unwrap();
        journal
            .record([(&nobody, &ContactMatch::NotFound), (&twins, &ambiguous)])
            .unwrap();
        drop(journal);
        // A crash in the middle of a write.
        let whole = fs::read(&path).unwrap();
        let mut torn = whole.clone();
        torn.extend_from_slice(b"{\"found\":{\"+1415");
        fs::write(&path, &torn).unwrap();

        let (mut journal, known) = Known::resume(&path, "abc", "key").unwrap();
        assert_eq!(known.len(), 3, "the refusal is not kept: {known:?}");
        assert_eq!(known[&linda], found);
        assert_eq!(known[&nobody], ContactMatch::NotFound);
        assert_eq!(known[&twins], ambiguous);
        assert_eq!(fs::read(&path).unwrap(), whole, "the torn line is cut off");
        let created = ContactMatch::Created("9".into());
        journal.record([(&refused, &created)]).unwrap();
        drop(journal);
        let (_, known) = Known::resume(&path, "abc", "key").unwrap();
        assert_eq!(known[&refused], ContactMatch::Found("9".into()));

        // Another input's journal is started afresh.
        let (_, known) = Known::resume(&path, "other", "key").unwrap();
        assert!(known.is_empty());
        let (_, known) = Known::resume(&path, "abc", "key").unwrap();
        assert!(known.is_empty(), "it was replaced");
        Known::remove(&path).unwrap();
        Known::remove(&path).unwrap();
        let (_, known) = Known::resume(&path, "abc", "key").unwrap();
        assert!(known.is_empty());
    }
}
