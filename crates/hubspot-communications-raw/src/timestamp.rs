//! HubSpot's date-times (`createdAt`, `updatedAt`, `archivedAt`, a batch's `completedAt` ...).
//!
//! The spec's `format: date-time` strings decode to [`Timestamp`] instead of chrono's own type
//! (`spec/client.toml`, `[formats]`): every message read carries at least two of them, and
//! chrono's lenient parser, which its serde support uses, costs several times its strict RFC 3339
//! parser. HubSpot writes strict RFC 3339, so that is tried first.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

/// A date-time as HubSpot writes it (`2024-05-01T12:30:00.000Z`), in UTC.
///
/// It dereferences to, and converts both ways from and into, [`chrono::DateTime<Utc>`].
/// Decoding accepts strict RFC 3339 and, failing that, whatever chrono's lenient parser accepts
/// (a space for the `T`, say); encoding writes what chrono's serde support writes.
///
/// ```
/// use hubspot_communications_raw::Timestamp;
///
/// let at: Timestamp = "2024-05-01T12:30:00.000Z".parse()?;
/// assert_eq!(at.timestamp_millis(), 1_714_566_600_000);
/// assert_eq!(at.to_string(), "2024-05-01T12:30:00Z");
/// # Ok::<(), chrono::ParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Deref for Timestamp {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> Self {
        at.0
    }
}

impl FromStr for Timestamp {
    type Err = chrono::ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(text)
            .or_else(|_| text.parse::<DateTime<FixedOffset>>())
            .map(|at| Self(at.with_timezone(&Utc)))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339, as HubSpot writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Result<Timestamp, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn decodes_what_chrono_decodes() {
        for text in [
            "2024-05-01T12:30:00.123Z",
            "2024-05-01T12:30:00Z",
            "2024-05-01T14:30:00.123456789+02:00",
            "2024-05-01 12:30:00.123Z",
            "2024-05-01t12:30:00.123z",
        ] {
            let ours = decode(&format!("\"{text}\"")).unwrap();
            let chrono: DateTime<Utc> = serde_json::from_str(&format!("\"{text}\"")).unwrap();
            assert_eq!(ours.0, chrono, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for json in [
            "\"yesterday\"",
            "\"2024-13-01T00:00:00Z\"",
            "\"\"",
            "1714566600000",
        ] {
            assert!(decode(json).is_err(), "{json}");
        }
    }

    #[test]
    fn encodes_as_chrono_does() {
        let at: Timestamp = "2024-05-01T12:30:00.120Z".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            serde_json::to_string(&at.0).unwrap()
        );
        assert_eq!(decode(&serde_json::to_string(&at).unwrap()).unwrap(), at);
    }
}
