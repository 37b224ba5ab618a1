//! One exported message: the fields `import` reads (`id`, `phone`, `channel`, `timestamp`,
//! `body`, `owner`), and, for the record, the message's HubSpot id and the ids of the records it
//! is associated with (fields `import` ignores).

use std::cmp::Ordering;

use chrono::SecondsFormat;
use hubspot_communications::{Channel, Message, ObjectType, PhoneNumber, RecordProperties, Region};
use serde::Serialize;

use super::summary::ExportCounts;

/// The object types whose associated ids are exported, in the order of [`Records`].
pub(crate) const TYPES: [ObjectType; 4] = [
    ObjectType::Contact,
    ObjectType::Company,
    ObjectType::Deal,
    ObjectType::Ticket,
];

/// A contact's number properties, read for the number written.
pub(crate) const NUMBER_PROPERTIES: [&str; 3] = [PHONE, MOBILE, WHATSAPP];
const PHONE: &str = "phone";
const MOBILE: &str = "mobilephone";
const WHATSAPP: &str = "hs_whatsapp_phone_number";

/// The CSV header: the columns, in order.
pub(crate) const COLUMNS: [&str; 11] = [
    "id",
    "phone",
    "channel",
    "timestamp",
    "body",
    "owner",
    "hubspot_id",
    "contact_ids",
    "company_ids",
    "deal_ids",
    "ticket_ids",
];

/// An exported message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OutRow {
    /// The key: the key property's value, else the message id.
    pub id: String,
    /// The contact's number: E.164 (`whatsapp:` before it on WhatsApp messages), or as the
    /// contact holds it when it cannot be read as a number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `sms`, `whatsapp`, `linkedin` (another value as HubSpot has it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// RFC 3339, UTC, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The message's HubSpot id.
    pub hubspot_id: String,
    pub contact_ids: Vec<String>,
    pub company_ids: Vec<String>,
    pub deal_ids: Vec<String>,
    pub ticket_ids: Vec<String>,
}

impl OutRow {
    /// The CSV record, in [`COLUMNS`] order (lists of ids joined by `;`).
    pub(crate) fn csv_record(&self) -> [String; 11] {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        [
            self.id.clone(),
            text(&self.phone),
            text(&self.channel),
            text(&self.timestamp),
            text(&self.body),
            text(&self.owner),
            self.hubspot_id.clone(),
            self.contact_ids.join(";"),
            self.company_ids.join(";"),
            self.deal_ids.join(";"),
            self.ticket_ids.join(";"),
        ]
    }
}

/// The ids of the records a message is associated with, by [`TYPES`], each list in id order
/// without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Records(pub [Vec<String>; 4]);

impl Records {
    /// The associations a read returned with the message.
    pub(crate) fn inline(message: &Message) -> Self {
        let mut records = Self::default();
        for (index, object_type) in TYPES.iter().enumerate() {
            if let Some(ids) = message.associations.get(object_type) {
                records.set(index, ids.iter().map(|a| a.id.clone()));
            }
        }
        records
    }

    /// Sets the ids of one type.
    pub(crate) fn set(&mut self, index: usize, ids: impl IntoIterator<Item = String>) {
        let mut ids: Vec<String> = ids.into_iter().collect();
        ids.sort_by(|a, b| by_id(a, b));
        ids.dedup();
        self.0[index] = ids;
    }

    /// The contacts' ids.
    pub(crate) fn contacts(&self) -> &[String] {
        &self.0[0]
    }
}

/// HubSpot's ids in their numeric order (shorter first, then as text; any id at all).
pub(crate) fn by_id(a: &str, b: &str) -> Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// A number a contact holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Held {
    /// Read as a number: E.164.
    E164(String),
    /// Not readable as a number (an extension, a national number without --default-region, a
    /// typo): as the contact holds it.
    AsStored(String),
}

/// A contact's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Numbers {
    phone: Option<Held>,
    mobile: Option<Held>,
    whatsapp: Option<Held>,
}

