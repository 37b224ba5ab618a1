//! Phone numbers as people type them, normalised to E.164: the key contacts are looked up by.

use std::fmt;
use std::str::FromStr;

use phonenumber::metadata::{DATABASE, Descriptor};
use phonenumber::{Metadata, Mode, country};

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
    /// libphonenumber could not read it (an unknown country code, too few digits).
    #[error("{0}")]
    Unreadable(String),
    /// Its national significant number (the digits after the country code) has a length no
    /// number of its country code has: too short, too long, or between two lengths.
    #[error(
        "its {digits} digits after +{country_code} are not a length numbers of +{country_code} have ({})",
        join(.lengths)
    )]
    ImpossibleLength {
        /// The country code.
        country_code: u16,
        /// How many digits follow it.
        digits: usize,
        /// The lengths numbers of the country code have, shortest first.
        lengths: Vec<u16>,
    },
}

/// `[9, 10]` as `9 or 10`.
fn join(lengths: &[u16]) -> String {
    let mut words: Vec<String> = lengths.iter().map(u16::to_string).collect();
    let last = words.pop().unwrap_or_default();
    if words.is_empty() {
        last
    } else {
        format!("{} or {last}", words.join(", "))
    }
}

/// A phone number in E.164 form (`+14155550123`), read from the forms people type.
///
/// Any number whose length fits its country code is accepted, whether or not the numbering
/// metadata this build carries ([`PhoneNumber::METADATA_VERSION`]) knows its range: ranges
/// opened since are real numbers. [`PhoneNumber::is_valid_in_metadata`] tells which it is.
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
    /// Whether the metadata knows the number's range.
    valid: bool,
}

impl PhoneNumber {
    /// The release of libphonenumber's numbering metadata that the `phonenumber` crate of this
    /// workspace's `Cargo.lock` carries (the `+9.0.x` of its version; a test holds the two
    /// together). A program that resolved a newer `phonenumber` (`cargo update -p
    /// phonenumber`) carries that release's metadata instead: `cargo tree -i phonenumber`
    /// shows which.
    pub const METADATA_VERSION: &str = "9.0.33";

