//! What a record says: the contact's number, the message, and the key that makes logging it
//! exactly once; or why it is a bad row.

use chrono::{DateTime, Utc};
use hubspot_communications::{Channel, MAX_TEXT_PROPERTY_CHARS, NewMessage, PhoneNumber, Region};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::input::time::parse_time;

/// A record that can be logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The message's key: the provider's id, or a hash of what the row says.
    pub key: String,
    /// The contact's number.
    pub number: PhoneNumber,
    /// The message, not yet associated with its contact.
    pub message: NewMessage,
}

/// What rows that do not say are read with.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// The region of numbers without a country code.
    pub region: Option<Region>,
    /// The channel of rows that name none and whose number has no `whatsapp:` prefix.
    pub channel: Channel,
}

// Field names as matched: lowercase, letters and digits only (`SentDate`, `sent_date` and
// `date-sent` meet as `sentdate` / `datesent`).
const ID: &[&str] = &["id", "sid", "messagesid", "messageid"];
const PHONE: &[&str] = &["phone", "phonenumber", "number", "contactphone"];
const FROM: &[&str] = &["from"];
const TO: &[&str] = &["to"];
const DIRECTION: &[&str] = &["direction"];
const BODY: &[&str] = &["body", "text", "message"];
const TIME: &[&str] = &[
    "timestamp",
    "sentdate",
    "datesent",
    "sentat",
    "date",
    "time",
    "datecreated",
];
const CHANNEL: &[&str] = &["channel"];
const OWNER: &[&str] = &["owner", "ownerid", "hubspotownerid"];

/// Reads a record's fields; the error is the reason it is a bad row.
pub fn interpret(fields: &Map<String, Value>, defaults: &Defaults) -> Result<Row, String> {
    read(fields, defaults).map(Said::into_row)
}

/// What a record says, each part read and checked: [`interpret`]'s row before it is a message,
/// and what the relay stores of a row it receives (`relay::receive`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Said {
    /// The message's key: the provider's id, or a hash of what the row says.
    pub key: String,
    /// The contact's number, read.
    pub number: PhoneNumber,
    /// The contact's number as the row wrote it.
    pub number_text: String,
    /// `From` and `To` as the row wrote them, if it did.
    pub from: Option<String>,
    pub to: Option<String>,
    pub channel: Channel,
    /// As written (only a blank one is refused).
    pub body: String,
    pub time: DateTime<Utc>,
    pub owner: Option<String>,
}

impl Said {
    fn into_row(self) -> Row {
        let mut message = NewMessage::new(self.channel, self.body).timestamp(self.time);
        if let Some(owner) = self.owner {
            message = message.owner(owner);
        }
        Row {
            key: self.key,
            number: self.number,
            message,
        }
    }
}