impl Numbers {
    /// A contact's numbers from its properties, read in `region` when national.
    pub(crate) fn read(contact: &RecordProperties, region: Option<Region>) -> Self {
        let held = |name: &str| {
            let text = contact.property(name)?.trim();
            if text.is_empty() {
                return None;
            }
            Some(match PhoneNumber::parse(text, region) {
                Ok(number) => Held::E164(number.as_str().to_owned()),
                Err(_) => Held::AsStored(text.to_owned()),
            })
        };
        Self {
            phone: held(PHONE),
            mobile: held(MOBILE),
            whatsapp: held(WHATSAPP),
        }
    }

    /// The number to write: on WhatsApp messages the WhatsApp number, the mobile, the phone;
    /// on others the phone, the mobile, the WhatsApp number; one read as a number before one
    /// that is not.
    fn choose(&self, whatsapp: bool) -> Option<&Held> {
        let order = if whatsapp {
            [&self.whatsapp, &self.mobile, &self.phone]
        } else {
            [&self.phone, &self.mobile, &self.whatsapp]
        };
        let held = order.iter().filter_map(|held| held.as_ref());
        held.clone()
            .find(|held| matches!(held, Held::E164(_)))
            .or_else(|| held.clone().next())
    }
}

/// The channel as `import` reads it.
fn channel_name(channel: &Channel) -> String {
    match channel {
        Channel::Sms => "sms".to_owned(),
        Channel::WhatsApp => "whatsapp".to_owned(),
        Channel::LinkedIn => "linkedin".to_owned(),
        other => other.as_str().to_owned(),
    }
}

