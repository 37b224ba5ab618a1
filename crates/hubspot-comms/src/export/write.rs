//! The export's file: written to `FILE.partial` beside it, flushed to the disk whenever the
//! state is saved (so that the state's length is always there), and renamed to `FILE` only
//! when complete: a partial file is never left under the final name.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::row::{COLUMNS, OutRow};
use crate::durable;
use crate::input::Format;

/// Counts the bytes written through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

enum Sink {
    Jsonl(Counting<BufWriter<File>>),
    Csv(Box<csv::Writer<Counting<BufWriter<File>>>>),
}

/// The file being written.
pub(crate) struct Output {
    path: PathBuf,
    partial: PathBuf,
    sink: Sink,
}

impl Output {
    /// A new, empty `partial` for `path` (a CSV header in it).
    pub(crate) fn create(path: &Path, partial: &Path, format: Format) -> io::Result<Self> {
        let file = File::create(partial)?;
        Self::open(path, partial, format, file, 0)
    }

    /// The `partial` an earlier run left, cut back to its first `bytes` (what that run's
    /// state accounts for), to go on writing after them.
    pub(crate) fn resume(
        path: &Path,
        partial: &Path,
        format: Format,
        bytes: u64,
    ) -> io::Result<Self> {
        let file = durable::cut_back(partial, bytes)?;
        Self::open(path, partial, format, file, bytes)
    }

    fn open(
        path: &Path,
        partial: &Path,
        format: Format,
        file: File,
        bytes: u64,
    ) -> io::Result<Self> {
        let counting = Counting {
            inner: BufWriter::with_capacity(256 * 1024, file),
            bytes,
        };
        let sink = match format {
            Format::Jsonl => Sink::Jsonl(counting),
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(counting);
                if bytes == 0 {
                    writer.write_record(COLUMNS).map_err(io::Error::other)?;
                }
                Sink::Csv(Box::new(writer))
            }
        };
        Ok(Self {
            path: path.to_owned(),
            partial: partial.to_owned(),
            sink,
        })
    }

    /// Appends one message.
    pub(crate) fn write(&mut self, row: &OutRow) -> io::Result<()> {
        match &mut self.sink {
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut *out, row).map_err(io::Error::other)?;
                out.write_all(b"\n")
            }
            Sink::Csv(out) => out.write_record(row.csv_record()).map_err(io::Error::other),
        }
    }

    /// Writes what is buffered through to the disk, and answers the file's length, which a
    /// state file may then rely on.
    pub(crate) fn sync(&mut self) -> io::Result<u64> {
        let counting: &Counting<_> = match &mut self.sink {
            Sink::Jsonl(out) => {
                out.flush()?;
                out
            }
            Sink::Csv(out) => {
                out.flush()?;
                out.get_ref()
            }
        };
        counting.inner.get_ref().sync_data()?;
        Ok(counting.bytes)
    }

    /// Where it is written until it is complete.
    pub(crate) fn partial(&self) -> &Path {
        &self.partial
    }

    /// The whole file, flushed to the disk, renamed to its final name.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        self.sync()?;
        drop(self.sink);
        durable::rename(&self.partial, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn row(id: &str, body: &str) -> OutRow {
        OutRow {
            id: id.to_owned(),
            phone: Some("+14155550100".to_owned()),
            channel: Some("sms".to_owned()),
            timestamp: Some("2026-11-02T09:15:00.000Z".to_owned()),
            body: Some(body.to_owned()),
            owner: None,
            hubspot_id: "42".to_owned(),
            contact_ids: vec!["7".to_owned(), "8".to_owned()],
            company_ids: Vec::new(),
            deal_ids: Vec::new(),
            ticket_ids: Vec::new(),
        }
    }

    #[test]
    fn nothing_is_under_the_final_name_until_it_is_complete() {
        for format in [Format::Csv, Format::Jsonl] {
            let directory = tempfile::tempdir().unwrap();
            let path = directory.path().join("out");
            let partial = directory.path().join("out.partial");
            let mut output = Output::create(&path, &partial, format).unwrap();
            output.write(&row("a", "one,\n\"two\"")).unwrap();
            let kept = output.sync().unwrap();
            output.write(&row("b", "lost")).unwrap();
            output.sync().unwrap();
            drop(output);
            assert!(!path.exists(), "{format:?}");

            // A run stopped after `kept`: the next one cuts back to it and goes on.
            let mut output = Output::resume(&path, &partial, format, kept).unwrap();
            output.write(&row("c", "three")).unwrap();
            output.commit().unwrap();
            assert!(!partial.exists());
            let text = fs::read_to_string(&path).unwrap();
            assert!(!text.contains("lost"), "{text}");
            let records: Vec<_> = crate::input::open(&path, format)
                .unwrap()
                .map(|record| record.unwrap().fields.unwrap())
                .collect();
            assert_eq!(records.len(), 2, "{format:?}: {text}");
            assert_eq!(records[0]["body"], "one,\n\"two\"");
            assert_eq!(records[1]["id"], "c");
            if format == Format::Csv {
                assert!(text.starts_with("id,phone,channel,timestamp,body,owner,hubspot_id,"));
                assert_eq!(records[0]["contact_ids"], "7;8");
            }
            assert!(
                Output::resume(&path, &partial, format, 1).is_err(),
                "no partial any more"
            );
        }
    }
}