/// Reads what a record says; the error is the reason it is a bad row.
pub(crate) fn read(fields: &Map<String, Value>, defaults: &Defaults) -> Result<Said, String> {
    // By matched name; of two fields that match one name, the first.
    let by_name: Vec<(String, (&String, &Value))> = fields
        .iter()
        .map(|(name, value)| (normalise(name), (name, value)))
        .collect();
    // The first of `names` (in their order of preference) the record has.
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|wanted| by_name.iter().find(|(name, _)| name == wanted))
            .map(|(_, field)| *field)
    };
    let field = |names: &[&str]| -> Result<Option<String>, String> {
        let Some((name, value)) = find(names) else {
            return Ok(None);
        };
        match value {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
            Value::Number(number) => Ok(Some(number.to_string())),
            Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
                Err(format!("the field {name:?} is not text"))
            }
        }
    };

    let phone = field(PHONE)?;
    let (from, to) = (field(FROM)?, field(TO)?);
    let number_text = contact_number(
        phone,
        from.clone(),
        to.clone(),
        field(DIRECTION)?.as_deref(),
    )?;
    let whatsapp = number_text
        .get(..9)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("whatsapp:"));
    let number = PhoneNumber::parse(&number_text, defaults.region).map_err(|e| e.to_string())?;
    let channel = match field(CHANNEL)? {
        Some(text) => channel(&text)?,
        None if whatsapp => Channel::WhatsApp,
        None => defaults.channel.clone(),
    };
    // The body is kept as written; only a blank one is refused.
    let body = find(BODY)
        .and_then(|(_, value)| value.as_str())
        .filter(|body| !body.trim().is_empty())
        .ok_or("no message body (body)")?
        .to_owned();
    // HubSpot refuses a longer text value: reported with its line rather than sent.
    let length = body.chars().count();
    if length > MAX_TEXT_PROPERTY_CHARS {
        return Err(format!(
            "the message body is {length} characters long; HubSpot stores at most {MAX_TEXT_PROPERTY_CHARS} in a property"
        ));
    }
    let time_text = field(TIME)?.ok_or("no date (timestamp, SentDate or date_sent)")?;
    let time = parse_time(&time_text).ok_or_else(|| format!("unparsable date {time_text:?}"))?;
    let key = match field(ID)? {
        Some(id) if id == "." || id == ".." => return Err(format!("{id:?} is not a message id")),
        Some(id) => id,
        None => content_key(&number, &channel, time, &body),
    };
    Ok(Said {
        key,
        number,
        number_text,
        from,
        to,
        channel,
        body,
        time,
        owner: field(OWNER)?,
    })
}

/// The contact's side of the conversation: `phone`, or Twilio's From (inbound) or To
/// (outbound).
fn contact_number(
    phone: Option<String>,
    from: Option<String>,
    to: Option<String>,
    direction: Option<&str>,
) -> Result<String, String> {
    if let Some(phone) = phone {
        return Ok(phone);
    }
    if from.is_none() && to.is_none() {
        return Err("no phone number (phone, or From/To with Direction)".to_owned());
    }
    let direction = direction
        .ok_or("no direction: the contact is From for inbound rows, To for outbound ones")?;
    let normalised = normalise(direction);
    let (side, number) = if normalised == "inbound" || normalised == "incoming" {
        ("From", from)
    } else if normalised.starts_with("outbound") || normalised.starts_with("outgoing") {
        ("To", to)
    } else {
        return Err(format!(
            "unknown direction {direction:?} (inbound, outbound-api, outbound-reply, ...)"
        ));
    };
    number.ok_or_else(|| format!("no phone number: a {direction} row needs {side}"))
}

fn channel(text: &str) -> Result<Channel, String> {
    match normalise(text).as_str() {
        "sms" | "text" | "textmessage" => Ok(Channel::Sms),
        "whatsapp" => Ok(Channel::WhatsApp),
        "linkedin" | "linkedinmessage" => Ok(Channel::LinkedIn),
        _ => Err(format!(
            "unknown channel {text:?} (sms, whatsapp or linkedin)"
        )),
    }
}

