//! The access token, kept out of every printout: its `Debug` and `Display` show that there is
//! one, never what it is (an argument struct printed in a log or a panic must not leak it).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// A HubSpot private app token (`HUBSPOT_ACCESS_TOKEN`), trimmed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// The token `text` holds, trimmed; `None` when it is blank (an exported but empty
    /// variable is no token).
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        (!text.is_empty()).then(|| Self(text.to_owned()))
    }

    /// The token itself, for the client that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Reads any text, blank included: [`AccessToken::new`] says whether it is a token. (The
/// command line reads the variable through this, and a blank one must mean "no token", not a
/// parse error.)
impl FromStr for AccessToken {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Infallible> {
        Ok(Self(text.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_printout_shows_the_token() {
        let token = AccessToken::new("  pat-na1-secret \n").unwrap();
        assert_eq!(token.expose(), "pat-na1-secret");
        for shown in [
            format!("{token:?}"),
            format!("{token}"),
            format!("{:?}", Some(&token)),
        ] {
            assert!(!shown.contains("secret"), "{shown}");
        }
        assert_eq!(AccessToken::new(" \t"), None);
        assert_eq!("".parse::<AccessToken>().unwrap().expose(), "");
    }
}
