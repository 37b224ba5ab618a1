//! The value of an open enum that this version does not know.

use std::fmt;

/// A value HubSpot sent that this version of the crate does not know, kept as sent: the
/// payload of the `Other` variant of [`Channel`](crate::Channel),
/// [`ObjectType`](crate::ObjectType) and the crate's other open enums.
///
/// Only the crate makes one, when it reads a value that none of an enum's variants spells, so
/// a known value always reads as its variant however it was built (`Channel::from("SMS")` is
/// [`Channel::Sms`](crate::Channel::Sms)), and no code can depend on the text of a value a
/// later version names: read it with [`as_str`](Self::as_str).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value, as HubSpot sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only for the open enums' parsing, after no known spelling matched.
    pub(crate) fn new(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
