//! Phone numbers as people type them, normalised to E.164: the key contacts are looked up by.

use std::fmt;
use std::str::FromStr;

use phonenumber::{Mode, country};

/// The longest text [`PhoneNumber::parse`] reads: far above any number and its formatting,
/// and a bound on the work junk can cause.
const MAX_INPUT_CHARS: usize = 64;

/// Prefixes providers put before a number (`whatsapp:+14155550123` from Twilio, `tel:` URIs).
const PREFIXES: [&str; 3] = ["whatsapp:", "tel:", "sms:"];

/// A region (country) by its ISO 3166-1 two-letter code, e.g. `GB` or `US`: the region a
/// national number (one without `+` or `00`) is read in.
///
/// ```
/// use hubspot_communications::Region;
///
/// let uk = Region::parse("gb")?;
/// assert_eq!(uk.as_str(), "GB");
/// assert!(Region::parse("UK").is_err()); // ISO's code is GB
/// # Ok::<(), hubspot_communications::InvalidRegion>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    code: [u8; 2],
}

impl Region {
    /// Reads a two-letter region code, in any case; refuses codes libphonenumber has no
    /// numbering plan for.
    pub fn parse(code: &str) -> Result<Self, InvalidRegion> {
        let invalid = || InvalidRegion(code.to_owned());
        let upper = code.trim().to_ascii_uppercase();
        let bytes: [u8; 2] = upper
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 2]| b.iter().all(u8::is_ascii_uppercase))
            .ok_or_else(invalid)?;
        upper.parse::<country::Id>().map_err(|_| invalid())?;
        Ok(Self { code: bytes })
    }

    /// libphonenumber's id of the region (checked by `parse`).
    fn id(self) -> Option<country::Id> {
        self.as_str().parse().ok()
    }

    /// The upper-case two-letter code.
    pub fn as_str(&self) -> &str {
        // Two ASCII upper-case letters, checked by `parse`.
        std::str::from_utf8(&self.code).unwrap_or("??")
    }

    fn from_id(id: country::Id) -> Option<Self> {
        Self::parse(id.as_ref()).ok()
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = InvalidRegion;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::parse(code)
    }
}

/// A region code that is not an ISO 3166-1 two-letter code with a numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a two-letter region code with a numbering plan (e.g. US, GB)")]
pub struct InvalidRegion(pub String);

/// Text that is not a phone number [`PhoneNumber::parse`] can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a phone number: {problem}")]
#[non_exhaustive]
pub struct InvalidPhoneNumber {
    /// The text given (cut to its first 64 characters).
    pub input: String,
    /// Why it was refused.
    pub problem: PhoneNumberProblem,
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneNumberProblem {
    /// No digits at all.
    #[error("it is empty")]
    Empty,
    /// Longer than any number with its formatting.
    #[error("it is longer than {MAX_INPUT_CHARS} characters")]
    TooLong,
    /// A character that has no place in a phone number (a letter, an extension mark).
    #[error("it holds {0:?}")]
    UnexpectedCharacter(char),
    /// A national number (no `+` or `00`) and no default region to read it in.
    #[error("it has no country code (+ or 00) and no default region was given")]
    NoRegion,
    /// libphonenumber could not read it.
    #[error("{0}")]
    Unreadable(String),
    /// It reads as a number, but not one of its region's numbering plan (too short, too long,
    /// an unused range).
    #[error("it is not a valid number of its region's numbering plan")]
    NotValid,
}

/// A phone number in E.164 form (`+14155550123`), read from the forms people type.
///
/// Equality, hashing and order are those of the E.164 text, so the same number typed two ways
/// is one key.
///
/// ```
/// use hubspot_communications::{PhoneNumber, Region};
///
/// let us = Some(Region::parse("US")?);
/// let typed = ["+1 (415) 555-0123", "whatsapp:+14155550123", "001 415 555 0123", "415.555.0123"];
/// for text in typed {
///     assert_eq!(PhoneNumber::parse(text, us)?.as_str(), "+14155550123");
/// }
/// // A UK mobile typed nationally, read in its region.
/// let uk = PhoneNumber::parse("07911 123456", Some(Region::parse("GB")?))?;
/// assert_eq!(uk.to_string(), "+447911123456");
/// assert_eq!(uk.national_significant_number(), "7911123456");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PhoneNumber {
    e164: String,
    /// The national significant number: the digits after the country code, which HubSpot's
    /// calculated searchable phone properties hold.
    national: String,
    /// The region the number belongs to, when its country code names one.
    region: Option<Region>,
}

