//! HubSpot's calculated contact properties, kept current by every write of a contact as
//! HubSpot keeps them: formatting-free, searchable copies of its phone numbers.
//!
//! `hs_searchable_calculated_phone_number` (from `phone`) and
//! `hs_searchable_calculated_mobile_number` (from `mobilephone`) hold the national significant
//! number (the digits after the country code: `+44 7911 123456` → `7911123456`) of a number
//! that reads as a valid number, internationally (`+`, `00`) or nationally in the account's
//! region ([`Config::phone_region`](crate::Config::phone_region), `US` by default). For any
//! other text the fake keeps its digits only (`ext. 12` → `12`; none at all clears it). Both
//! are read-only: a write of them is ignored, like every read-only property of the fake.
//! `hs_searchable_calculated_international_phone_number` and `_mobile_number` hold the whole
//! number, country code included, as digits (`+44 7911 123456` → `447911123456`) when it reads
//! as a valid number, and are unset otherwise: HubSpot documents their names, not their form;
//! this is the fake's reading of "international", kept formatting-free like the others.

use std::collections::BTreeMap;

use phonenumber::country;

/// Each calculated property and the property it is calculated from.
pub(crate) const SEARCHABLE_PHONES: [(&str, &str); 2] = [
    ("phone", "hs_searchable_calculated_phone_number"),
    ("mobilephone", "hs_searchable_calculated_mobile_number"),
];

/// Each international calculated property and the property it is calculated from.
pub(crate) const INTERNATIONAL_PHONES: [(&str, &str); 2] = [
    (
        "phone",
        "hs_searchable_calculated_international_phone_number",
    ),
    (
        "mobilephone",
        "hs_searchable_calculated_international_mobile_number",
    ),
];

/// The most text read as a number: longer values keep their digits only.
const MAX_NUMBER_CHARS: usize = 64;

/// Sets a contact's calculated properties from its stored ones.
pub(crate) fn refresh(properties: &mut BTreeMap<String, String>, region: Option<country::Id>) {
    for (source, calculated) in INTERNATIONAL_PHONES {
        match properties
            .get(source)
            .and_then(|value| international(value, region))
        {
            Some(value) => {
                properties.insert(calculated.to_owned(), value);
            }
            None => {
                properties.remove(calculated);
            }
        }
    }
    for (source, calculated) in SEARCHABLE_PHONES {
        match properties
            .get(source)
            .map(|value| searchable(value, region))
        {
            Some(value) if !value.is_empty() => {
                properties.insert(calculated.to_owned(), value);
            }
            _ => {
                properties.remove(calculated);
            }
        }
    }
}

/// The international searchable form of a phone number as typed: country code and national
/// number, digits only, for a number that reads as valid (internationally, or nationally in
/// the account's region).
pub(crate) fn international(text: &str, region: Option<country::Id>) -> Option<String> {
    let number = parse(text, region)?;
    Some(format!("{}{}", number.code().value(), number.national()))
}

/// A number as typed, if it reads as a valid one.
fn parse(text: &str, region: Option<country::Id>) -> Option<phonenumber::PhoneNumber> {
    if text.chars().count() > MAX_NUMBER_CHARS {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let trimmed = text.trim();
    let international = trimmed.starts_with('+') || digits.starts_with("00");
    let text = match digits.strip_prefix("00") {
        Some(rest) if !trimmed.starts_with('+') => format!("+{rest}"),
        _ => trimmed.to_owned(),
    };
    let region = if international { None } else { region };
    if !international && region.is_none() {
        return None;
    }
    phonenumber::parse(region, &text)
        .ok()
        .filter(phonenumber::PhoneNumber::is_valid)
}

/// The searchable form of a phone number as typed.
pub(crate) fn searchable(text: &str, region: Option<country::Id>) -> String {
    match parse(text, region) {
        Some(number) => number.national().to_string(),
        None => text.chars().filter(char::is_ascii_digit).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_read_keep_their_national_significant_number_others_their_digits() {
        let us = Some(country::Id::US);
        assert_eq!(searchable("+44 7911 123456", us), "7911123456");
        assert_eq!(searchable("0044 7911 123456", us), "7911123456");
        assert_eq!(searchable("(415) 555-0123", us), "4155550123");
        assert_eq!(searchable("+1 415.555.0123", None), "4155550123");
        assert_eq!(
            searchable("07911 123456", Some(country::Id::GB)),
            "7911123456"
        );
        // Not a valid number: digits only.
        assert_eq!(searchable("12-34", us), "1234");
        assert_eq!(searchable("call me", us), "");
    }

    #[test]
    fn the_international_form_keeps_the_country_code_of_numbers_that_read() {
        let us = Some(country::Id::US);
        assert_eq!(
            international("+44 7911 123456", us).as_deref(),
            Some("447911123456")
        );
        assert_eq!(
            international("(415) 555-0123", us).as_deref(),
            Some("14155550123")
        );
        assert_eq!(
            international("07911 123456", Some(country::Id::GB)).as_deref(),
            Some("447911123456")
        );
        assert_eq!(international("12-34", us), None);
        assert_eq!(international("415 555 0123", None), None);
        let mut contact =
            BTreeMap::from([("mobilephone".to_owned(), "+49 1512 3456789".to_owned())]);
        refresh(&mut contact, us);
        assert_eq!(
            contact["hs_searchable_calculated_international_mobile_number"],
            "4915123456789"
        );
        contact.insert("mobilephone".to_owned(), "not a number".to_owned());
        refresh(&mut contact, us);
        assert!(!contact.contains_key("hs_searchable_calculated_international_mobile_number"));
    }

    #[test]
    fn every_write_recalculates_and_clearing_the_source_clears_the_copy() {
        let mut contact = BTreeMap::from([("phone".to_owned(), "+1 415 555 0123".to_owned())]);
        refresh(&mut contact, Some(country::Id::US));
        assert_eq!(
            contact["hs_searchable_calculated_phone_number"],
            "4155550123"
        );
        contact.remove("phone");
        refresh(&mut contact, Some(country::Id::US));
        assert!(!contact.contains_key("hs_searchable_calculated_phone_number"));
    }
}
