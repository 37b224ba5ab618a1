//! Times as input files write them, which `import` reads and `export --since` takes too.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// When a message was sent, as exports write it: RFC 3339, RFC 2822 (Twilio's API), a date and
/// time without offset (UTC, with an optional ` UTC` or `Z`), Unix seconds or milliseconds.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let number: i64 = text.parse().ok()?;
        // Milliseconds from 1973 on; seconds before the year 5138.
        return if number >= 100_000_000_000 {
            DateTime::from_timestamp_millis(number)
        } else {
            DateTime::from_timestamp(number, 0)
        };
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.to_utc());
    }
    if let Ok(time) = DateTime::parse_from_rfc2822(text) {
        return Some(time.to_utc());
    }
    let naive = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" GMT"))
        .or_else(|| text.strip_suffix('Z'))
        .unwrap_or(text);
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(naive, format).ok())
    .map(|time| time.and_utc())
}

/// `export --since` and `--until`: a date (midnight UTC) or the times [`parse_time`] reads.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|time| time.and_utc());
    }
    parse_time(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_exports_use() {
        let expected = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .to_utc();
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T12:00:00+02:00",
            "2024-05-01 10:00:00",
            "2024-05-01 10:00:00 UTC",
            "2024-05-01T10:00:00.000",
            "Wed, 01 May 2024 10:00:00 +0000",
            "1714557600",
            "1714557600000",
        ] {
            assert_eq!(parse_time(text), Some(expected), "{text}");
        }
        for text in ["", "May 1st", "2024-13-01 10:00:00", "99999999999999999999"] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }

    #[test]
    fn a_date_alone_is_midnight_utc() {
        let midnight = DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(parse_instant(" 2024-05-01 "), Some(midnight));
        assert_eq!(parse_instant("1714557600"), parse_time("1714557600"));
        assert_eq!(parse_instant("2024-05-32"), None);
    }
}