impl PhoneNumber {
    /// Reads a phone number as people type it: spaces, dashes, dots, slashes and brackets are
    /// ignored; `+` or `00` starts an international number; a `whatsapp:`, `tel:` or `sms:`
    /// prefix is dropped; a national number is read in `default_region` (and is refused
    /// without one). The number must be valid in its region's numbering plan (libphonenumber's
    /// metadata). Letters, extensions and other text are refused, never guessed around.
    pub fn parse(text: &str, default_region: Option<Region>) -> Result<Self, InvalidPhoneNumber> {
        let refuse = |problem| InvalidPhoneNumber {
            input: text.chars().take(MAX_INPUT_CHARS).collect(),
            problem,
        };
        if text.chars().count() > MAX_INPUT_CHARS {
            return Err(refuse(PhoneNumberProblem::TooLong));
        }
        let cleaned = clean(text).map_err(refuse)?;
        let international = cleaned.starts_with('+');
        let region = match (international, default_region) {
            (true, _) => None,
            (false, Some(region)) => Some(region.id().ok_or_else(|| {
                refuse(PhoneNumberProblem::Unreadable(format!(
                    "no numbering plan for {region}"
                )))
            })?),
            (false, None) => return Err(refuse(PhoneNumberProblem::NoRegion)),
        };
        let number = phonenumber::parse(region, &cleaned)
            .map_err(|e| refuse(PhoneNumberProblem::Unreadable(e.to_string())))?;
        if number.extension().is_some() {
            return Err(refuse(PhoneNumberProblem::UnexpectedCharacter('x')));
        }
        if !number.is_valid() {
            return Err(refuse(PhoneNumberProblem::NotValid));
        }
        let e164 = number.format().mode(Mode::E164).to_string();
        Ok(Self {
            national: number.national().to_string(),
            region: region_of(&number, default_region),
            e164,
        })
    }

    /// The E.164 form: `+` and at most 15 digits.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The national significant number: the digits after the country code (`7911123456` for
    /// `+447911123456`), the form HubSpot's calculated searchable phone properties keep.
    pub fn national_significant_number(&self) -> &str {
        &self.national
    }

    /// The region the number belongs to (`US` for `+14155550123`); `None` for numbers of no
    /// region (`+800` freephone, satellite services).
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// The digits of the number as its own region writes it nationally: its national format
    /// (`020 7946 0958` in the UK, `(207) 946-0958` in the US), and its national prefix
    /// followed by the national significant number (`1 207 946 0958`). A number text without
    /// `+` or `00` is this number only if its digits are one of these: `207-946-0958` is a US
    /// number, not the UK's `+44 20 7946 0958`, whose national significant number it shares.
    pub(crate) fn national_digit_forms(&self) -> Vec<String> {
        let Some(region) = self.region else {
            return Vec::new();
        };
        let digits = |text: &str| {
            text.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        };
        let mut forms = Vec::with_capacity(2);
        if let Ok(number) = phonenumber::parse(None, &self.e164) {
            forms.push(digits(&number.format().mode(Mode::National).to_string()));
        }
        let prefix = phonenumber::metadata::DATABASE
            .by_id(region.as_str())
            .and_then(|metadata| metadata.national_prefix().map(str::to_owned));
        forms.push(format!("{}{}", prefix.unwrap_or_default(), self.national));
        forms.sort();
        forms.dedup();
        forms
    }
}

/// The region a number belongs to. libphonenumber's own answer looks the number up without
/// its leading zeros (an Italian landline finds none), so then: the default region when the
/// number has its country code, else the main region of the country code.
fn region_of(number: &phonenumber::PhoneNumber, default_region: Option<Region>) -> Option<Region> {
    if let Some(region) = number.country().id().and_then(Region::from_id) {
        return Some(region);
    }
    let code = number.code().value();
    let database = &phonenumber::metadata::DATABASE;
    if let Some(region) = default_region.filter(|region| {
        database
            .by_id(region.as_str())
            .is_some_and(|metadata| metadata.country_code() == code)
    }) {
        return Some(region);
    }
    let main = database.region(&code)?.into_iter().next()?;
    Region::parse(main).ok()
}

/// The text with formatting removed and a provider prefix dropped: digits with an optional
/// leading `+` (`00` becomes `+`). Refuses characters that have no place in a number.
fn clean(text: &str) -> Result<String, PhoneNumberProblem> {
    let mut rest = text.trim();
    for prefix in PREFIXES {
        if rest.len() >= prefix.len()
            && rest.is_char_boundary(prefix.len())
            && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            rest = rest[prefix.len()..].trim_start();
            break;
        }
    }
    let mut cleaned = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => cleaned.push(c),
            // A `+` only before the first digit.
            '+' if cleaned.is_empty() => cleaned.push(c),
            ' ' | '\t' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\u{2010}'..='\u{2015}' => {}
            other => return Err(PhoneNumberProblem::UnexpectedCharacter(other)),
        }
    }
    if cleaned.trim_start_matches('+').is_empty() {
        return Err(PhoneNumberProblem::Empty);
    }
    if let Some(international) = cleaned.strip_prefix("00") {
        cleaned = format!("+{international}");
    }
    Ok(cleaned)
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.e164 == other.e164
    }
}

