//! CSV with a header line: each record's fields by header name. Rows may have fewer or more
//! fields than the header (more are kept as `column N`); quoted fields may span lines.

use std::io::{self, Read};

use csv::{ErrorKind, StringRecord};
use serde_json::{Map, Value};

use super::record::{Record, Unreadable};

/// The records of a CSV file.
pub(super) struct Rows<R> {
    reader: csv::Reader<R>,
    headers: Option<Vec<String>>,
    record: StringRecord,
}

impl<R: Read> Rows<R> {
    pub(super) fn new(reader: R) -> Self {
        Self {
            reader: csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(true)
                .from_reader(reader),
            headers: None,
            record: StringRecord::new(),
        }
    }

    fn headers(&mut self) -> io::Result<Vec<String>> {
        if let Some(headers) = &self.headers {
            return Ok(headers.clone());
        }
        let headers: Vec<String> = self
            .reader
            .headers()
            .map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("the header line: {e}"))
            })?
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = name.trim_start_matches('\u{feff}').trim();
                if name.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    name.to_owned()
                }
            })
            .collect();
        self.headers = Some(headers.clone());
        Ok(headers)
    }
}

impl<R: Read> Iterator for Rows<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let headers = match self.headers() {
            Ok(headers) => headers,
            Err(error) => return Some(Err(error)),
        };
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                let mut fields = Map::new();
                for (i, value) in self.record.iter().enumerate() {
                    let name = headers
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("column {}", i + 1));
                    // A header named twice keeps its first value.
                    fields
                        .entry(name)
                        .or_insert_with(|| Value::String(value.to_owned()));
                }
                Some(Ok(Record {
                    line,
                    end: self.reader.position().byte(),
                    fields: Ok(fields),
                }))
            }
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                match error.into_kind() {
                    ErrorKind::Utf8 { err, .. } => Some(Ok(Record {
                        line,
                        end: self.reader.position().byte(),
                        fields: Err(Unreadable {
                            reason: format!("not UTF-8 text: {err}"),
                            text: None,
                        }),
                    })),
                    ErrorKind::Io(error) => Some(Err(error)),
                    other => Some(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("line {line}: {other:?}"),
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::input::{Format, read};

    #[test]
    fn twilio_export_rows_by_header_with_their_lines() {
        let text = "\u{feff}Sid,From,To,Body,Status,SentDate,Direction\n\
            SM1,+14155550100,+14155550199,\"Hi,\nthere\",delivered,2024-05-01T10:00:00Z,outbound-api\n\
            SM2,whatsapp:+14155550101,+14155550199,Yo,received,2024-05-01T10:01:00Z,inbound,extra\n";
        let records = read(text.as_bytes(), Format::Csv);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[1].line, 4, "the quoted body spans two lines");
        let first = records[0].fields.as_ref().unwrap();
        assert_eq!(first["Sid"], "SM1");
        assert_eq!(first["Body"], "Hi,\nthere");
        let second = records[1].fields.as_ref().unwrap();
        assert_eq!(second["From"], "whatsapp:+14155550101");
        assert_eq!(second["column 8"], "extra");
        assert_eq!(records[1].end, text.len() as u64);
    }

    #[test]
    fn a_row_that_is_not_utf8_is_reported_and_reading_goes_on() {
        let mut text = b"Sid,Body\nSM1,ok\nSM2,".to_vec();
        text.extend(b"\xff\xfe\nSM3,after\n");
        let records = read(&text, Format::Csv);
        assert_eq!(records.len(), 3);
        assert!(records[1].reason().contains("UTF-8"));
        assert_eq!(records[1].line, 3);
        assert_eq!(records[2].field("Sid"), "SM3");
    }
}
