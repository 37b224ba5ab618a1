//! The channel a message was sent through.

model_open_enum! {
    /// The channel of a message: `hs_communication_channel_type`.
    ///
    /// | variant | HubSpot's value |
    /// |---|---|
    /// | [`Channel::WhatsApp`] | `WHATS_APP` |
    /// | [`Channel::LinkedIn`] | `LINKEDIN_MESSAGE` |
    /// | [`Channel::Sms`] | `SMS` |
    /// | [`Channel::Other`] | any value HubSpot adds later, kept as sent |
    ///
    /// Parsing never fails and ignores surrounding whitespace and case: HubSpot's own example
    /// answers `"SMS "`.
    pub enum Channel {
        /// WhatsApp.
        WhatsApp = "WHATS_APP",
        /// LinkedIn messages.
        LinkedIn = "LINKEDIN_MESSAGE",
        /// SMS.
        Sms = "SMS",
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
        assert!(matches!(&later, Channel::Other(value) if value.as_str() == "TELEGRAM"));
        assert_eq!(later.to_string(), "TELEGRAM");
    }

    #[test]
    fn a_known_value_reads_as_its_variant_however_it_is_built() {
        // Channel::Other cannot be built from text: From is the only way, and it knows SMS.
        assert_eq!(Channel::from("SMS"), Channel::Sms);
        assert_eq!(Channel::from(String::from(" sms")), Channel::Sms);
        assert_ne!(Channel::from("SMS2"), Channel::Sms);
    }
}
