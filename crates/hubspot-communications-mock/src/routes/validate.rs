//! What HubSpot checks on a message's properties: its channel and where it was logged from.

use std::collections::BTreeMap;

use crate::error::ApiError;

/// The channels HubSpot accepts for `hs_communication_channel_type`.
pub(crate) const CHANNELS: [&str; 3] = ["WHATS_APP", "LINKEDIN_MESSAGE", "SMS"];

/// What HubSpot checks on a new message; returns the properties as stored (channel trimmed).
pub(crate) fn check_new_message(
    mut properties: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ApiError> {
    check_channel(&mut properties, true)?;
    match properties
        .get("hs_communication_logged_from")
        .map(String::as_str)
    {
        Some("CRM") => Ok(properties),
        Some(other) => Err(ApiError::validation(format!(
            "hs_communication_logged_from must be CRM, not {other}"
        ))
        .detail(
            "hs_communication_logged_from",
            "INVALID_OPTION",
            "must be CRM",
        )),
        None => Err(
            ApiError::validation("hs_communication_logged_from is required").detail(
                "hs_communication_logged_from",
                "REQUIRED",
                "must be CRM",
            ),
        ),
    }
}

/// The channel, if present (required on creates), must be one HubSpot knows.
pub(crate) fn check_channel(
    properties: &mut BTreeMap<String, String>,
    required: bool,
) -> Result<(), ApiError> {
    const NAME: &str = "hs_communication_channel_type";
    match properties.get_mut(NAME) {
        Some(channel) if CHANNELS.contains(&channel.trim()) => {
            *channel = channel.trim().to_owned();
            Ok(())
        }
        Some(channel) if channel.is_empty() && !required => Ok(()),
        Some(channel) => Err(ApiError::validation(format!(
            "Property values were not valid: {channel:?} is not a valid channel (WHATS_APP, LINKEDIN_MESSAGE, SMS)"
        ))
        .detail(NAME, "INVALID_OPTION", format!("{channel:?} was not one of the allowed options"))),
        None if required => Err(ApiError::validation(format!("{NAME} is required")).detail(NAME, "REQUIRED", "required")),
        None => Ok(()),
    }
}