impl Eq for PhoneNumber {}

impl std::hash::Hash for PhoneNumber {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.e164.hash(state);
    }
}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.e164.cmp(&other.e164)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.e164)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

impl FromStr for PhoneNumber {
    type Err = InvalidPhoneNumber;

    /// Reads an international number (`+` or `00`): there is no default region.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text, None)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.e164)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for PhoneNumber {
    /// Reads E.164 (or any international form [`PhoneNumber::parse`] reads).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> Option<Region> {
        Some(Region::parse(code).unwrap())
    }

    #[test]
    fn the_forms_people_type_read_as_one_number() {
        let table = [
            ("+14155550123", None, "+14155550123"),
            ("+1 (415) 555-0123", None, "+14155550123"),
            ("+1.415.555.0123", None, "+14155550123"),
            ("  +1 415 555 0123  ", None, "+14155550123"),
            ("001 415 555 0123", None, "+14155550123"),
            ("00-1-415-555-0123", region("GB"), "+14155550123"),
            ("whatsapp:+14155550123", None, "+14155550123"),
            ("WhatsApp: +1 415 555 0123", None, "+14155550123"),
            ("tel:+1-415-555-0123", None, "+14155550123"),
            ("sms:+14155550123", None, "+14155550123"),
            ("(415) 555-0123", region("US"), "+14155550123"),
            ("415/555 0123", region("US"), "+14155550123"),
            ("1 415 555 0123", region("US"), "+14155550123"),
            ("011 44 7911 123456", region("US"), "+447911123456"),
            ("07911 123456", region("GB"), "+447911123456"),
            ("+44 (0) 7911 123456", None, "+447911123456"),
            ("+44\u{a0}7911\u{2013}123456", None, "+447911123456"),
            ("030 123456", region("DE"), "+4930123456"),
            ("06 1234 5678", region("IT"), "+390612345678"),
        ];
        for (text, default_region, e164) in table {
            let number = PhoneNumber::parse(text, default_region)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(number.as_str(), e164, "{text:?}");
        }
    }

    #[test]
    fn the_national_significant_number_and_region_are_the_searchable_parts() {
        let uk: PhoneNumber = "+44 7911 123456".parse().unwrap();
        assert_eq!(uk.national_significant_number(), "7911123456");
        // libphonenumber knows the ranges: 7911 12… is Guernsey's, under +44 too.
        assert_eq!(uk.region(), region("GG"));
        // Italy keeps its leading zero in the national significant number.
        let rome = PhoneNumber::parse("06 1234 5678", region("IT")).unwrap();
        assert_eq!(rome.national_significant_number(), "0612345678");
        assert_eq!(rome.national_digit_forms(), ["0612345678"]);
        let london: PhoneNumber = "+44 20 7946 0958".parse().unwrap();
        assert_eq!(london.region(), region("GB"));
        assert_eq!(london.national_digit_forms(), ["02079460958"]);
        let maine: PhoneNumber = "+1 207 946 0958".parse().unwrap();
        assert_eq!(maine.national_digit_forms(), ["12079460958", "2079460958"]);
    }

    #[test]
    fn one_number_is_one_key() {
        let a = PhoneNumber::parse("(415) 555-0123", region("US")).unwrap();
        let b: PhoneNumber = "whatsapp:+14155550123".parse().unwrap();
        assert_eq!(a, b);
        let keys: std::collections::HashSet<PhoneNumber> = [a.clone(), b].into();
        assert_eq!(keys.len(), 1);
        assert_eq!(format!("{a:?}"), "PhoneNumber(+14155550123)");
        assert_eq!(a.to_string(), "+14155550123");
    }

    #[test]
    fn regions_are_iso_codes_with_a_numbering_plan() {
        assert_eq!(Region::parse(" gb ").unwrap().as_str(), "GB");
        assert_eq!("US".parse::<Region>().unwrap().to_string(), "US");
        for bad in ["UK", "G", "GBR", "", "1A", "É"] {
            assert_eq!(
                Region::parse(bad),
                Err(InvalidRegion(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_writes_e164_and_reads_international_forms() {
        let number: PhoneNumber = "+44 7911 123456".parse().unwrap();
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, "\"+447911123456\"");
        assert_eq!(serde_json::from_str::<PhoneNumber>(&json).unwrap(), number);
        assert!(serde_json::from_str::<PhoneNumber>("\"7911 123456\"").is_err());
        assert_eq!(
            serde_json::from_str::<Region>("\"GB\"").unwrap(),
            Region::parse("GB").unwrap()
        );
    }
}