/// The row of `message`, associated with `records`, written with the number of `contact` (the
/// one whose number is written, with its numbers; `None` when it has no contact); counted.
pub(crate) fn build(
    message: &Message,
    key_property: &str,
    records: Records,
    contact: Option<&Numbers>,
    counts: &mut ExportCounts,
) -> OutRow {
    let whatsapp = message.channel == Some(Channel::WhatsApp);
    let phone = match contact {
        None => {
            counts.without_contact += 1;
            None
        }
        Some(numbers) => match numbers.choose(whatsapp) {
            None => {
                counts.without_number += 1;
                None
            }
            Some(Held::E164(e164)) if whatsapp => Some(format!("whatsapp:{e164}")),
            Some(Held::E164(e164)) => Some(e164.clone()),
            Some(Held::AsStored(text)) => {
                counts.number_as_stored += 1;
                Some(text.clone())
            }
        },
    };
    if records.contacts().len() > 1 {
        counts.several_contacts += 1;
    }
    let channel = message.channel.as_ref().map(channel_name);
    let body = message.body.clone().filter(|body| !body.trim().is_empty());
    let readable_channel = message
        .channel
        .as_ref()
        .is_some_and(|c| matches!(c, Channel::Sms | Channel::WhatsApp | Channel::LinkedIn));
    if body.is_none() || message.timestamp.is_none() || !readable_channel {
        counts.incomplete += 1;
    }
    counts.messages += 1;
    let key = message
        .property(key_property)
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .unwrap_or(&message.id)
        .to_owned();
    let [contact_ids, company_ids, deal_ids, ticket_ids] = records.0;
    OutRow {
        id: key,
        phone,
        channel,
        timestamp: message
            .timestamp
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
        body,
        owner: message.owner_id.clone(),
        hubspot_id: message.id.clone(),
        contact_ids,
        company_ids,
        deal_ids,
        ticket_ids,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Map, Value, json};

    use super::*;
    use crate::import::row::{Defaults, interpret};

    fn contact(properties: &[(&str, &str)]) -> RecordProperties {
        let properties = properties.iter();
        let properties = properties.map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())));
        RecordProperties::new("7", properties.collect())
    }

    fn message(properties: Value) -> Message {
        let properties: BTreeMap<String, Option<String>> =
            serde_json::from_value(properties).unwrap();
        let created = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
        Message::new("42", created.to_utc()).with_properties(properties)
    }

    fn us() -> Option<Region> {
        Some(Region::parse("US").unwrap())
    }

    #[test]
    fn a_row_reads_back_as_the_same_message_with_the_same_key() {
        let sent = message(json!({
            "hs_communication_channel_type": "WHATS_APP",
            "hs_communication_body": "Line one,\nline \"two\"",
            "hs_timestamp": "2026-11-02T09:15:00.123Z",
            "hubspot_owner_id": "1234567",
            "external_message_id": "SM1",
        }));
        let numbers = Numbers::read(
            &contact(&[
                ("phone", "(415) 555-0100"),
                ("hs_whatsapp_phone_number", "+14155550101"),
            ]),
            us(),
        );
        let mut records = Records::default();
        records.set(0, ["7".to_owned()]);
        records.set(1, ["30".to_owned(), "4".to_owned(), "30".to_owned()]);
        let mut counts = ExportCounts::default();
        let row = build(
            &sent,
            "external_message_id",
            records,
            Some(&numbers),
            &mut counts,
        );

        assert_eq!(row.phone.as_deref(), Some("whatsapp:+14155550101"));
        assert_eq!(row.company_ids, ["4", "30"], "in id order, once each");
        assert_eq!(counts.messages, 1);
        assert_eq!(
            counts.incomplete + counts.without_number + counts.without_contact,
            0
        );
        // What import reads from it: the same message and key.
        let fields: Map<String, Value> = serde_json::to_value(&row)
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
        let defaults = Defaults {
            region: None,
            channel: Channel::Sms,
        };
        let read = interpret(&fields, &defaults).unwrap();
        assert_eq!(read.key, "SM1");
        assert_eq!(read.number.as_str(), "+14155550101");
        let expected =
            hubspot_communications::NewMessage::new(Channel::WhatsApp, "Line one,\nline \"two\"")
                .timestamp(sent.timestamp.unwrap())
                .owner("1234567");
        assert_eq!(read.message, expected);
        // The CSV record is read the same.
        let csv: Map<String, Value> = COLUMNS
            .iter()
            .zip(row.csv_record())
            .map(|(name, value)| ((*name).to_owned(), Value::String(value)))
            .collect();
        assert_eq!(interpret(&csv, &defaults).unwrap(), read);
    }

    #[test]
    fn messages_without_what_import_needs_are_written_and_counted() {
        let bare = message(json!({"hs_communication_channel_type": "SMS"}));
        let mut counts = ExportCounts::default();
        let row = build(
            &bare,
            "external_message_id",
            Records::default(),
            None,
            &mut counts,
        );
        assert_eq!(
            (row.id.as_str(), row.phone.as_ref()),
            ("42", None),
            "keyed by its id"
        );
        assert_eq!((counts.without_contact, counts.incomplete), (1, 1));

        let sms = message(json!({"hs_communication_channel_type": "SMS",
            "hs_communication_body": "x", "hs_timestamp": "2026-11-02T09:15:00Z"}));
        let none = Numbers::read(&contact(&[("email", "a@example.com")]), us());
        build(&sms, "k", Records::default(), Some(&none), &mut counts);
        assert_eq!(counts.without_number, 1);
        let odd = Numbers::read(
            &contact(&[
                ("phone", "555 0100 ext. 4"),
                ("mobilephone", "415-555-0100"),
            ]),
            us(),
        );
        let row = build(&sms, "k", Records::default(), Some(&odd), &mut counts);
        assert_eq!(
            row.phone.as_deref(),
            Some("+14155550100"),
            "a readable one first"
        );
        let only_odd = Numbers::read(&contact(&[("phone", "555 0100 ext. 4")]), us());
        let row = build(&sms, "k", Records::default(), Some(&only_odd), &mut counts);
        assert_eq!(row.phone.as_deref(), Some("555 0100 ext. 4"));
        assert_eq!(counts.number_as_stored, 1);
        assert_eq!(counts.messages, 4);
    }
}
