//! What the importer's and exporter's benchmarks share: the contacts' phone numbers.

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
