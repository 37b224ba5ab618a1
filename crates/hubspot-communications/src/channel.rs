//! The channel a message was sent through.

use std::fmt;
use std::str::FromStr;

/// The channel of a message: `hs_communication_channel_type`.
///
/// | variant | HubSpot's value |
/// |---|---|
/// | [`Channel::WhatsApp`] | `WHATS_APP` |
/// | [`Channel::LinkedIn`] | `LINKEDIN_MESSAGE` |
/// | [`Channel::Sms`] | `SMS` |
/// | [`Channel::Other`] | any value HubSpot adds later, kept as sent |
///
/// Parsing ignores surrounding whitespace: HubSpot's own example answers `"SMS "`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Channel {
    /// WhatsApp.
    WhatsApp,
    /// LinkedIn messages.
    LinkedIn,
    /// SMS.
    Sms,
    /// A channel this version does not know.
    Other(String),
}

impl Channel {
    /// HubSpot's value for the channel.
    pub fn as_str(&self) -> &str {
        match self {
            Self::WhatsApp => "WHATS_APP",
            Self::LinkedIn => "LINKEDIN_MESSAGE",
            Self::Sms => "SMS",
            Self::Other(value) => value,
        }
    }
}

impl FromStr for Channel {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(match value.trim() {
            "WHATS_APP" => Self::WhatsApp,
            "LINKEDIN_MESSAGE" => Self::LinkedIn,
            "SMS" => Self::Sms,
            other => Self::Other(other.to_owned()),
        })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hubspot_values_leniently_and_keeps_new_ones() {
        assert_eq!("SMS ".parse::<Channel>().unwrap(), Channel::Sms);
        assert_eq!(" WHATS_APP".parse::<Channel>().unwrap(), Channel::WhatsApp);
        assert_eq!(
            "LINKEDIN_MESSAGE".parse::<Channel>().unwrap(),
            Channel::LinkedIn
        );
        let later = "TELEGRAM".parse::<Channel>().unwrap();
        assert_eq!(later, Channel::Other("TELEGRAM".into()));
        assert_eq!(later.to_string(), "TELEGRAM");
    }
}