    /// Reads a phone number as people type it: spaces, dashes, dots, slashes and brackets are
    /// ignored; `+` or `00` starts an international number; a `whatsapp:`, `tel:` or `sms:`
    /// prefix is dropped; a national number is read in `default_region` (and is refused
    /// without one). Letters, extensions and other text are refused, never guessed around.
    ///
    /// The number must be possible for its country code: as many digits as its numbers have
    /// (libphonenumber's possible lengths). Whether the metadata knows its range does not
    /// matter, since ranges open every year; [`is_valid_in_metadata`](Self::is_valid_in_metadata)
    /// tells.
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
        let code = number.code().value();
        let plans = DATABASE.by_code(&code).unwrap_or_default();
        // The digits as typed: after the country code, or all of a national number.
        let typed = match cleaned.strip_prefix('+') {
            Some(digits) => digits.strip_prefix(&code.to_string()),
            None => Some(cleaned.as_str()),
        };
        // Its national prefix: of the region a national number is read in, else of the
        // country code's main region.
        let plan_read_in = match region {
            Some(id) => DATABASE.by_id(id.as_ref()),
            None => plans.first().copied(),
        };
        let prefix = plan_read_in.and_then(Metadata::national_prefix);
        let national = national_number(
            &plans,
            number.national().to_string(),
            typed,
            prefix,
            international,
        );
        let lengths = possible_lengths(&plans);
        if !lengths.contains(&(national.len() as u16)) {
            return Err(refuse(PhoneNumberProblem::ImpossibleLength {
                country_code: code,
                digits: national.len(),
                lengths,
            }));
        }
        let plan = plan_of(&plans, &national);
        Ok(Self {
            e164: format!("+{code}{national}"),
            valid: plan.is_some_and(|plan| has_known_type(plan, &national)),
            region: region_of(code, plan, &plans, default_region),
            national,
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
    /// region (`+800` freephone, satellite services). For a number the metadata does not know,
    /// the region its leading digits name, else `default_region` when it shares the country
    /// code, else the country code's main region.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// Whether the numbering metadata this build carries ([`Self::METADATA_VERSION`]) knows
    /// the number's range (libphonenumber's `isValidNumber`). `false` for a range opened
    /// since, or one that is not in use: worth a look, never a reason to drop a message.
    ///
    /// ```
    /// use hubspot_communications::PhoneNumber;
    ///
    /// let known: PhoneNumber = "+44 7911 123456".parse()?;
    /// assert!(known.is_valid_in_metadata());
    /// // Possible (ten digits after +1), but no area code 099 exists.
    /// let unknown: PhoneNumber = "+1 099 555 0123".parse()?;
    /// assert!(!unknown.is_valid_in_metadata());
    /// # Ok::<(), hubspot_communications::InvalidPhoneNumber>(())
    /// ```
    pub fn is_valid_in_metadata(&self) -> bool {
        self.valid
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
        // The crate's formatter takes its own reading of the number, which drops a leading
        // national prefix even where it is part of the number (`+7 812…`): used only when
        // that reading is this number.
        if let Ok(number) = phonenumber::parse(None, &self.e164)
            && number.national().to_string() == self.national
        {
            forms.push(digits(&number.format().mode(Mode::National).to_string()));
        }
        let prefix = DATABASE
            .by_id(region.as_str())
            .and_then(|metadata| metadata.national_prefix().map(str::to_owned));
        forms.push(format!("{}{}", prefix.unwrap_or_default(), self.national));
        forms.sort();
        forms.dedup();
        forms
    }
}

/// The national significant number of a number the `phonenumber` crate read as `parsed`, typed
/// with `typed` after its country code (or, national, as its digits), where numbers are
/// dialled nationally with `prefix`. The crate drops a national prefix whenever the digits
/// start with one (`8` in Russia, whose area codes may start with 8 too; twice in `8 812…`),
/// and after a country code only for ranges it knows (`+44 (0) 20…`); libphonenumber drops
/// it once, when the rest fits the plan better. So, of the readings (an international
/// number's digits as typed, without what the crate dropped, without the prefix; a national
/// number's reading by the crate, without the prefix, as typed), the first that fits the
/// plan, else the first of a possible length. Either way, the E.164 form reads back as itself.
fn national_number(
    plans: &[&Metadata],
    parsed: String,
    typed: Option<&str>,
    prefix: Option<&str>,
    international: bool,
) -> String {
    let Some(typed) = typed else {
        return parsed;
    };
    let without_prefix = prefix.and_then(|prefix| typed.strip_prefix(prefix));
    let readings: Vec<String> = if international {
        // Only what drops digits: the crate's transforms for national numbers (American
        // Samoa's 684 before a local number) do not apply after a country code.
        let crate_reading = typed.ends_with(&parsed).then_some(parsed.as_str());
        [Some(typed), crate_reading, without_prefix]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect()
    } else {
        [Some(parsed.as_str()), without_prefix, Some(typed)]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect()
    };
    let lengths = possible_lengths(plans);
    let possible = |national: &&String| lengths.contains(&(national.len() as u16));
    let fits = |national: &&String| {
        possible(national) && plans.iter().any(|plan| fits_plan(plan, national))
    };
    let chosen = (readings.iter().find(fits))
        .or_else(|| readings.iter().find(possible))
        .unwrap_or(&readings[0]);
    chosen.clone()
}

/// Whether `national` starts with the general pattern of `plan` (broad: every range of the
/// country, current or to come, mostly fits it).
fn fits_plan(plan: &Metadata, national: &str) -> bool {
    (plan.descriptors().general().national_number())
        .find(national)
        .is_some_and(|found| found.start() == 0)
}

/// The descriptions of a plan's kinds of number (fixed line, mobile, toll free…).
fn number_types(plan: &Metadata) -> impl Iterator<Item = &Descriptor> {
    let types = plan.descriptors();
    [
        types.fixed_line(),
        types.mobile(),
        types.toll_free(),
        types.premium_rate(),
        types.shared_cost(),
        types.personal_number(),
        types.voip(),
        types.pager(),
        types.uan(),
        types.voicemail(),
    ]
    .into_iter()
    .flatten()
}

/// The lengths of a plan's national significant numbers: libphonenumber's general possible
/// lengths, the union of its kinds' (the crate keeps each kind's only). Local-only lengths
/// (a US number without its area code) are not numbers E.164 can hold.
fn lengths_of(plan: &Metadata) -> impl Iterator<Item = u16> + '_ {
    let general = plan.descriptors().general().possible_length();
    number_types(plan)
        .flat_map(Descriptor::possible_length)
        .chain(general)
        .copied()
}

/// The lengths numbers of a country code have, shortest first: those of its main region (the
/// first plan), as libphonenumber's `isPossibleNumber` reads them.
fn possible_lengths(plans: &[&Metadata]) -> Vec<u16> {
    let mut lengths: Vec<u16> = plans
        .first()
        .into_iter()
        .flat_map(|plan| lengths_of(plan))
        .collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// Whether the plan knows the number's range: one of its kinds matches (libphonenumber's
/// number type is not `UNKNOWN`).
///
/// A kind matches as the `phonenumber` crate matches it: its pattern at the start of the
/// number, and one of its lengths. (A whole-number match would need anchored copies of the
/// patterns: the crate's leftmost-first search can stop short of a longer alternative.)
fn has_known_type(plan: &Metadata, national: &str) -> bool {
    plan.descriptors().general().is_match(national)
        && number_types(plan).any(|kind| kind.is_match(national))
}

/// libphonenumber's plan for a number among those sharing its country code: the only one,
/// else the first whose leading digits it starts with, or (for plans without) whose kinds
/// know it.
fn plan_of<'a>(plans: &[&'a Metadata], national: &str) -> Option<&'a Metadata> {
    if let [only] = plans {
        return Some(only);
    }
    plans
        .iter()
        .copied()
        .find(|plan| match plan.leading_digits() {
            Some(leading) => leading
                .find(national)
                .is_some_and(|found| found.start() == 0),
            None => has_known_type(plan, national),
        })
}

