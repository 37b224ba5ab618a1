//! What the relay stores of each message it receives: an [`Entry`], written to a Redis Stream
//! as flat text fields with a version, and read back defensively (an entry that cannot be read
//! says why, and goes to the dead letters with that reason).
//!
//! | field | what |
//! |---|---|
//! | `v` | the format's version: `1` |
//! | `provider` | `twilio` or `json` |
//! | `account` | the relay's name of the HubSpot account it goes to |
//! | `key` | the message's key: Twilio's `MessageSid`, the JSON row's key (its id, or the hash of what it says) |
//! | `channel` | HubSpot's value (`SMS`, `WHATS_APP`, `LINKEDIN_MESSAGE`) |
//! | `contact` | the contact's number as received (`whatsapp:+1…` included) |
//! | `from`, `to` | the numbers as received, when the provider gave them |
//! | `body` | the text as received (Twilio sends none with a picture alone) |
//! | `timestamp` | when the message was sent (RFC 3339), when the provider said (Twilio does not) |
//! | `received_at` | when the relay received it (RFC 3339) |
//! | `owner` | a HubSpot owner id, when the row named one |
//! | `provider_account` | the provider's account (Twilio's `AccountSid`), when it said |
//!
//! Fields a reader does not know are ignored, so that a newer writer can add some; a change of
//! meaning is a new version, which an older reader refuses (and dead-letters) rather than
//! misreads.

use chrono::{DateTime, SecondsFormat, Utc};
use hubspot_communications::Channel;

use super::accounts::AccountName;

/// The format's version, the `v` field.
pub const VERSION: &str = "1";

// The fields' names.
const V: &str = "v";
const PROVIDER: &str = "provider";
const ACCOUNT: &str = "account";
const KEY: &str = "key";
const CHANNEL: &str = "channel";
const CONTACT: &str = "contact";
const FROM: &str = "from";
const TO: &str = "to";
const BODY: &str = "body";
const TIMESTAMP: &str = "timestamp";
const RECEIVED_AT: &str = "received_at";
const OWNER: &str = "owner";
const PROVIDER_ACCOUNT: &str = "provider_account";
const KNOWN: [&str; 13] = [
    V,
    PROVIDER,
    ACCOUNT,
    KEY,
    CHANNEL,
    CONTACT,
    FROM,
    TO,
    BODY,
    TIMESTAMP,
    RECEIVED_AT,
    OWNER,
    PROVIDER_ACCOUNT,
];

/// The longest message key the relay stores (Twilio's `MessageSid` has 34 characters; a row's
/// hash key 39).
pub const MAX_KEY_BYTES: usize = 256;

/// Who handed the relay a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Twilio's "a message comes in" webhook (SMS and WhatsApp).
    Twilio,
    /// The signed JSON endpoint: rows in the format `hubspot-comms import` reads.
    Json,
}

impl Provider {
    /// Its name in an entry: `twilio`, `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Twilio => "twilio",
            Self::Json => "json",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "twilio" => Some(Self::Twilio),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One received message, as the relay stores it until it is logged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Entry {
    /// Who handed it over.
    pub provider: Provider,
    /// The HubSpot account it goes to.
    pub account: AccountName,
    /// Its key: a message is logged once per key (the key property's value).
    pub key: String,
    /// Its channel.
    pub channel: Channel,
    /// The contact's number as received (the worker reads it).
    pub contact: String,
    /// The sender's number as received, if given.
    pub from: Option<String>,
    /// The recipient's number as received, if given.
    pub to: Option<String>,
    /// The text as received.
    pub body: String,
    /// When it was sent, when the provider said.
    pub timestamp: Option<DateTime<Utc>>,
    /// When the relay received it.
    pub received_at: DateTime<Utc>,
    /// A HubSpot owner id, when the row named one.
    pub owner: Option<String>,
    /// The provider's account (Twilio's `AccountSid`), when it said.
    pub provider_account: Option<String>,
}

/// Why an entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Unreadable {
    /// Why, in words (the dead letter's `dead_reason`).
    pub reason: String,
}

impl Unreadable {
    fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}

