//! What is sent to create or update a message.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, SubsecRound as _, Utc};

use super::association::Association;
use super::channel::Channel;
use super::message::property;
use crate::error::Error;

/// The properties the typed fields of [`NewMessage`] and [`MessageUpdate`] set; giving them as
/// extra properties too would make one of the two values vanish, so it is refused.
const TYPED: [&str; 5] = [
    property::CHANNEL,
    property::LOGGED_FROM,
    property::BODY,
    property::OWNER,
    property::TIMESTAMP,
];

/// A message to log: channel and text are required, the rest is optional.
///
/// `hs_communication_logged_from` is always `CRM`, as HubSpot requires. The timestamp, which
/// places the message on the record's timeline, is the time of sending unless set.
///
/// ```
/// use hubspot_communications::{Association, Channel, NewMessage};
///
/// let message = NewMessage::new(Channel::Sms, "Texted Linda to confirm the contract.")
///     .owner("1234567")
///     .associate(Association::company("9001"))
///     .associate(Association::contact("1234"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[must_use]
pub struct NewMessage {
    channel: Channel,
    body: String,
    timestamp: Option<DateTime<Utc>>,
    owner_id: Option<String>,
    properties: BTreeMap<String, String>,
    associations: Vec<Association>,
}

impl NewMessage {
    /// A message sent or received on `channel`, with its text.
    pub fn new(channel: Channel, body: impl Into<String>) -> Self {
        Self {
            channel,
            body: body.into(),
            timestamp: None,
            owner_id: None,
            properties: BTreeMap::new(),
            associations: Vec::new(),
        }
    }

    /// When the message happened (`hs_timestamp`); now if not set.
    pub fn timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The owner shown as the message's creator (`hubspot_owner_id`).
    pub fn owner(mut self, owner_id: impl Into<String>) -> Self {
        self.owner_id = Some(owner_id.into());
        self
    }

    /// Any other property, such as a custom one.
    pub fn property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(name.into(), value.into());
        self
    }

    /// Associates the new message with a record.
    pub fn associate(mut self, association: Association) -> Self {
        self.associations.push(association);
        self
    }

    /// The associations given so far.
    pub fn associations(&self) -> &[Association] {
        &self.associations
    }

    /// The properties HubSpot receives, checked.
    pub(crate) fn to_properties(
        &self,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<String, String>, Error> {
        check_extra(&self.properties)?;
        if self.body.trim().is_empty() {
            return Err(Error::InvalidInput("a message needs a body".into()));
        }
        if self.channel.as_str().trim().is_empty() {
            return Err(Error::InvalidInput("a message needs a channel".into()));
        }
        let mut properties = self.properties.clone();
        properties.insert(property::CHANNEL.into(), self.channel.as_str().into());
        properties.insert(property::LOGGED_FROM.into(), "CRM".into());
        properties.insert(property::BODY.into(), self.body.clone());
        properties.insert(
            property::TIMESTAMP.into(),
            format_timestamp(self.timestamp.unwrap_or(now)),
        );
        if let Some(owner) = &self.owner_id {
            properties.insert(property::OWNER.into(), owner.clone());
        }
        Ok(properties)
    }

    pub(crate) fn to_input(
        &self,
        now: DateTime<Utc>,
    ) -> Result<hubspot_communications_raw::types::SimplePublicObjectInputForCreate, Error> {
        for association in &self.associations {
            association.check()?;
        }
        Ok(
            hubspot_communications_raw::types::SimplePublicObjectInputForCreate {
                properties: self.to_properties(now)?,
                associations: self
                    .associations
                    .iter()
                    .map(Association::to_input)
                    .collect(),
            },
        )
    }
}

/// Changes to a message: values to set and values to clear.
///
/// HubSpot clears a property given the empty string; [`MessageUpdate::clear`] says so
/// explicitly. HubSpot ignores read-only and unknown properties.
///
/// ```
/// use hubspot_communications::MessageUpdate;
///
/// let update = MessageUpdate::new()
///     .body("Sent a follow-up message to Carla.")
///     .clear("hubspot_owner_id");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[must_use]
pub struct MessageUpdate {
    properties: BTreeMap<String, String>,
}

impl MessageUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new text.
    pub fn body(self, body: impl Into<String>) -> Self {
        self.property(property::BODY, body)
    }

    /// A new channel.
    pub fn channel(self, channel: Channel) -> Self {
        self.property(property::CHANNEL, channel.as_str())
    }

    /// A new owner.
    pub fn owner(self, owner_id: impl Into<String>) -> Self {
        self.property(property::OWNER, owner_id)
    }

    /// A new time on the timeline.
    pub fn timestamp(self, timestamp: DateTime<Utc>) -> Self {
        self.property(property::TIMESTAMP, format_timestamp(timestamp))
    }

    /// Sets any property (the name [`NewMessage::property`] has too).
    pub fn property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(name.into(), value.into());
        self
    }

    /// Clears a property (HubSpot's empty string).
    pub fn clear(self, name: impl Into<String>) -> Self {
        self.property(name, "")
    }

    pub(crate) fn to_properties(&self) -> Result<BTreeMap<String, String>, Error> {
        if self.properties.is_empty() {
            return Err(Error::InvalidInput(
                "an update needs at least one property to set or clear".into(),
            ));
        }
        if self
            .properties
            .get(property::LOGGED_FROM)
            .is_some_and(|v| v != "CRM")
        {
            return Err(Error::InvalidInput(
                "hs_communication_logged_from can only be CRM".into(),
            ));
        }
        Ok(self.properties.clone())
    }
}

fn check_extra(properties: &BTreeMap<String, String>) -> Result<(), Error> {
    match properties
        .keys()
        .find(|name| TYPED.contains(&name.as_str()))
    {
        Some(name) => Err(Error::InvalidInput(format!(
            "{name} is set by NewMessage's own methods; give it there, not as an extra property"
        ))),
        None => Ok(()),
    }
}

/// HubSpot's timestamp form: ISO 8601 in UTC, like the guide's `2022-11-12T15:48:22Z`.
/// HubSpot keeps milliseconds: finer digits are dropped rather than sent.
fn format_timestamp(timestamp: DateTime<Utc>) -> String {
    timestamp
        .trunc_subsecs(3)
        .to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
