//! HubSpot's calculated contact properties, kept current by every write of a contact as
//! HubSpot keeps them: formatting-free, searchable copies of its phone numbers.
//!
//! `hs_searchable_calculated_phone_number` (from `phone`) and
//! `hs_searchable_calculated_mobile_number` (from `mobilephone`) hold the national significant
//! number (the digits after the country code: `+44 7911 123456` → `7911123456`) of a number
//! that reads as a phone number, internationally (`+`, `00`) or nationally in the account's
//! region ([`Config::phone_region`](crate::Config::phone_region), `US` by default). For any
//! other text the fake keeps its digits only (`ext. 12` → `12`; none at all clears it). Both
//! are read-only: a write of them is ignored, like every read-only property of the fake.
//! `hs_searchable_calculated_international_phone_number` and `_mobile_number` hold the whole
//! number, country code included, as digits (`+44 7911 123456` → `447911123456`) when it reads
//! as a phone number, and are unset otherwise: HubSpot documents their names, not their form;
//! this is the fake's reading of "international", kept formatting-free like the others.
//!
//! A number reads as one when it is possible for its country code (one of libphonenumber's
//! lengths), whether or not the `phonenumber` crate's metadata knows its range: HubSpot reads
//! numbers with current metadata, and ranges opened since the crate's (`+1 472…`, `+254 1…`)
//! are valid there. The national significant number is read as the facade's `PhoneNumber`
//! reads it (kept in step with its `phone.rs`): libphonenumber's, where the crate drops a
//! national prefix that is part of the number (Russia's `8` of `+7 812…`).

use std::collections::BTreeMap;

use phonenumber::metadata::{DATABASE, Descriptor};
use phonenumber::{Metadata, country};

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
/// number, digits only, for a number that reads as one (internationally, or nationally in the
/// account's region).
pub(crate) fn international(text: &str, region: Option<country::Id>) -> Option<String> {
    let (code, national) = parse(text, region)?;
    Some(format!("{code}{national}"))
}

/// A number as typed, if it reads as one: its country code and national significant number.
fn parse(text: &str, region: Option<country::Id>) -> Option<(u16, String)> {
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
    let number = phonenumber::parse(region, &text).ok()?;
    let code = number.code().value();
    let plans = DATABASE.by_code(&code)?;
    // The digits typed for the number: after the country code, before an extension.
    let mut typed = digits.as_str();
    if international {
        typed = typed.strip_prefix("00").unwrap_or(typed);
        typed = typed.strip_prefix(&code.to_string())?;
    }
    if let Some(extension) = number.extension() {
        typed = typed.strip_suffix(&**extension).unwrap_or(typed);
    }
    let plan_read_in = match region {
        Some(id) => DATABASE.by_id(id.as_ref()),
        None => plans.first().copied(),
    };
    let prefix = plan_read_in.and_then(Metadata::national_prefix);
    let without_prefix = prefix.and_then(|prefix| typed.strip_prefix(prefix));
    let parsed = number.national().to_string();
    let readings: Vec<&str> = if international {
        // Only what drops digits: the crate's transforms of national numbers do not apply
        // after a country code.
        let crate_reading = typed.ends_with(&parsed).then_some(parsed.as_str());
        [Some(typed), crate_reading, without_prefix]
            .into_iter()
            .flatten()
            .collect()
    } else {
        [Some(parsed.as_str()), without_prefix, Some(typed)]
            .into_iter()
            .flatten()
            .collect()
    };
    let lengths = possible_lengths(plans.first()?);
    let possible = |national: &&str| lengths.contains(&(national.len() as u16));
    let fits = |national: &&str| {
        possible(national)
            && plans.iter().any(|plan| {
                (plan.descriptors().general().national_number())
                    .find(national)
                    .is_some_and(|found| found.start() == 0)
            })
    };
    let mut readings = readings.into_iter();
    let national = (readings.clone().find(fits)).or_else(|| readings.find(possible))?;
    Some((code, national.to_owned()))
}

/// The lengths of a plan's national significant numbers: the union of its kinds' (the crate
/// keeps no general ones), local-only lengths aside.
fn possible_lengths(plan: &Metadata) -> Vec<u16> {
    let kinds = plan.descriptors();
    let mut lengths: Vec<u16> = [
        kinds.fixed_line(),
        kinds.mobile(),
        kinds.toll_free(),
        kinds.premium_rate(),
        kinds.shared_cost(),
        kinds.personal_number(),
        kinds.voip(),
        kinds.pager(),
        kinds.uan(),
        kinds.voicemail(),
        Some(kinds.general()),
    ]
    .into_iter()
    .flatten()
    .flat_map(Descriptor::possible_length)
    .copied()
    .collect();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// The searchable form of a phone number as typed.
pub(crate) fn searchable(text: &str, region: Option<country::Id>) -> String {
    match parse(text, region) {
        Some((_, national)) => national,
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
        // Not a number: digits only.
        assert_eq!(searchable("12-34", us), "1234");
        assert_eq!(searchable("call me", us), "");
        // An extension is not part of the number.
        assert_eq!(searchable("+1 415 555 0123 ext. 12", us), "4155550123");
    }

    /// Numbers of ranges opened after the crate's metadata (9.0.33) are valid in HubSpot's:
    /// searchable as any number, in every form they are typed.
    #[test]
    fn numbers_newer_than_the_metadata_are_searchable_as_hubspot_reads_them() {
        let us = Some(country::Id::US);
        let ke = Some(country::Id::KE);
        for (text, region, national, whole) in [
            ("+1 472 555 8166", us, "4725558166", "14725558166"),
            ("(472) 555-8166", us, "4725558166", "14725558166"),
            (
                "001 472 555 8166",
                Some(country::Id::GB),
                "4725558166",
                "14725558166",
            ),
            ("+254 181 520498", us, "181520498", "254181520498"),
            ("0181 520498", ke, "181520498", "254181520498"),
            ("00254181520498", ke, "181520498", "254181520498"),
            ("+234 9100 424019", us, "9100424019", "2349100424019"),
            // The crate drops Russia's prefix 8 from St Petersburg's 812; libphonenumber not.
            ("+7 812 145-04-78", us, "8121450478", "78121450478"),
            (
                "8 (812) 145-04-78",
                Some(country::Id::RU),
                "8121450478",
                "78121450478",
            ),
        ] {
            assert_eq!(searchable(text, region), national, "{text}");
            assert_eq!(
                international(text, region).as_deref(),
                Some(whole),
                "{text}"
            );
        }
        // Too short or too long for its country code: digits only, no international form.
        assert_eq!(searchable("+254 181 52049812", us), "25418152049812");
        assert_eq!(international("+254 181 52049812", us), None);
        assert_eq!(international("+1 415 5550", us), None);
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