/// The region a number belongs to: its plan's; for a number no plan claims, the default
/// region when it shares the country code, else the country code's main region.
fn region_of(
    code: u16,
    plan: Option<&Metadata>,
    plans: &[&Metadata],
    default_region: Option<Region>,
) -> Option<Region> {
    if let Some(plan) = plan {
        return Region::parse(plan.id()).ok();
    }
    if let Some(region) = default_region.filter(|region| {
        DATABASE
            .by_id(region.as_str())
            .is_some_and(|metadata| metadata.country_code() == code)
    }) {
        return Some(region);
    }
    // The main region comes first.
    Region::parse(plans.first()?.id()).ok()
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

    /// Numbers of ranges opened after metadata 9.0.33, valid in libphonenumber 9.0.43 (the
    /// issue's three, and from the diff of the two: Spain's 400, Bangladesh's 64, Buenos
    /// Aires' 11 0…, Turkey's 582), as people type them: each reads as its E.164 number, in
    /// its region, flagged as unknown to the metadata.
    #[test]
    fn numbers_of_ranges_newer_than_the_metadata_are_read() {
        let table = [
            ("+1 472 555 8166", None, "+14725558166", "US"),
            ("(472) 555-8166", region("US"), "+14725558166", "US"),
            ("1-472-555-8166", region("CA"), "+14725558166", "CA"),
            ("+254 181 520498", None, "+254181520498", "KE"),
            ("0181 520498", region("KE"), "+254181520498", "KE"),
            ("whatsapp:+254181520498", None, "+254181520498", "KE"),
            ("+234 9100 424019", None, "+2349100424019", "NG"),
            ("0910 042 4019", region("NG"), "+2349100424019", "NG"),
            ("00234 910 042 4019", region("GB"), "+2349100424019", "NG"),
            ("+34 400 48 07 70", None, "+34400480770", "ES"),
            ("+880 6405-826324", None, "+8806405826324", "BD"),
            ("06405-826324", region("BD"), "+8806405826324", "BD"),
            ("+54 11 0663-4259", None, "+541106634259", "AR"),
            ("+90 582 484 90 25", None, "+905824849025", "TR"),
        ];
        for (text, default_region, e164, home) in table {
            let number = PhoneNumber::parse(text, default_region)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(number.as_str(), e164, "{text:?}");
            assert_eq!(number.region(), region(home), "{text:?}");
            assert!(
                !number.is_valid_in_metadata(),
                "{text:?} is known to the metadata now"
            );
            assert_eq!(e164.parse::<PhoneNumber>().unwrap(), number, "{e164}");
        }
        let known: PhoneNumber = "+254 712 345678".parse().unwrap();
        assert!(known.is_valid_in_metadata());
    }

    /// The crate drops Russia's national prefix 8 from area codes that start with it (and
    /// twice from `8 812…`): St Petersburg's numbers read as themselves.
    #[test]
    fn a_national_prefix_is_dropped_once_and_only_when_the_rest_fits() {
        let ru = region("RU");
        for (text, default_region) in [
            ("+7 812 145-04-78", None),
            ("8 (812) 145-04-78", ru),
            ("(812) 145-04-78", ru),
            ("+7 8 812 145-04-78", None),
        ] {
            let number = PhoneNumber::parse(text, default_region)
                .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(number.as_str(), "+78121450478", "{text:?}");
            assert_eq!(number.region(), ru, "{text:?}");
            assert!(number.is_valid_in_metadata(), "{text:?}");
        }
        let spb: PhoneNumber = "+78121450478".parse().unwrap();
        assert_eq!(spb.national_digit_forms(), ["88121450478"]);
        // A UK prefix typed after the country code, in a range the metadata does not know.
        let new_uk: PhoneNumber = "+44 (0) 7645 123456".parse().unwrap();
        assert_eq!(new_uk.as_str(), "+447645123456");
        assert!(!new_uk.is_valid_in_metadata());
    }

    #[test]
    fn impossible_numbers_are_refused_with_their_lengths() {
        let refused = |text: &str, default_region| {
            PhoneNumber::parse(text, default_region)
                .map(|n| n.to_string())
                .unwrap_err()
                .problem
        };
        let impossible =
            |country_code, digits, lengths: &[u16]| PhoneNumberProblem::ImpossibleLength {
                country_code,
                digits,
                lengths: lengths.to_vec(),
            };
        // Seven digits after +1: a US number without its area code, not a whole number.
        assert_eq!(refused("+1 415 5550", None), impossible(1, 7, &[10]));
        assert_eq!(
            refused("(472) 555-81666", region("US")),
            impossible(1, 11, &[10])
        );
        assert_eq!(
            refused("+254 181 52049812", None),
            impossible(254, 11, &[7, 8, 9, 10])
        );
        assert_eq!(
            refused("+234 91 004", None),
            impossible(234, 5, &[10, 11, 12, 13, 14])
        );
        assert_eq!(refused("+7 812 145-04", None), impossible(7, 8, &[10, 14]));
        assert_eq!(
            refused("+254 181 52O498", None),
            PhoneNumberProblem::UnexpectedCharacter('O')
        );
        assert!(matches!(
            refused("+999 1234 5678", None),
            PhoneNumberProblem::Unreadable(_)
        ));
        let error = PhoneNumber::parse("+1 415 5550", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"+1 415 5550\" is not a phone number: its 7 digits after +1 are not a length \
             numbers of +1 have (10)"
        );
    }

    /// The constant names the metadata of the `phonenumber` in the workspace's lock file:
    /// updating the crate without it fails here.
    #[test]
    fn the_metadata_version_is_that_of_the_locked_phonenumber() {
        let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
        let lock = std::fs::read_to_string(lock).expect("the workspace's Cargo.lock");
        let locked = lock
            .split("[[package]]")
            .find(|package| package.contains("name = \"phonenumber\""))
            .and_then(|package| package.split("version = \"").nth(1))
            .and_then(|version| version.split('"').next())
            .expect("phonenumber in Cargo.lock");
        assert!(!PhoneNumber::METADATA_VERSION.is_empty());
        assert_eq!(
            locked.split_once('+').map(|(_, metadata)| metadata),
            Some(PhoneNumber::METADATA_VERSION),
            "phonenumber {locked}"
        );
        // And the metadata is that release's: 472 is a US area code from 9.0.37 on.
        let new_area: PhoneNumber = "+1 472 555 8166".parse().unwrap();
        assert!(!new_area.is_valid_in_metadata());
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
