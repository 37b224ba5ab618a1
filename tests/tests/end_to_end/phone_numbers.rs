//! `PhoneNumber::parse` on arbitrary text: never a panic, and what it accepts is E.164 that
//! reads back as itself; a valid number typed with any formatting is the same number.

use hubspot_communications::{PhoneNumber, Region};
use proptest::prelude::*;

fn regions() -> impl Strategy<Value = Option<Region>> {
    prop_oneof![
        Just(None),
        Just(Some(Region::parse("US").unwrap())),
        Just(Some(Region::parse("GB").unwrap())),
        Just(Some(Region::parse("DE").unwrap())),
        Just(Some(Region::parse("IT").unwrap())),
    ]
}

/// What every accepted number satisfies.
fn check_accepted(number: &PhoneNumber) -> Result<(), TestCaseError> {
    let e164 = number.as_str();
    prop_assert!(e164.starts_with('+'), "{e164}");
    prop_assert!(e164.len() <= 16, "{e164}");
    prop_assert!(e164[1..].chars().all(|c| c.is_ascii_digit()), "{e164}");
    prop_assert!(
        e164.ends_with(number.national_significant_number()),
        "{e164}"
    );
    let again: PhoneNumber = e164
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(&again, number);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_text_is_a_number_or_a_typed_error(text in any::<String>(), region in regions()) {
        match PhoneNumber::parse(&text, region) {
            Ok(number) => check_accepted(&number)?,
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }

    #[test]
    fn text_made_of_phone_characters_never_panics(
        text in "(whatsapp:|tel:|sms:)?[+0-9 ()./#*x-]{0,40}",
        region in regions(),
    ) {
        if let Ok(number) = PhoneNumber::parse(&text, region) {
            check_accepted(&number)?;
        }
    }

    #[test]
    fn formatting_does_not_change_the_number(
        index in 0usize..4,
        separators in proptest::collection::vec("[ .()/-]{0,2}", 16),
        international_prefix in prop_oneof![Just("+"), Just("00"), Just("whatsapp:+")],
    ) {
        let numbers = ["+14155550123", "+442079460958", "+4930123456", "+390612345678"];
        let e164 = numbers[index];
        let mut typed = international_prefix.to_owned();
        for (digit, separator) in e164[1..].chars().zip(&separators) {
            typed.push(digit);
            typed.push_str(separator);
        }
        let number = PhoneNumber::parse(&typed, None)
            .map_err(|e| TestCaseError::fail(format!("{typed:?}: {e}")))?;
        prop_assert_eq!(number.as_str(), e164, "{:?}", typed);
    }
}
