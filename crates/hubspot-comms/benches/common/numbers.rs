//! What the importer's, exporter's and relay's benchmarks share: the contacts' phone numbers,
//! and the forms a contact holds them in.

use hubspot_communications::{PhoneNumber, Region};

/// US area codes the numbers are spread over (1,000 numbers each).
const AREAS: [u32; 20] = [
    201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
    228,
];

/// `count` numbers in E.164, each valid (libphonenumber's metadata) and distinct.
pub(crate) fn numbers(count: usize) -> Vec<String> {
    let us = Some(Region::parse("US").unwrap());
    let mut numbers = Vec::with_capacity(count);
    let mut i = 0u32;
    while numbers.len() < count {
        let area = AREAS[(i % 20) as usize];
        let rest = 2_340_000 + i / 20;
        let e164 = format!("+1{area}{rest}");
        if PhoneNumber::parse(&e164, us).is_ok_and(|number| number.is_valid_in_metadata()) {
            numbers.push(e164);
        }
        i += 1;
    }
    numbers
}

/// The property and form the contact of `e164` (`+1AAANNNLLLL`) holds it in, the `form`th
/// of four: as people type numbers, so that finding the contact takes the lookup's reading.
pub(crate) fn stored_form(e164: &str, form: usize) -> (&'static str, String) {
    let (area, exchange, line) = (&e164[2..5], &e164[5..8], &e164[8..12]);
    match form % 4 {
        0 => ("phone", format!("+1 {area}-{exchange}-{line}")),
        1 => ("phone", format!("({area}) {exchange}-{line}")),
        2 => ("mobilephone", format!("{area}.{exchange}.{line}")),
        _ => ("phone", e164.to_owned()),
    }
}
