//! A string that must not be shown: tokens and client secrets.

use std::fmt;

/// A secret (an access or refresh token, a client secret): `Debug` and `Display` print
/// `<redacted>`, so that it cannot reach a log, an error or a trace by accident. Read it with
/// [`Secret::expose`] where it must go (a header, your credential store).
///
/// ```
/// use hubspot_communications::Secret;
///
/// let secret = Secret::new("na1-6d2f-refresh");
/// assert_eq!(format!("{secret} {secret:?}"), "<redacted> Secret(<redacted>)");
/// assert_eq!(secret.expose(), "na1-6d2f-refresh");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