impl Entry {
    /// An entry received now: the optional fields empty.
    pub fn new(
        provider: Provider,
        account: AccountName,
        key: impl Into<String>,
        channel: Channel,
        contact: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            account,
            key: key.into(),
            channel,
            contact: contact.into(),
            from: None,
            to: None,
            body: body.into(),
            timestamp: None,
            received_at: Utc::now(),
            owner: None,
            provider_account: None,
        }
    }

    /// When it happened: when it was sent, or else when it was received.
    pub fn sent_at(&self) -> DateTime<Utc> {
        self.timestamp.unwrap_or(self.received_at)
    }

    /// Its stream fields, in order.
    pub fn to_fields(&self) -> Vec<(&'static str, String)> {
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut fields = vec![
            (V, VERSION.to_owned()),
            (PROVIDER, self.provider.as_str().to_owned()),
            (ACCOUNT, self.account.as_str().to_owned()),
            (KEY, self.key.clone()),
            (CHANNEL, self.channel.as_str().to_owned()),
            (CONTACT, self.contact.clone()),
        ];
        let optional = [
            (FROM, self.from.clone()),
            (TO, self.to.clone()),
            (BODY, Some(self.body.clone())),
            (TIMESTAMP, self.timestamp.as_ref().map(time)),
            (RECEIVED_AT, Some(time(&self.received_at))),
            (OWNER, self.owner.clone()),
            (PROVIDER_ACCOUNT, self.provider_account.clone()),
        ];
        fields.extend(
            optional
                .into_iter()
                .filter_map(|(name, value)| value.map(|value| (name, value))),
        );
        fields
    }

    /// Reads an entry from its stream fields (names and values as Redis holds them: bytes).
    /// Fields it does not know are ignored; one of its own given twice, a missing or
    /// unreadable one, or another version is [`Unreadable`], with why.
    pub fn from_fields(fields: &[(Vec<u8>, Vec<u8>)]) -> Result<Self, Unreadable> {
        let mut known: [Option<&[u8]>; KNOWN.len()] = [None; KNOWN.len()];
        for (name, value) in fields {
            let Some(at) = KNOWN.iter().position(|k| k.as_bytes() == name.as_slice()) else {
                continue;
            };
            if known[at].replace(value).is_some() {
                return Err(Unreadable::new(format!(
                    "the field {:?} is given twice",
                    KNOWN[at]
                )));
            }
        }
        let text = |name: &str| -> Result<Option<&str>, Unreadable> {
            let at = KNOWN.iter().position(|k| *k == name).unwrap_or_default();
            known[at]
                .map(|value| {
                    std::str::from_utf8(value)
                        .map_err(|_| Unreadable::new(format!("the field {name:?} is not UTF-8")))
                })
                .transpose()
        };
        let required = |name: &str| -> Result<&str, Unreadable> {
            text(name)?
                .filter(|value| !value.trim().is_empty())
                .ok_or_else(|| Unreadable::new(format!("no {name:?} field")))
        };
        let time = |name: &str| -> Result<Option<DateTime<Utc>>, Unreadable> {
            text(name)?
                .map(|value| {
                    DateTime::parse_from_rfc3339(value)
                        .map(|time| time.to_utc())
                        .map_err(|_| {
                            Unreadable::new(format!("the field {name:?} is not a time: {value:?}"))
                        })
                })
                .transpose()
        };

        let version = text(V)?.ok_or_else(|| Unreadable::new("no version (v) field"))?;
        if version != VERSION {
            return Err(Unreadable::new(format!(
                "version {version:?} of the entry format; this relay reads version {VERSION}"
            )));
        }
        let provider = required(PROVIDER)?;
        let provider = Provider::parse(provider)
            .ok_or_else(|| Unreadable::new(format!("unknown provider {provider:?}")))?;
        let account = AccountName::new(required(ACCOUNT)?)
            .map_err(|error| Unreadable::new(error.to_string()))?;
        let key = required(KEY)?;
        if key.len() > MAX_KEY_BYTES {
            return Err(Unreadable::new(format!(
                "the key is {} bytes long, over the {MAX_KEY_BYTES} the relay stores",
                key.len()
            )));
        }
        Ok(Self {
            provider,
            account,
            key: key.to_owned(),
            channel: Channel::from(required(CHANNEL)?),
            contact: required(CONTACT)?.to_owned(),
            from: text(FROM)?.map(str::to_owned),
            to: text(TO)?.map(str::to_owned),
            body: text(BODY)?.unwrap_or_default().to_owned(),
            timestamp: time(TIMESTAMP)?,
            received_at: time(RECEIVED_AT)?
                .ok_or_else(|| Unreadable::new("no \"received_at\" field"))?,
            owner: text(OWNER)?.map(str::to_owned),
            provider_account: text(PROVIDER_ACCOUNT)?.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        let mut entry = Entry::new(
            Provider::Twilio,
            AccountName::new("acme").unwrap(),
            "SM0123",
            Channel::WhatsApp,
            "whatsapp:+14155550123",
            "Hi",
        );
        entry.from = Some("whatsapp:+14155550123".into());
        entry.to = Some("whatsapp:+14155550100".into());
        entry.provider_account = Some("AC1".into());
        entry.received_at = DateTime::parse_from_rfc3339("2026-11-02T10:00:00.123Z")
            .unwrap()
            .to_utc();
        entry
    }

    fn bytes(fields: &[(&str, String)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        fields
            .iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let mut entry = entry();
        assert_eq!(
            Entry::from_fields(&bytes(&entry.to_fields())),
            Ok(entry.clone())
        );
        entry.timestamp = Some(entry.received_at - chrono::Duration::seconds(5));
        entry.owner = Some("77".into());
        entry.body = String::new();
        entry.provider = Provider::Json;
        assert_eq!(Entry::from_fields(&bytes(&entry.to_fields())), Ok(entry));
    }

    #[test]
    fn unknown_fields_are_ignored_and_broken_entries_say_why() {
        let mut fields = bytes(&entry().to_fields());
        fields.push((b"later".to_vec(), vec![0xff]));
        assert!(Entry::from_fields(&fields).is_ok());

        type Break = Box<dyn Fn(&mut Vec<(Vec<u8>, Vec<u8>)>)>;
        let cases: [(&str, Break); 7] = [
            ("no version", Box::new(|f| f.retain(|(n, _)| n != b"v"))),
            ("version \"2\"", Box::new(|f| f[0].1 = b"2".to_vec())),
            ("unknown provider", Box::new(|f| f[1].1 = b"fax".to_vec())),
            ("no \"key\"", Box::new(|f| f.retain(|(n, _)| n != b"key"))),
            ("not UTF-8", Box::new(|f| f[5].1 = vec![b'+', 0xc3])),
            (
                "given twice",
                Box::new(|f| f.push((b"key".to_vec(), b"SM9".to_vec()))),
            ),
            (
                "not a time",
                Box::new(|f| {
                    let at = f.iter().position(|(n, _)| n == b"received_at").unwrap();
                    f[at].1 = b"yesterday".to_vec();
                }),
            ),
        ];
        for (expected, break_it) in cases {
            let mut fields = bytes(&entry().to_fields());
            break_it(&mut fields);
            let reason = Entry::from_fields(&fields).unwrap_err().reason;
            assert!(reason.contains(expected), "{expected}: {reason}");
        }
        assert!(Entry::from_fields(&[]).is_err());
    }
}