/// The key of a row without an id: what it says, hashed. Two rows that say the same are one
/// message.
fn content_key(number: &PhoneNumber, channel: &Channel, time: DateTime<Utc>, body: &str) -> String {
    let mut hash = Sha256::new();
    for part in [
        number.as_str(),
        channel.as_str(),
        &time.timestamp_millis().to_string(),
        body,
    ] {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    format!("sha256:{}", hex::encode(&hash.finalize()[..16]))
}

fn normalise(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn defaults() -> Defaults {
        Defaults {
            region: Some(Region::parse("US").unwrap()),
            channel: Channel::Sms,
        }
    }

    fn row(value: Value) -> Result<Row, String> {
        interpret(value.as_object().unwrap(), &defaults())
    }

    #[test]
    fn twilio_rows_take_the_contact_by_direction() {
        let inbound = row(json!({"Sid": "SM1", "From": "whatsapp:+1 415 555 0100", "To": "+14155550199",
            "Body": "Hi", "Status": "received", "SentDate": "2024-05-01T10:00:00Z", "Direction": "inbound"}))
        .unwrap();
        assert_eq!(inbound.key, "SM1");
        assert_eq!(inbound.number.as_str(), "+14155550100");
        let sent = parse_time("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(
            inbound.message,
            NewMessage::new(Channel::WhatsApp, "Hi").timestamp(sent)
        );
        let outbound = row(json!({"Sid": "SM2", "From": "+14155550199", "To": "(415) 555-0101",
            "Body": "Yo", "SentDate": "Wed, 01 May 2024 10:00:00 +0000", "Direction": "outbound-api"}))
        .unwrap();
        assert_eq!(outbound.number.as_str(), "+14155550101");
        assert_eq!(
            outbound.message,
            NewMessage::new(Channel::Sms, "Yo").timestamp(sent)
        );
    }

    #[test]
    fn a_body_longer_than_hubspot_stores_is_a_bad_row() {
        let at_limit = "é".repeat(MAX_TEXT_PROPERTY_CHARS);
        let fits = row(
            json!({"phone": "+14155550100", "body": at_limit, "timestamp": "2024-05-01T10:00:00Z"}),
        );
        assert!(fits.is_ok(), "65,536 characters (131,072 bytes) fit");
        let over = format!("{at_limit}x");
        let refused = row(
            json!({"phone": "+14155550100", "body": over, "timestamp": "2024-05-01T10:00:00Z"}),
        )
        .unwrap_err();
        assert!(refused.contains("65537 characters"), "{refused}");
    }

    #[test]
    fn bad_rows_say_why() {
        let cases = [
            (
                json!({"Body": "x", "SentDate": "2024-05-01"}),
                "no phone number",
            ),
            (
                json!({"From": "+14155550100", "Body": "x", "SentDate": "1714557600"}),
                "no direction",
            ),
            (
                json!({"phone": "not a number", "body": "x", "timestamp": "1714557600"}),
                "not a phone number",
            ),
            (
                json!({"phone": "+14155550100", "body": "x", "timestamp": "yesterday"}),
                "unparsable date",
            ),
            (json!({"phone": "+14155550100", "body": "x"}), "no date"),
            (
                json!({"phone": "+14155550100", "body": "  ", "timestamp": "1714557600"}),
                "no message body",
            ),
            (
                json!({"phone": "+14155550100", "body": "x", "timestamp": "1714557600", "channel": "fax"}),
                "unknown channel",
            ),
            (
                json!({"phone": "+14155550100", "body": "x", "timestamp": "1714557600", "direction": "sideways", "from": "+1"}),
                "+14155550100",
            ),
            (
                json!({"to": "+14155550100", "body": "x", "timestamp": "1714557600", "direction": "sideways"}),
                "unknown direction",
            ),
            (
                json!({"phone": ["+14155550100"], "body": "x", "timestamp": "1714557600"}),
                "not text",
            ),
        ];
        for (value, expected) in cases {
            match row(value.clone()) {
                Err(reason) => assert!(reason.contains(expected), "{value}: {reason}"),
                // `phone` wins over From/To, whatever the direction says.
                Ok(row) => assert_eq!(row.number.as_str(), expected, "{value}"),
            }
        }
    }

    #[test]
    fn rows_without_id_are_keyed_by_what_they_say() {
        let one = json!({"phone": "415-555-0100", "body": "x", "timestamp": "2024-05-01 10:00:00"});
        let same = json!({"phone": "+1 415 555 0100", "body": "x", "timestamp": "1714557600000", "Status": "sent"});
        let other = json!({"phone": "+1 415 555 0100", "body": "y", "timestamp": "1714557600"});
        let key = |v: Value| row(v).unwrap().key;
        assert_eq!(key(one.clone()), key(same));
        assert_ne!(key(one.clone()), key(other));
        assert!(key(one).starts_with("sha256:"));
    }
}
