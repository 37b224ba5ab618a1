//! The relay's name for a HubSpot account (apart, so that the streams' keys can name one
//! without depending on the routes and clients that use the streams).

use std::fmt;

use super::error::RelayError;

/// The relay's name for a HubSpot account: part of its Redis keys, so 1 to 64 ASCII letters,
/// digits, `-`, `_` or `.`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountName(String);

impl AccountName {
    /// The longest name.
    pub const MAX_LEN: usize = 64;

    /// `name`, if it can name an account.
    pub fn new(name: impl Into<String>) -> Result<Self, RelayError> {
        let name = name.into();
        let fits = (1..=Self::MAX_LEN).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !fits {
            return Err(RelayError::Setting(format!(
                "{name:?} cannot name an account: 1 to {} ASCII letters, digits, '-', '_' or '.'",
                Self::MAX_LEN
            )));
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `default`: the one account of a relay that has one.
impl Default for AccountName {
    fn default() -> Self {
        Self("default".to_owned())
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
